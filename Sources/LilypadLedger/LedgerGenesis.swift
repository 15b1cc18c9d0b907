import LilypadCore
import LilypadCrypto

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
