import Foundation
import Hummingbird
import HummingbirdWebSocket
import LilypadCrypto
import LilypadLedger
import Logging

/// The ledger over HTTP and WebSocket.
///
/// ```
/// GET  /api/v1/health                 "ok"
/// GET  /api/v1/chain                  chain ID, height, head and state hashes, supply
/// GET  /api/v1/accounts/{address}     balance, escrow, next nonce
/// POST /api/v1/transactions           a signed LedgerTransaction → its block, or a 4xx with the reason
/// GET  /api/v1/deals/{id}             a deal's record
/// GET  /api/v1/users/{address}        a published service record
/// GET  /api/v1/events?after=H         events of blocks after height H
/// WS   /api/v1/events/ws?after=H      the same, then every new event as it happens
/// ```
/// Transactions authenticate themselves (each is signed by its sender and bound to a nonce and a
/// chain), so no request signature is needed; reads are public, as on a chain.
public enum LedgerServer {
    /// Builds the application serving `ledger` on `host:port`.
    public static func application(ledger: Ledger, host: String, port: Int, logger: Logger) -> some ApplicationProtocol {
        let router = Router(context: BasicWebSocketRequestContext.self)
        router.get("/api/v1/health") { _, _ in "ok" }
        router.get("/api/v1/chain") { _, _ -> Response in
            let state = await ledger.state, head = await ledger.head
            return try json(
                LedgerAPI.ChainInfo(
                    chainID: state.chainID, height: head.height, headHash: head.hash, stateHash: head.stateHash,
                    totalSupply: state.totalSupply, mintingEnabled: state.mintingEnabled))
        }
        router.get("/api/v1/accounts/:address") { _, context -> Response in
            let address = try parseAddress(try context.parameters.require("address"))
            let state = await ledger.state
            return try json(
                LedgerAPI.Account(
                    address: address, balance: state.balance(of: address), escrow: state.escrowBalance(of: address),
                    nextNonce: state.nextNonce(of: address)))
        }
        router.post("/api/v1/transactions") { request, context -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let transaction: LedgerTransaction
            do {
                transaction = try JSONDecoder().decode(LedgerTransaction.self, from: Data(buffer: body))
            } catch {
                throw APIError(status: .badRequest, code: "malformed_transaction", message: "the body is not a ledger transaction: \(error)")
            }
            let outcome = try await ledger.submit([transaction])[0]
            switch outcome {
            case .accepted(let height, let hash, let events):
                return try json(LedgerAPI.Accepted(height: height, transactionHash: hash, events: events))
            case .refused(let error):
                throw APIError(status: .init(code: error.httpStatus), code: error.code, message: error.description)
            }
        }
        router.get("/api/v1/deals/:id") { _, context -> Response in
            let id = try context.parameters.require("id")
            guard let deal = await ledger.state.deals[id] else {
                throw APIError(status: .notFound, code: "unknown_deal", message: "no deal \(id) on the ledger")
            }
            return try json(deal)
        }
        router.get("/api/v1/users/:address") { _, context -> Response in
            let address = try parseAddress(try context.parameters.require("address"))
            guard let user = await ledger.state.users[address] else {
                throw APIError(status: .notFound, code: "unknown_user", message: "\(address) has not published a service record")
            }
            return try json(user)
        }
        router.get("/api/v1/events") { request, _ -> Response in
            let after = try afterParameter(request)
            let events = try await ledger.events(after: after, limit: 10_000)
            return try json(events.map { LedgerAPI.EventRecord(height: $0.height, event: $0.event) })
        }
        router.ws("/api/v1/events/ws") { request, _ in
            (try? afterParameter(request)) == nil ? .dontUpgrade : .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            let after = (try? afterParameter(context.request)) ?? 0
            let stream = try await ledger.subscribe(after: after)
            // Stop when the client goes away: the inbound side ends.
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for try await _ in inbound.messages(maxSize: 1 << 12) {}
                }
                group.addTask {
                    let encoder = JSONEncoder()
                    for await item in stream {
                        let text = String(decoding: try encoder.encode(LedgerAPI.EventRecord(height: item.height, event: item.event)), as: UTF8.self)
                        try await outbound.write(.text(text))
                    }
                }
                try await group.next()
                group.cancelAll()
            }
        }
        return Application(
            router: router, server: .http1WebSocketUpgrade(webSocketRouter: router),
            configuration: .init(address: .hostname(host, port: port), serverName: "lilypad-ledger"), logger: logger)
    }

    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Response(
            status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: try encoder.encode(value))))
    }

    static func parseAddress(_ text: String) throws -> EthereumAddress {
        do { return try EthereumAddress(text) } catch {
            throw APIError(status: .badRequest, code: "malformed_address", message: error.description)
        }
    }

    static func afterParameter(_ request: Request) throws -> UInt64 {
        guard let text = request.uri.queryParameters.get("after") else { return 0 }
        guard let value = UInt64(text) else {
            throw APIError(status: .badRequest, code: "malformed_query", message: "after must be a block height (a whole number), not \"\(text)\"")
        }
        return value
    }
}

/// An error answered as `{"code": …, "message": …}` with its status.
struct APIError: HTTPResponseError {
    var status: HTTPResponse.Status
    var code: String
    var message: String

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try LedgerServer.json(LedgerAPI.ErrorBody(code: code, message: message), status: status)
        response.status = status
        return response
    }
}
