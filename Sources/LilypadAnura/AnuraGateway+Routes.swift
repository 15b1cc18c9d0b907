import Foundation
import Hummingbird
import LilypadAgents
import LilypadCore

extension AnuraGateway {
    func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("/api/v1/models") { request, _ -> Response in
            _ = try authorize(request)
            let models = try await offeredModels().map { entry -> [String: Any] in
                ["id": entry.id, "object": "model", "created": 0, "owned_by": entry.ownedBy]
            }
            return try Self.json(["object": "list", "data": models])
        }
        router.post("/api/v1/chat/completions") { request, _ -> Response in
            let key = try authorize(request)
            return try await chatCompletion(request, key: key)
        }
        router.post("/api/v1/embeddings") { request, _ -> Response in
            let key = try authorize(request)
            let (bytes, body) = try await Self.jsonObject(request)
            let entry = try await model(body["model"] as? String, kind: .embeddings)
            let input = body["input"]
            let valid = (input as? String).map { !$0.isEmpty } ?? (input as? [Any]).map { !$0.isEmpty && $0.allSatisfy { $0 is String } } ?? false
            guard valid else { throw AnuraError.invalidRequest("`input` must be a non-empty string or array of strings", param: "input") }
            let outcome = try await runJob(module: entry.module, inputs: ["Request": Self.base64(bytes)], key: key)
            var response = try Self.output(outcome, "response.json")
            response["model"] = entry.id
            if let usage = response["usage"] as? [String: Any], let tokens = usage["prompt_tokens"] as? Int {
                try? keys.recordUsage(id: key.id, promptTokens: tokens)
            }
            return try Self.json(response)
        }
        addAsyncJobRoutes(to: router)
        addWebSearchRoute(to: router)
        for kind in [ModelCatalog.Kind.image, .video] {
            router.get("/api/v1/\(kind.rawValue)/models") { request, _ -> Response in
                _ = try authorize(request)
                let ids = try await offeredModels().filter { $0.kind == kind }.map(\.id)
                return try Self.json(["status": 200, "message": "Retrieved models successfully", "data": ["models": ids]])
            }
        }
        addMediaRoutes(to: router)
        router.get("/api/v1/jobs/:id") { request, context -> Response in
            let key = try authorize(request)
            let id = try context.parameters.require("id")
            guard let entry = book.entry(id, keyID: key.id) else { throw AnuraError.notFound("no job \(id) was started with this key") }
            var body: [String: Any] = [
                "id": id, "model": entry.model, "module": entry.module, "job_state": entry.state, "deal_id": entry.dealID,
                "status": entry.failure != nil ? "failed" : entry.folder != nil ? "completed" : "running",
            ]
            if let failure = entry.failure { body["error"] = failure }
            return try Self.json(body)
        }
    }

    /// The poll-for-results endpoints: audio and cowsay.
    func addAsyncJobRoutes(to router: Router<BasicRequestContext>) {
        router.get("/api/v1/audio/models") { request, _ -> Response in
            _ = try authorize(request)
            let ids = try await offeredModels().filter { $0.kind == .audio }.map(\.id)
            return try Self.json(["status": 200, "message": "Retrieved models successfully", "data": ["models": ids]])
        }
        router.post("/api/v1/audio/create-job") { request, _ -> Response in
            let key = try authorize(request)
            let (bytes, body) = try await Self.jsonObject(request)
            let entry = try await model(body["model"] as? String, kind: .audio)
            guard let input = body["input"] as? String, !input.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw AnuraError.invalidRequest("`input` must be a non-empty string", param: "input")
            }
            guard input.count <= 420 else { throw AnuraError.invalidRequest("`input` is limited to 420 characters", param: "input") }
            let id = try await startJob(module: entry.module, model: entry.id, inputs: ["Request": Self.base64(bytes)], key: key)
            return try Self.json(["status": 200, "message": "Audio job created successfully", "data": ["job_offer_id": id]])
        }
        addMediaResultRoute(to: router, kind: "audio", files: [("speech.wav", "audio/wav")])
        router.post("/api/v1/cowsay") { request, _ -> Response in
            let key = try authorize(request)
            let (_, body) = try await Self.jsonObject(request)
            guard let message = body["message"] as? String, !message.isEmpty else {
                throw AnuraError.invalidRequest("`message` must be a non-empty string", param: "message")
            }
            let id = try await startJob(module: configuration.cowsayModule, model: "cowsay", inputs: ["Message": message], key: key)
            return try Self.json(["status": 200, "message": "Cowsay job created successfully", "data": ["job_offer_id": id]])
        }
        router.get("/api/v1/cowsay/:id/results") { request, context -> Response in
            let key = try authorize(request)
            let id = try context.parameters.require("id")
            let (entry, folder) = try finishedJob(id, key: key)
            guard let folder else { return try Self.stillProcessing(entry, id: id) }
            let stdout = (try? String(contentsOf: folder.appendingPathComponent("stdout"), encoding: .utf8)) ?? ""
            return try Self.json(["status": 200, "message": "Job completed", "data": ["job_offer_id": id, "output": stdout]])
        }
    }

    /// `{status: 102, …}` (HTTP 202: a final 1xx status is not valid HTTP) for a job still running.
    static func stillProcessing(_ entry: AnuraJobBook.Entry, id: String) throws(AnuraError) -> Response {
        try json(
            ["status": 102, "message": "Request is still processing", "data": ["job_offer_id": id, "job_state": entry.state]], status: .accepted)
    }

    /// The job and, when it is done, its results folder; a failed job is a 500 with its error.
    func finishedJob(_ id: String, key: APIKeyStore.Record) throws(AnuraError) -> (AnuraJobBook.Entry, URL?) {
        guard let entry = book.entry(id, keyID: key.id) else { throw .notFound("no job \(id) was started with this key") }
        if let failure = entry.failure { throw .server(failure) }
        return (entry, entry.folder)
    }

    /// Starts a job in the background; returns its job offer id once the offer is posted.
    func startJob(module: String, model: String, inputs: [String: String], key: APIKeyStore.Record) async throws(AnuraError) -> String {
        let (posted, continuation) = AsyncStream<Result<String, AnuraError>>.makeStream()
        let offerID = OnceBox<String>()
        let book = self.book
        let gateway = self
        Task {
            do throws(AnuraError) {
                let outcome = try await gateway.runJob(module: module, inputs: inputs, key: key) { progress in
                    switch progress {
                    case .offerPosted(let id):
                        offerID.set(id)
                        book.insert(id, AnuraJobBook.Entry(keyID: key.id, model: model, module: module))
                        continuation.yield(.success(id))
                    case .state(let state, let dealID):
                        guard let id = offerID.value else { return }
                        book.update(id) { entry in
                            entry.state = state.name
                            if !dealID.isEmpty { entry.dealID = dealID }
                        }
                    default: break
                    }
                }
                if let id = offerID.value { book.update(id) { $0.folder = outcome.folder } }
            } catch {
                if let id = offerID.value { book.update(id) { $0.failure = error.message } } else { continuation.yield(.failure(error)) }
            }
            continuation.finish()
        }
        for await result in posted { return try result.get() }
        throw .server("the job ended before its offer was posted")
    }
}
