import LilypadCore
import LilypadCrypto

/// A block of the settlement ledger: transactions applied in order, chained to the previous block
/// by hash, and committing to the state after them.
public struct LedgerBlock: Sendable, Hashable, Codable {
    public var height: UInt64
    /// Seconds since the Unix epoch.
    public var timestamp: UInt64
    /// `0x` hex; 32 zero bytes for the genesis block.
    public var previousHash: String
    public var transactions: [LedgerTransaction]
    /// Keccak-256 of the canonical encoding of the state after this block.
    public var stateHash: String
    /// Keccak-256 of the header fields (height, timestamp, previous hash, transaction hashes, state hash).
    public var hash: String

    public init(height: UInt64, timestamp: UInt64, previousHash: String, transactions: [LedgerTransaction], stateHash: String) {
        self.height = height
        self.timestamp = timestamp
        self.previousHash = previousHash
        self.transactions = transactions
        self.stateHash = stateHash
        hash = Self.computeHash(height: height, timestamp: timestamp, previousHash: previousHash, transactions: transactions, stateHash: stateHash)
    }

    static func computeHash(height: UInt64, timestamp: UInt64, previousHash: String, transactions: [LedgerTransaction], stateHash: String) -> String {
        let header = "lilypad-block\n\(height)\n\(timestamp)\n\(previousHash)\n\(transactions.map(\.hash).joined(separator: ","))\n\(stateHash)"
        return Hex.encode(Keccak256.hash(Array(header.utf8)), prefix: true)
    }

    /// Whether ``hash`` matches the block's contents.
    public var isHashValid: Bool {
        hash == Self.computeHash(height: height, timestamp: timestamp, previousHash: previousHash, transactions: transactions, stateHash: stateHash)
    }

    /// The hash of "no block before".
    public static let zeroHash = Hex.encode([UInt8](repeating: 0, count: 32), prefix: true)
}

/// How a ledger starts: its chain, its rules and who holds what.
public struct LedgerGenesis: Sendable, Hashable, Codable {
    public var chainID: UInt64
    public var protocolAccount: EthereumAddress
    /// Development networks only: allows `mint` (the faucet).
    public var mintingEnabled: Bool
    /// Initial balances, in wei.
    public var allocations: [String: UInt256]
    public var timestamp: UInt64
    public var pow: PowSettings

    public init(
        chainID: UInt64, protocolAccount: EthereumAddress, mintingEnabled: Bool, allocations: [EthereumAddress: UInt256], timestamp: UInt64,
        pow: PowSettings = .lilypad
    ) {
        self.chainID = chainID
        self.protocolAccount = protocolAccount
        self.mintingEnabled = mintingEnabled
        self.allocations = Dictionary(uniqueKeysWithValues: allocations.map { ($0.key.checksummed, $0.value) })
        self.timestamp = timestamp
        self.pow = pow
    }

    /// The state before any block, and the genesis block (height 0, no transactions) committing to it.
    public func start() throws(LedgerError) -> (state: LedgerState, block: LedgerBlock) {
        var state = LedgerState(chainID: chainID, protocolAccount: protocolAccount, mintingEnabled: mintingEnabled, pow: pow)
        for (address, amount) in allocations.sorted(by: { $0.key < $1.key }) {
            guard let account = try? EthereumAddress(address) else { throw .invalidTerms("genesis allocation to \"\(address)\" is not an address") }
            try state.allocate(amount, to: account)
        }
        let block = LedgerBlock(
            height: 0, timestamp: timestamp, previousHash: LedgerBlock.zeroHash, transactions: [],
            stateHash: state.journalStateHash(previous: LedgerBlock.zeroHash))
        state.commitJournal()
        return (state, block)
    }
}

extension LedgerState {
    /// Genesis-only: creates `amount` in `account`'s balance.
    mutating func allocate(_ amount: UInt256, to account: EthereumAddress) throws(LedgerError) {
        guard let supply = totalSupply.adding(amount), let balance = balance(of: account).adding(amount) else { throw .amountOverflow }
        setScalars(totalSupply: supply)
        setBalance(balance, for: account)
    }
}

extension LedgerGenesis {
    /// Lilypad's local development chain (ID 412346): minting (the faucet) on, each development
    /// account funded with 100,000 LP, the admin account as protocol account, and proofs of work
    /// of about a million hashes.
    public static var development: LedgerGenesis {
        var allocations: [EthereumAddress: UInt256] = [:]
        for account in DevelopmentAccounts.all {
            if let address = try? EthereumAddress(account.address) { allocations[address] = .lp(100_000) }
        }
        let admin = (try? EthereumAddress(DevelopmentAccounts.admin.address)) ?? .zero
        return LedgerGenesis(
            chainID: 412_346, protocolAccount: admin, mintingEnabled: true, allocations: allocations, timestamp: 1_700_000_000,
            pow: PowSettings(difficulty: UInt256.max.quotientAndRemainder(dividingBy: 1 << 20).quotient, windowBlocks: 30))
    }
}
