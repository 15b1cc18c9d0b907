import Foundation
import Hummingbird
import LilypadAgents
import LilypadCore
import LilypadCrypto
import LilypadSolver
import LilypadSolverService
import Logging

/// Anura: Lilypad's OpenAI-compatible inference API. Every inference is a job on the network — a
/// model module run by a resource provider — paid from the ledger account that owns the API key.
///
/// ```
/// GET  /api/v1/models                     the models some provider offers now (OpenAI list)
/// POST /api/v1/chat/completions           OpenAI chat completion; SSE with `stream: true`
/// POST /api/v1/embeddings                 OpenAI embeddings
/// GET  /api/v1/audio/models               text-to-speech models offered now
/// POST /api/v1/audio/create-job           {model, input, voice} → {data: {job_offer_id}}
/// GET  /api/v1/audio/results/:id          202 + {status: 102, …} while running, then the WAV
/// GET  /api/v1/image/models, /api/v1/video/models   offered image / video models
/// POST /api/v1/image/generate             {model, prompt} → the image's bytes (header Job-Offer-Id)
/// POST /api/v1/video/create-job           {model, prompt, negative_prompt} → {data: {job_offer_id}}
/// GET  /api/v1/video/results/:id          202 + {status: 102, …} while running, then the video
/// GET  /api/v1/jobs/:id                   a job's state (jobs started with this key)
/// POST /api/v1/cowsay, GET /api/v1/cowsay/:id/results    the cowsay module as a job
/// POST /api/v1/websearch                  through the configured search backend
/// ```
///
/// Every route needs `Authorization: Bearer <key>` (401 otherwise) and is rate-limited per key
/// (429); errors have OpenAI's shape (``AnuraError``).
public struct AnuraGateway: Sendable {
    /// How the gateway is set up.
    public struct Configuration: Sendable {
        public var host = "127.0.0.1"
        public var port = 8080
        public var network: NetworkEndpoints
        public var home: LilypadHome
        /// Where job results are downloaded (`<dealID>/…`).
        public var downloads: URL
        /// The job-creator keys of the accounts that own API keys: a key's jobs are paid by its owner.
        public var accounts: [PrivateKey]
        public var catalog = ModelCatalog.builtin
        /// A SearXNG-compatible search API for `/api/v1/websearch` (none: 501).
        public var searchURL: String?
        /// The cowsay module for `/api/v1/cowsay`.
        public var cowsayModule = "cowsay:v0.0.4"

        public init(network: NetworkEndpoints, home: LilypadHome, downloads: URL, accounts: [PrivateKey]) {
            self.network = network
            self.home = home
            self.downloads = downloads
            self.accounts = accounts
        }
    }

    public let configuration: Configuration
    public let keys: APIKeyStore
    public let limiter = KeyRateLimiter()
    public let book = AnuraJobBook()
    public var logger: Logger

    public init(configuration: Configuration, keys: APIKeyStore, logger: Logger) {
        self.configuration = configuration
        self.keys = keys
        self.logger = logger
    }

    /// The HTTP application.
    public func application() -> some ApplicationProtocol {
        let router = Router(context: BasicRequestContext.self)
        router.get("/api/v1/health") { _, _ in "ok" }
        addRoutes(to: router)
        return Application(
            router: router, configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "lilypad-anura"),
            logger: logger)
    }

    // MARK: Shared steps

    /// The key the request presents, admitted by its rate limit; counts the request.
    func authorize(_ request: Request) throws(AnuraError) -> APIKeyStore.Record {
        guard let header = request.headers[.authorization] else {
            throw .unauthorized("Missing API key: send `Authorization: Bearer YOUR_API_KEY` (create one with `lilypad anura key create`).")
        }
        let secret = header.hasPrefix("Bearer ") ? String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces) : header
        let record: APIKeyStore.Record?
        do { record = try keys.authenticate(secret) } catch { throw .server(error.description) }
        guard let record else { throw .unauthorized("Incorrect API key provided: it is unknown or revoked.") }
        guard limiter.admit(key: record.id, rate: record.rateLimit) else { throw .rateLimited(limit: record.rateLimit) }
        try? keys.recordUsage(id: record.id, requests: 1)
        return record
    }

    /// The job-creator key of the account that owns `record`.
    func account(for record: APIKeyStore.Record) throws(AnuraError) -> PrivateKey {
        guard let key = configuration.accounts.first(where: { $0.address.checksummed.lowercased() == record.owner.lowercased() }) else {
            throw .server("this gateway holds no job-creator key for the key's owner \(record.owner); start it with that account's key")
        }
        return key
    }

    /// The models some active resource offer accepts.
    func offeredModels() async throws(AnuraError) -> [ModelCatalog.Entry] {
        guard let key = configuration.accounts.first else { throw .server("the gateway has no job-creator account") }
        do {
            let offers = try await SolverClient(baseURL: configuration.network.solverURL, key: key).offeredModules()
            return configuration.catalog.offered(by: offers)
        } catch {
            throw .server("cannot ask the solver which models are offered: \(error)")
        }
    }

    /// The offered model `name` of `kind`, or a 404.
    func model(_ name: String?, kind: ModelCatalog.Kind) async throws(AnuraError) -> ModelCatalog.Entry {
        guard let name, !name.isEmpty else { throw .invalidRequest("`model` is required", param: "model") }
        guard let entry = try await offeredModels().first(where: { $0.id == name && $0.kind == kind }) else {
            throw .modelNotFound(name, kind: kind.rawValue)
        }
        return entry
    }

    /// Runs `module` with the request body as its input, paid by the key's owner.
    func runJob(
        module: String, inputs: [String: String], key record: APIKeyStore.Record,
        progress: @escaping @Sendable (JobCreator.Progress) -> Void = { _ in }
    ) async throws(AnuraError) -> JobCreator.Outcome {
        var creator = JobCreator(
            key: try account(for: record), network: configuration.network, home: configuration.home, downloads: configuration.downloads,
            logger: logger)
        // A model's module tag is looked up again after a minute, not for every request.
        creator.moduleReuse = .seconds(60)
        // Escrow for 16 requests at a time: not a ledger deposit before every request.
        creator.escrowJobs = 16
        let outcome: JobCreator.Outcome
        do { outcome = try await creator.run(JobCreator.Job(module: module, inputs: inputs), progress: progress) } catch {
            try? keys.recordUsage(id: record.id, jobs: 1)
            throw .server("the job failed: \(error.description)")
        }
        try? keys.recordUsage(id: record.id, jobs: 1)
        guard outcome.exitCode == 0, outcome.error.isEmpty else {
            let stderr = (try? String(contentsOf: outcome.folder.appendingPathComponent("stderr"), encoding: .utf8)) ?? ""
            let reason = outcome.error.isEmpty ? stderr.split(separator: "\n").suffix(3).joined(separator: " | ") : outcome.error
            throw .server("the model job failed on the provider (deal \(outcome.dealID), exit code \(outcome.exitCode)): \(reason)")
        }
        return outcome
    }

    /// The request body as a JSON object.
    static func jsonObject(_ request: Request) async throws(AnuraError) -> (bytes: [UInt8], object: [String: Any]) {
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: 16 << 20) } catch {
            throw AnuraError(status: .contentTooLarge, message: "the body is larger than 16 MiB", type: "invalid_request_error")
        }
        let bytes = Array(buffer: buffer)
        guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] else {
            throw .invalidRequest("the body must be a JSON object")
        }
        return (bytes, object)
    }

    /// A JSON response.
    static func json(_ object: Any, status: HTTPResponse.Status = .ok) throws(AnuraError) -> Response {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes]) else {
            throw .server("cannot encode the response")
        }
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The JSON object a job wrote to `outputs/<name>`.
    static func output(_ outcome: JobCreator.Outcome, _ name: String) throws(AnuraError) -> [String: Any] {
        let file = outcome.folder.appendingPathComponent("outputs").appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: file.path),
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        else {
            throw .server("the model job (deal \(outcome.dealID)) wrote no valid outputs/\(name)")
        }
        return object
    }

    static func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
}
