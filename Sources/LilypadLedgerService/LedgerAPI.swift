import LilypadCrypto
import LilypadLedger

/// The ledger service's JSON shapes, shared by ``LedgerServer`` and ``LedgerClient`` so the wire
/// format lives in one place.
public enum LedgerAPI {
    /// `GET /api/v1/chain`.
    public struct ChainInfo: Codable, Sendable, Hashable {
        public var chainID: UInt64
        public var height: UInt64
        public var headHash: String
        public var stateHash: String
        public var totalSupply: UInt256
        public var mintingEnabled: Bool
    }

    /// `GET /api/v1/accounts/{address}`.
    public struct Account: Codable, Sendable, Hashable {
        public var address: EthereumAddress
        public var balance: UInt256
        public var escrow: UInt256
        /// The nonce the account's next transaction must use.
        public var nextNonce: UInt64
    }

    /// `POST /api/v1/transactions` success.
    public struct Accepted: Codable, Sendable, Hashable {
        public var height: UInt64
        public var transactionHash: String
        public var events: [LedgerEvent]
    }

    /// One event with the height of its block (`GET /api/v1/events`, and the WebSocket stream).
    public struct EventRecord: Codable, Sendable, Hashable {
        public var height: UInt64
        public var event: LedgerEvent
    }

    /// The body of every error response.
    public struct ErrorBody: Codable, Sendable, Hashable, Error, CustomStringConvertible {
        public var code: String
        public var message: String
        public var description: String { message }
    }
}
