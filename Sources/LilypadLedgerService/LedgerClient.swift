import AsyncHTTPClient
import Foundation
import LilypadCrypto
import LilypadLedger
import NIOCore
import NIOHTTP1

/// A typed client for ``LedgerServer``.
///
/// ```swift
/// let ledger = LedgerClient(baseURL: "http://127.0.0.1:8547")
/// let accepted = try await ledger.send(.deposit(amount: .lp(10)), key: key)
/// ```
public struct LedgerClient: Sendable {
    /// Why a request did not succeed.
    public enum Failure: Error, CustomStringConvertible, Sendable {
        /// The ledger refused the request; `body.message` says why.
        case refused(status: Int, body: LedgerAPI.ErrorBody)
        /// No answer from the ledger at all.
        case unreachable(url: String, reason: String)
        /// An answer that is not the ledger's API.
        case unexpected(status: Int, detail: String)

        public var description: String {
            switch self {
            case .refused(_, let body): body.message
            case .unreachable(let url, let reason): "the ledger at \(url) is unreachable (\(reason)); is `lilypad chain serve` running?"
            case .unexpected(let status, let detail): "unexpected answer from the ledger (HTTP \(status)): \(detail)"
            }
        }
    }

    public let baseURL: String
    private let http: HTTPClient

    public init(baseURL: String, http: HTTPClient = .lilypad) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.http = http
    }

    public func chain() async throws(Failure) -> LedgerAPI.ChainInfo { try await get("/api/v1/chain") }

    public func account(_ address: EthereumAddress) async throws(Failure) -> LedgerAPI.Account {
        try await get("/api/v1/accounts/\(address.checksummed)")
    }

    public func deal(_ id: String) async throws(Failure) -> LedgerState.DealRecord {
        try await get("/api/v1/deals/\(id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? id)")
    }

    public func user(_ address: EthereumAddress) async throws(Failure) -> UserRecord {
        try await get("/api/v1/users/\(address.checksummed)")
    }

    public func events(after height: UInt64) async throws(Failure) -> [LedgerAPI.EventRecord] {
        try await get("/api/v1/events?after=\(height)")
    }

    /// Submits a signed transaction.
    public func submit(_ transaction: LedgerTransaction) async throws(Failure) -> LedgerAPI.Accepted {
        let body: Data
        do { body = try JSONEncoder().encode(transaction) } catch { throw .unexpected(status: 0, detail: "cannot encode: \(error)") }
        return try await request("/api/v1/transactions", method: .POST, body: body)
    }

    /// Signs `action` with `key` at the account's next nonce and submits it; `chainID` when the
    /// caller knows it already (else it is read from the ledger).
    public func send(_ action: LedgerAction, key: PrivateKey, chainID: UInt64? = nil) async throws(Failure) -> LedgerAPI.Accepted {
        let chainID = if let chainID { chainID } else { try await self.chain().chainID }
        let account = try await self.account(key.address)
        let transaction = LedgerTransaction(chainID: chainID, nonce: account.nextNonce, action: action, key: key)
        return try await submit(transaction)
    }

    private func get<T: Decodable>(_ path: String) async throws(Failure) -> T {
        try await request(path, method: .GET, body: nil)
    }

    private func request<T: Decodable>(_ path: String, method: HTTPMethod, body: Data?) async throws(Failure) -> T {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: body))
        }
        let status: Int
        let bytes: ByteBuffer
        do {
            let response = try await http.execute(request, timeout: .seconds(30))
            status = Int(response.status.code)
            bytes = try await response.body.collect(upTo: 64 << 20)
        } catch {
            throw .unreachable(url: baseURL, reason: "\(error)")
        }
        let data = Data(buffer: bytes)
        guard (200..<300).contains(status) else {
            if let body = try? JSONDecoder().decode(LedgerAPI.ErrorBody.self, from: data) { throw .refused(status: status, body: body) }
            throw .unexpected(status: status, detail: String(decoding: data.prefix(200), as: UTF8.self))
        }
        do { return try JSONDecoder().decode(T.self, from: data) } catch {
            throw .unexpected(status: status, detail: "cannot decode \(T.self): \(error)")
        }
    }
}
