import Crypto
import Foundation
import Hummingbird
import HummingbirdWebSocket
import LilypadCore
import LilypadCrypto
import LilypadSolver
import Logging

/// The solver's HTTP API: Lilypad v2's paths and JSON, authenticated by replay-proof request
/// signatures (`docs/protocol.md`), with every refusal a 4xx (or 503) carrying its reason.
///
/// ```
/// GET    /api/v1/health
/// GET    /metrics                      Prometheus text metrics (``SolverMetrics``)
/// GET    /api/v1/job_offers            the signer's job offers, with Lilypad's filters
/// GET    /api/v1/resource_offers       the signer's resource offers, with Lilypad's filters
/// POST   /api/v1/job_offers            JobOffer → JobOfferContainer (signed by the job creator)
/// POST   /api/v1/job_offers/with_files multipart: job_offer.json + inputs.tar → JobOfferContainer
/// GET    /api/v1/job_offers/{id}       the signer's own job offer
/// DELETE /api/v1/job_offers/{id}       withdraw the signer's job offer while it waits for a match
/// POST   /api/v1/resource_offers       ResourceOffer → ResourceOfferContainer (signed by the provider)
/// DELETE /api/v1/resource_offers/{id}  withdraw the signer's unmatched resource offer
/// GET    /api/v1/offered_modules       every active resource offer's provider and module allowlist (unsigned)
/// GET    /api/v1/deals                 the signer's deals, with Lilypad's filters
/// GET    /api/v1/deals/{id}            a deal, for its parties and mediators
/// GET    /api/v1/deals/{id}/input_files the job's inputs tar, for the deal's parties and mediators
/// POST   /api/v1/deals/{id}/files      the results folder as a tar (the deal's provider)
/// GET    /api/v1/deals/{id}/files      the results tar, for the deal's parties and mediators
/// POST   /api/v1/deals/{id}/stream     live stdout while the job runs (the deal's provider; see addStreamRoutes)
/// GET    /api/v1/deals/{id}/stream     that live output, streamed to the deal's job creator
/// POST   /api/v1/deals/{id}/result     Result (the deal's provider, once, while it runs)
/// GET    /api/v1/deals/{id}/result     the deal's result, for its parties and mediators
/// POST   /api/v1/deals/{id}/txs/{job_creator|resource_provider|mediator}
///                                      a party's transactions: agree (consent), accept_result, check_result, rulings
/// GET    /api/v1/events?after=N&wait=S the signer's events after N (waits up to S seconds for one)
/// WS     /api/v1/ws?after=N            the signer's events after N, then each new one as it happens
/// ```
///
/// Everything under `/api/v1` is rate-limited per client and path (``RateLimit``; loopback is exempt
/// by default), and every answer is counted in ``SolverMetrics``.
public enum SolverServer {
    /// How the service is set up.
    public struct Options: Sendable {
        /// Checks request signatures and refuses replays.
        public var verifier: RequestVerifier
        /// Also accept Lilypad v2's static `X-Lilypad-User`/`X-Lilypad-Signature` headers
        /// (replayable: for old clients only, off by default).
        public var acceptLegacyHeaders = false
        public var host = "127.0.0.1"
        public var port = 8081
        /// Requests per client and path (Lilypad's 5 per 10 s; loopback exempt).
        public var rateLimit: RateLimit = .lilypad
        /// Where answers and matches are counted, served at `GET /metrics`.
        public var metrics = SolverMetrics()

        public init(verifier: RequestVerifier) { self.verifier = verifier }
    }

    /// Builds the application serving `solver`, its results archives in `files`.
    public static func application(solver: Solver, files: SolverFiles, options: Options, logger: Logger) -> some ApplicationProtocol {
        let router = Router(context: SolverRequestContext.self)
        let auth = Authenticator(verifier: options.verifier, legacy: options.acceptLegacyHeaders)
        let metrics = options.metrics
        router.add(middleware: HTTPMetricsMiddleware(metrics: metrics))
        router.add(middleware: RateLimitMiddleware(limit: options.rateLimit))
        router.get("/api/v1/health") { _, _ in "ok" }
        addMetricsRoutes(to: router, solver: solver, metrics: metrics)
        addListingRoutes(to: router, solver: solver, auth: auth)
        addOfferedModulesRoute(to: router, solver: solver)
        router.post("/api/v1/job_offers") { request, _ -> Response in
            let (signer, body) = try await auth.authenticate(request)
            let offer: JobOffer = try decode(body, as: "a job offer")
            let start = ContinuousClock.now
            let container = try await run { try await solver.post(jobOffer: offer, signer: signer, now: Solver.clock()) }
            if container.state == .dealAgreed { metrics.recordMatch(seconds: seconds(since: start)) }
            return try json(container)
        }
        router.get("/api/v1/job_offers/:id") { request, context -> Response in
            let (signer, _) = try await auth.authenticate(request)
            let id = try context.parameters.require("id")
            return try json(try await run { try await solver.jobOffer(id: id, requester: signer) })
        }
        router.delete("/api/v1/job_offers/:id") { request, context -> Response in
            let (signer, _) = try await auth.authenticate(request)
            let id = try context.parameters.require("id")
            return try json(try await run { try await solver.withdraw(jobOffer: id, signer: signer) })
        }
        router.post("/api/v1/resource_offers") { request, _ -> Response in
            let (signer, body) = try await auth.authenticate(request)
            let offer: ResourceOffer = try decode(body, as: "a resource offer")
            let start = ContinuousClock.now
            let container = try await run { try await solver.post(resourceOffer: offer, signer: signer, now: Solver.clock()) }
            if container.state == .dealAgreed { metrics.recordMatch(seconds: seconds(since: start)) }
            return try json(container)
        }
        router.delete("/api/v1/resource_offers/:id") { request, context -> Response in
            let (signer, _) = try await auth.authenticate(request)
            let id = try context.parameters.require("id")
            return try json(try await run { try await solver.withdraw(resourceOffer: id, signer: signer) })
        }
        router.get("/api/v1/deals/:id") { request, context -> Response in
            let (signer, _) = try await auth.authenticate(request)
            let id = try context.parameters.require("id")
            return try json(try await run { try await solver.deal(id: id, requester: signer) })
        }
        router.post("/api/v1/deals/:id/result") { request, context -> Response in
            let (signer, body) = try await auth.authenticate(request)
            let id = try context.parameters.require("id")
            let result: JobResult = try decode(body, as: "a result")
            return try json(try await run { try await solver.post(result: result, dealID: id, signer: signer, now: Solver.clock()) })
        }
        router.get("/api/v1/deals/:id/result") { request, context -> Response in
            let (signer, _) = try await auth.authenticate(request)
            let id = try context.parameters.require("id")
            return try json(try await run { try await solver.result(dealID: id, requester: signer) })
        }
        router.post("/api/v1/deals/:id/txs/:party") { request, context -> Response in
            let (signer, body) = try await auth.authenticate(request)
            let id = try context.parameters.require("id")
            var update = DealTransactions()
            switch try context.parameters.require("party") {
            case "job_creator": update.jobCreator = try decode(body, as: "job creator transactions")
            case "resource_provider": update.resourceProvider = try decode(body, as: "resource provider transactions")
            case "mediator": update.mediator = try decode(body, as: "mediator transactions")
            case let other: throw SolverHTTPError(status: .notFound, message: "no party \"\(other)\": use job_creator, resource_provider or mediator")
            }
            return try json(try await run { try await solver.post(transactions: update, dealID: id, signer: signer, now: Solver.clock()) })
        }
        addFileRoutes(to: router, solver: solver, files: files, auth: auth, metrics: metrics)
        addStreamRoutes(to: router, solver: solver, streams: DealStreams(), auth: auth)
        addEventRoutes(to: router, solver: solver, auth: auth)
        return Application(
            router: router, server: .http1WebSocketUpgrade(webSocketRouter: router),
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "lilypad-solver"), logger: logger)
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
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

/// Checks our signed requests (and, when allowed, Lilypad's legacy headers).
struct Authenticator: Sendable {
    var verifier: RequestVerifier
    var legacy: Bool

    /// Reads a header case-insensitively.
    static func header(_ request: Request) -> (String) -> String? {
        let fields = request.headers
        return { name in
            let lowered = name.lowercased()
            return fields.first { $0.name.canonicalName == lowered }?.value
        }
    }

    /// SHA-256 of an empty body.
    static let emptyBodyDigest = Array(SHA256.hash(data: [UInt8]()))

    static func target(_ request: Request) -> String { request.uri.path + (request.uri.query.map { "?" + $0 } ?? "") }

    /// Verifies the request's signature over its method, target, host and body; returns the signer and the body.
    func authenticate(_ request: Request, maximumBody: Int = 10 << 20) async throws -> (EthereumAddress, [UInt8]) {
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: maximumBody) } catch {
            throw SolverHTTPError(status: .contentTooLarge, message: "the body is larger than \(maximumBody) bytes")
        }
        let body = Array(buffer: buffer)
        let header = Self.header(request)
        if legacy, header(SignedRequest.Header.signature) == nil,
            let user = header(LegacyAuthHeaders.userHeader), let signature = header(LegacyAuthHeaders.signatureHeader)
        {
            do { return (try LegacyAuthHeaders(user: user, signature: signature).verify(), body) } catch {
                throw SolverHTTPError(status: .unauthorized, message: error.description)
            }
        }
        return (try verify(request, bodyDigest: Array(SHA256.hash(data: body))), body)
    }

    /// Verifies a request whose body (with SHA-256 `bodyDigest`) was consumed elsewhere.
    func verify(_ request: Request, bodyDigest: [UInt8]) throws -> EthereumAddress {
        let header = Self.header(request)
        do {
            return try verifier.verify(
                method: request.method.rawValue, target: Self.target(request), audience: request.head.authority ?? header("Host") ?? "",
                bodyDigest: bodyDigest, header: header)
        } catch {
            throw SolverHTTPError(status: .init(code: error.httpStatus), message: error.description)
        }
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
