import Foundation
import Hummingbird
import LilypadCore
import LilypadCrypto
import LilypadSolver
import Logging

/// The solver's HTTP API: Lilypad v2's paths and JSON, authenticated by replay-proof request
/// signatures (`docs/protocol.md`), with every refusal a 4xx (or 503) carrying its reason.
///
/// ```
/// GET  /api/v1/health
/// GET  /metrics                    Prometheus text metrics (``SolverMetrics``)
/// POST /api/v1/job_offers          JobOffer → JobOfferContainer (signed by the job creator)
/// POST /api/v1/resource_offers     ResourceOffer → ResourceOfferContainer (signed by the provider)
/// GET  /api/v1/job_offers          the signer's job offers, with Lilypad's filters (``addListingRoutes(to:solver:verifier:legacy:)``)
/// GET  /api/v1/resource_offers     the signer's resource offers, with Lilypad's filters
/// GET  /api/v1/job_offers/{id}     the signer's own job offer
/// GET  /api/v1/deals               the signer's deals, with Lilypad's filters
/// GET  /api/v1/deals/{id}          a deal, for its parties and mediators
/// POST /api/v1/deals/{id}/result   Result (the deal's provider, once, while it runs)
/// GET  /api/v1/deals/{id}/result   the deal's result, for its parties and mediators
/// POST /api/v1/deals/{id}/txs/{job_creator|resource_provider|mediator}
///                                  a party's transactions; the job creator's accept_result completes the deal
/// ```
///
/// Everything under `/api/v1` is rate-limited per client and path (``RateLimit``; loopback is exempt
/// by default), and every answer is counted in ``SolverMetrics``.
public enum SolverServer {
    /// Builds the application serving `solver`.
    ///
    /// - Parameters:
    ///   - verifier: checks request signatures and refuses replays.
    ///   - acceptLegacyHeaders: also accept Lilypad v2's static `X-Lilypad-User`/`X-Lilypad-Signature`
    ///     headers (replayable: for old clients only, off by default).
    ///   - rateLimit: requests per client and path (Lilypad's 5 per 10 s; loopback exempt).
    ///   - metrics: where answers and matches are counted, served at `GET /metrics`.
    public static func application(
        solver: Solver, verifier: RequestVerifier, acceptLegacyHeaders: Bool = false, rateLimit: RateLimit = .lilypad,
        metrics: SolverMetrics = SolverMetrics(), host: String, port: Int, logger: Logger
    ) -> some ApplicationProtocol {
        let router = Router(context: SolverRequestContext.self)
        router.add(middleware: HTTPMetricsMiddleware(metrics: metrics))
        router.add(middleware: RateLimitMiddleware(limit: rateLimit))
        router.get("/api/v1/health") { _, _ in "ok" }
        addMetricsRoutes(to: router, solver: solver, metrics: metrics)
        addListingRoutes(to: router, solver: solver, verifier: verifier, legacy: acceptLegacyHeaders)
        router.post("/api/v1/job_offers") { request, context -> Response in
            let (signer, body) = try await authenticate(request, verifier: verifier, legacy: acceptLegacyHeaders)
            let offer: JobOffer = try decode(body, as: "a job offer")
            let start = ContinuousClock.now
            let container = try await run { try await solver.post(jobOffer: offer, signer: signer, now: now()) }
            if container.state == .dealAgreed { metrics.recordMatch(seconds: seconds(since: start)) }
            return try json(container)
        }
        router.post("/api/v1/resource_offers") { request, _ -> Response in
            let (signer, body) = try await authenticate(request, verifier: verifier, legacy: acceptLegacyHeaders)
            let offer: ResourceOffer = try decode(body, as: "a resource offer")
            let start = ContinuousClock.now
            let container = try await run { try await solver.post(resourceOffer: offer, signer: signer, now: now()) }
            if container.state == .dealAgreed { metrics.recordMatch(seconds: seconds(since: start)) }
            return try json(container)
        }
        router.get("/api/v1/job_offers/:id") { request, context -> Response in
            let (signer, _) = try await authenticate(request, verifier: verifier, legacy: acceptLegacyHeaders)
            let id = try context.parameters.require("id")
            return try json(try await run { try await solver.jobOffer(id: id, requester: signer) })
        }
        router.get("/api/v1/deals/:id") { request, context -> Response in
            let (signer, _) = try await authenticate(request, verifier: verifier, legacy: acceptLegacyHeaders)
            let id = try context.parameters.require("id")
            return try json(try await run { try await solver.deal(id: id, requester: signer) })
        }
        router.post("/api/v1/deals/:id/result") { request, context -> Response in
            let (signer, body) = try await authenticate(request, verifier: verifier, legacy: acceptLegacyHeaders)
            let id = try context.parameters.require("id")
            let result: JobResult = try decode(body, as: "a result")
            return try json(try await run { try await solver.post(result: result, dealID: id, signer: signer, now: now()) })
        }
        router.get("/api/v1/deals/:id/result") { request, context -> Response in
            let (signer, _) = try await authenticate(request, verifier: verifier, legacy: acceptLegacyHeaders)
            let id = try context.parameters.require("id")
            return try json(try await run { try await solver.result(dealID: id, requester: signer) })
        }
        router.post("/api/v1/deals/:id/txs/:party") { request, context -> Response in
            let (signer, body) = try await authenticate(request, verifier: verifier, legacy: acceptLegacyHeaders)
            let id = try context.parameters.require("id")
            var update = DealTransactions()
            switch try context.parameters.require("party") {
            case "job_creator": update.jobCreator = try decode(body, as: "job creator transactions")
            case "resource_provider": update.resourceProvider = try decode(body, as: "resource provider transactions")
            case "mediator": update.mediator = try decode(body, as: "mediator transactions")
            case let other: throw SolverHTTPError(status: .notFound, message: "no party \"\(other)\": use job_creator, resource_provider or mediator")
            }
            return try json(try await run { try await solver.post(transactions: update, dealID: id, signer: signer, now: now()) })
        }
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "lilypad-solver"), logger: logger)
    }

    /// Seconds from `start` to now.
    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// Milliseconds since the Unix epoch.
    static func now() -> Int { Int(Date().timeIntervalSince1970 * 1000) }

    /// Verifies the request's signature over its method, target, host and body; returns the signer and the body.
    static func authenticate(_ request: Request, verifier: RequestVerifier, legacy: Bool) async throws -> (EthereumAddress, [UInt8]) {
        let buffer = try await request.body.collect(upTo: 10 << 20)
        let body = Array(buffer: buffer)
        let fields = request.headers
        let header: (String) -> String? = { name in
            let lowered = name.lowercased()
            return fields.first { $0.name.canonicalName == lowered }?.value
        }
        if legacy, header(SignedRequest.Header.signature) == nil,
            let user = header(LegacyAuthHeaders.userHeader), let signature = header(LegacyAuthHeaders.signatureHeader)
        {
            do { return (try LegacyAuthHeaders(user: user, signature: signature).verify(), body) } catch {
                throw SolverHTTPError(status: .unauthorized, message: error.description)
            }
        }
        let target = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
        do {
            let signer = try verifier.verify(
                method: request.method.rawValue, target: target, audience: request.head.authority ?? header("Host") ?? "", body: body, header: header)
            return (signer, body)
        } catch {
            throw SolverHTTPError(status: .init(code: error.httpStatus), message: error.description)
        }
    }

    static func decode<T: Decodable>(_ body: [UInt8], as what: String) throws -> T {
        do { return try JSONDecoder().decode(T.self, from: Data(body)) } catch {
            throw SolverHTTPError(status: .badRequest, message: "the body is not \(what): \(error)")
        }
    }

    static func run<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as SolverError {
            throw SolverHTTPError(status: .init(code: error.httpStatus), message: error.description)
        }
    }

    /// Lilypad's JSON (Go encoding) for the data model.
    static func json<T: Encodable>(_ value: T) throws -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try GoJSONEncoder().encode(value))))
    }
}

/// A refusal, answered as `{"error": message}` with its status.
struct SolverHTTPError: HTTPResponseError {
    var status: HTTPResponse.Status
    var message: String

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if status == .serviceUnavailable { headers[.retryAfter] = "5" }
        let body = try GoJSONEncoder().encode(["error": message])
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
