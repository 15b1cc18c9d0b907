import Foundation
import Hummingbird
import HummingbirdWebSocket
import LilypadCore
import LilypadCrypto
import LilypadSolver
import ServiceLifecycle

extension SolverServer {
    /// Event streams, each scoped to the authenticated party: a WebSocket that replays what the
    /// client missed after `after` and then pushes each new event, and a long-poll equivalent.
    static func addEventRoutes(to router: Router<SolverRequestContext>, solver: Solver, auth: Authenticator) {
        router.get("/api/v1/events") { request, _ -> Response in
            let (signer, _) = try await auth.authenticate(request)
            let after = try integer(request, "after", default: 0)
            let wait = min(try integer(request, "wait", default: 0), 60)
            let limit = min(max(try integer(request, "limit", default: 1000), 1), 10_000)
            var events = try await run { try await solver.events(party: signer, after: after, limit: limit) }
            if events.isEmpty, wait > 0 {
                let stream = try await run { try await solver.subscribe(party: signer, after: after) }
                // An event, the end of the wait, or the server's shutdown: whichever comes first.
                events = await withShutdownSignal { shutdown in
                    await withTaskGroup(of: [SolverEvent].self) { group in
                        group.addTask {
                            var iterator = stream.makeAsyncIterator()
                            return await iterator.next().map { [$0] } ?? []
                        }
                        group.addTask {
                            try? await Task.sleep(for: .seconds(wait))
                            return []
                        }
                        group.addTask {
                            for await _ in shutdown { break }
                            return []
                        }
                        let first = await group.next() ?? []
                        group.cancelAll()
                        return first
                    }
                }
            }
            return try json(events)
        }
        router.get("/api/v1/events/head") { request, _ -> Response in
            let (signer, _) = try await auth.authenticate(request)
            return try json(EventHead(seq: try await run { try await solver.lastEvent(party: signer) }))
        }
        router.ws("/api/v1/ws") { request, _ in
            // The signature is verified (and its nonce spent) before upgrading: a refusal is a 401
            // with its reason. onUpgrade only runs for a request that passed, so it can take the
            // signer from the same headers.
            _ = try auth.verify(request, bodyDigest: Authenticator.emptyBodyDigest)
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            guard let text = Authenticator.header(context.request)(SignedRequest.Header.address), let signer = try? EthereumAddress(text) else {
                return
            }
            let after = (try? integer(context.request, "after", default: 0)) ?? 0
            let stream = try await solver.subscribe(party: signer, after: after)
            // Until the client leaves or the server shuts down (the client then resumes elsewhere or later).
            try await withShutdownSignal { shutdown in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { for try await _ in inbound.messages(maxSize: 1 << 12) {} }
                    group.addTask {
                        let encoder = GoJSONEncoder()
                        for await event in stream {
                            try await outbound.write(.text(String(decoding: try encoder.encode(event), as: UTF8.self)))
                        }
                    }
                    group.addTask {
                        for await _ in shutdown { break }
                    }
                    try await group.next()
                    group.cancelAll()
                }
            }
        }
    }

    /// Runs `body` with a sequence that yields once the server's graceful shutdown begins, so that
    /// a request that waits (a long poll, an event stream) ends then instead of holding the
    /// shutdown up for as long as it would wait. Outside a service group it never yields.
    static func withShutdownSignal<Value>(_ body: (AsyncStream<Void>) async throws -> Value) async rethrows -> Value {
        let (signal, continuation) = AsyncStream<Void>.makeStream()
        return try await withGracefulShutdownHandler {
            try await body(signal)
        } onGracefulShutdown: {
            continuation.yield()
            continuation.finish()
        }
    }

    static func integer(_ request: Request, _ name: String, default value: Int) throws -> Int {
        guard let text = request.uri.queryParameters.get(name) else { return value }
        guard let number = Int(text), number >= 0 else {
            throw SolverHTTPError(status: .badRequest, message: "\(name) must be a whole number, not \"\(text)\"")
        }
        return number
    }
}

/// `GET /api/v1/events/head`: the newest event the signer can see.
public struct EventHead: Codable, Sendable, Hashable {
    public var seq: Int
}
