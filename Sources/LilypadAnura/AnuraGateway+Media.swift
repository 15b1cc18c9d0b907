import Foundation
import HTTPTypes
import Hummingbird
import LilypadAgents

extension AnuraGateway {
    /// The files a media model module may leave in `/outputs`, by preference, with their types.
    static let imageFiles = [("image.png", "image/png"), ("image.jpg", "image/jpeg"), ("image.webp", "image/webp")]
    static let videoFiles = [("video.webp", "image/webp"), ("video.mp4", "video/mp4")]

    /// Image generation (answered with the image's bytes) and video generation (a job polled for
    /// its result), as Lilypad's Anura. The model modules take `Request` (the base64 of the JSON
    /// body, as every model module) and write `outputs/image.png` (or `.jpg`, `.webp`) or
    /// `outputs/video.webp` (or `.mp4`); a model appears once a provider offers its module and the
    /// gateway's catalog names it (`lilypad anura --models FILE`).
    func addMediaRoutes(to router: Router<BasicRequestContext>) {
        router.post("/api/v1/image/generate") { request, _ -> Response in
            let key = try authorize(request)
            let (bytes, body) = try await Self.jsonObject(request)
            let entry = try await model(body["model"] as? String, kind: .image)
            try Self.validatePrompt(body)
            let offerID = OnceBox<String>()
            let outcome = try await runJob(module: entry.module, inputs: ["Request": Self.base64(bytes)], key: key) { progress in
                if case .offerPosted(let id) = progress { offerID.set(id) }
            }
            let (data, type) = try Self.media(in: outcome.folder, Self.imageFiles, what: "image", dealID: outcome.dealID)
            var headers: HTTPFields = [.contentType: type]
            if let id = offerID.value, let name = HTTPField.Name("Job-Offer-Id") { headers[name] = id }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.post("/api/v1/video/create-job") { request, _ -> Response in
            let key = try authorize(request)
            let (bytes, body) = try await Self.jsonObject(request)
            let entry = try await model(body["model"] as? String, kind: .video)
            try Self.validatePrompt(body)
            if let negative = body["negative_prompt"], !(negative is String) {
                throw AnuraError.invalidRequest("`negative_prompt` must be a string", param: "negative_prompt")
            }
            let id = try await startJob(module: entry.module, model: entry.id, inputs: ["Request": Self.base64(bytes)], key: key)
            return try Self.json(["status": 200, "message": "Video job created successfully", "data": ["job_offer_id": id]])
        }
        addMediaResultRoute(to: router, kind: "video", files: Self.videoFiles)
    }

    /// `GET /api/v1/<kind>/results/:id`: 202 with status 102 while the job runs, then the first of
    /// `files` it wrote to its `outputs/`, with its content type.
    func addMediaResultRoute(to router: Router<BasicRequestContext>, kind: String, files: [(String, String)]) {
        router.get("/api/v1/\(kind)/results/:id") { request, context -> Response in
            let key = try authorize(request)
            let id = try context.parameters.require("id")
            let (entry, folder) = try finishedJob(id, key: key)
            guard let folder else { return try Self.stillProcessing(entry, id: id) }
            let (data, type) = try Self.media(in: folder, files, what: kind, dealID: entry.dealID)
            return Response(status: .ok, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }

    /// `prompt`: a non-empty string of at most 1,000 characters (Lilypad's limit).
    static func validatePrompt(_ body: [String: Any]) throws(AnuraError) {
        guard let prompt = body["prompt"] as? String, !prompt.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw .invalidRequest("`prompt` must be a non-empty string", param: "prompt")
        }
        guard prompt.count <= 1000 else { throw .invalidRequest("`prompt` is limited to 1000 characters", param: "prompt") }
    }

    /// The first of `files` the job wrote to its `outputs/`, and its content type.
    static func media(in folder: URL, _ files: [(String, String)], what: String, dealID: String) throws(AnuraError) -> (Data, String) {
        for (name, type) in files {
            if let data = FileManager.default.contents(atPath: folder.appendingPathComponent("outputs").appendingPathComponent(name).path) {
                return (data, type)
            }
        }
        let names = files.map { "outputs/\($0.0)" }.joined(separator: ", ")
        throw .server("the \(what) job (deal \(dealID)) wrote none of \(names)")
    }
}
