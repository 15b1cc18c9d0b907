import Foundation
import Hummingbird
import LilypadCore
import LilypadCrypto
import LilypadSolver
import ServiceLifecycle

extension SolverServer {
    /// A running job's live output, relayed from its provider to its job creator:
    ///
    /// ```
    /// POST /api/v1/deals/{id}/stream[?done=true]   the next bytes of stdout (the deal's provider; each post signed)
    /// GET  /api/v1/deals/{id}/stream?from=N        the bytes from offset N on, streamed until the job ends (the job creator)
    /// POST /api/v1/deals/{id}/stop                 the job creator asks the running job to stop early (its client went away)
    /// ```
    ///
    /// A stop is answered to the provider's next post with 410 Gone; the provider ends the job and
    /// submits what it produced so far as the deal's results, which settle as any others (the job
    /// creator pays for the work it ordered, so stopping is no way to get work for free).
    ///
    /// The provider posts what accumulated while its previous post was in flight, so a slow solver
    /// or reader slows the posts, never the job; each deal keeps at most ``DealStreams/limit``
    /// bytes (413 beyond). A reader that disconnects just stops being written to.
    static func addStreamRoutes(to router: Router<SolverRequestContext>, solver: Solver, streams: DealStreams, auth: Authenticator) {
        router.post("/api/v1/deals/:id/stream") { request, context -> Response in
            let (_, id, _, body) = try await dealRequest(
                request, context, auth: auth, solver: solver, maximumBody: 1 << 20, party: \.resourceProvider,
                refusal: "only the deal's resource provider streams its output")
            let done = request.uri.queryParameters["done"] == "true"
            do { try await streams.append(body, dealID: id, done: done) } catch let error as DealStreams.Refusal {
                switch error {
                case .full(let limit): throw SolverHTTPError(status: .contentTooLarge, message: "live output is limited to \(limit) bytes per deal")
                case .finished: throw SolverHTTPError(status: .conflict, message: "the deal's live output is already finished")
                case .stopped: throw SolverHTTPError(status: .gone, message: "the job creator asked the job to stop")
                }
            }
            return Response(status: .noContent)
        }
        router.post("/api/v1/deals/:id/stop") { request, context -> Response in
            let (signer, id, deal, _) = try await dealRequest(
                request, context, auth: auth, solver: solver, party: \.jobCreator, refusal: "only the deal's job creator stops its job")
            guard deal.state.jobMayBeRunning else {
                throw SolverHTTPError(status: .conflict, message: "the deal's job is no longer running (the deal is \(deal.state.name))")
            }
            // Asking again is harmless: the provider is told once, by an event (durable, and heard
            // even while the job prints nothing), and the job's next output is refused (410).
            if await !streams.isStopped(dealID: id) {
                try await run { try await solver.requestStop(dealID: id, requester: signer) }
                await streams.stop(dealID: id)
            }
            return Response(status: .noContent)
        }
        router.get("/api/v1/deals/:id/stream") { request, context -> Response in
            let (signer, id, _, _) = try await dealRequest(
                request, context, auth: auth, solver: solver, party: \.jobCreator, refusal: "only the deal's job creator reads its live output")
            let start = request.uri.queryParameters["from"].flatMap { Int(String($0)) } ?? 0
            let body = ResponseBody { writer in
                var offset = start
                let deadline = ContinuousClock.now + .seconds(3600)
                while ContinuousClock.now < deadline {
                    let (bytes, done) = await streams.read(dealID: id, from: offset)
                    if !bytes.isEmpty {
                        offset += bytes.count
                        try await writer.write(ByteBuffer(bytes: bytes))
                    }
                    // The server shutting down: the client reconnects with `from` where it stopped.
                    if done || Task.isShuttingDownGracefully { break }
                    // Nothing new: the deal may have ended without a stream (an old provider, a failure).
                    if bytes.isEmpty, let current = try? await solver.deal(id: id, requester: signer),
                        current.state.isTerminal
                            || current.state == .resultsSubmitted
                    {
                        break
                    }
                }
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: [.contentType: "application/octet-stream", .cacheControl: "no-cache"], body: body)
        }
    }

    /// The signer of a request, the deal named in its path, its body, and a 403 with `refusal` unless
    /// the signer is the deal's `party`.
    static func dealRequest(
        _ request: Request, _ context: SolverRequestContext, auth: Authenticator, solver: Solver, maximumBody: Int = 10 << 20,
        party: KeyPath<DealContainer, String>, refusal: String
    ) async throws -> (signer: EthereumAddress, id: String, deal: DealContainer, body: [UInt8]) {
        let (signer, body) = try await auth.authenticate(request, maximumBody: maximumBody)
        let id = try context.parameters.require("id")
        let deal = try await run { try await solver.deal(id: id, requester: signer) }
        guard deal[keyPath: party].lowercased() == signer.lowercased else { throw SolverHTTPError(status: .forbidden, message: refusal) }
        return (signer, id, deal, body)
    }
}
