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

extension LedgerState {
    /// Genesis-only: creates `amount` in `account`'s balance.
    mutating func allocate(_ amount: UInt256, to account: EthereumAddress) throws(LedgerError) {
        guard let supply = totalSupply.adding(amount), let balance = balance(of: account).adding(amount) else { throw .amountOverflow }
        setScalars(totalSupply: supply)
        setBalance(balance, for: account)
    }
}
