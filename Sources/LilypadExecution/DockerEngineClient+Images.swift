import AsyncHTTPClient
import Foundation
import NIOCore

extension DockerEngineClient {
    /// What `GET /images/{name}/json` reports (the fields this client uses).
    public struct ImageInfo: Sendable, Decodable {
        public var id: String
        public var repoTags: [String]?
        public var size: Int64?

        enum CodingKeys: String, CodingKey {
            case id = "Id"
            case repoTags = "RepoTags"
            case size = "Size"
        }
    }

    /// The image called `name` (`repo:tag` or an ID), or `nil` when the engine has none.
    public func inspectImage(_ name: String) async throws(Failure) -> ImageInfo? {
        do {
            return try await json(.GET, "/images/\(name)/json", operation: "inspect image \(name)")
        } catch let error where error.status == 404 {
            return nil
        }
    }

    /// Imports a root filesystem from a tar stream as the image `repository:tag`
    /// (`POST /images/create?fromSrc=-`), and returns the new image's ID.
    ///
    /// `tar` is sent as it is produced; the engine reports failures inside a 200 answer, which are
    /// turned into ``Failure/refused(operation:status:message:)`` here.
    public func importImage<Chunks: AsyncSequence & Sendable>(
        repository: String, tag: String, tar: Chunks, deadline: NIODeadline = .now() + .hours(1)
    ) async throws(Failure) -> String where Chunks.Element == ByteBuffer {
        let operation = "import image \(repository):\(tag)"
        let response = try await send(
            .POST, "/images/create", query: [("fromSrc", "-"), ("repo", repository), ("tag", tag)], body: .stream(tar, length: .unknown),
            contentType: "application/x-tar", deadline: deadline, operation: operation)
        let data = try await collect(response, operation: operation)
        // A sequence of JSON objects: progress, then {"status":"sha256:..."} or {"error": "...", "errorDetail": {...}}.
        var imageID: String?
        for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
            guard let message = try? JSONDecoder().decode(ImportMessage.self, from: Data(line)) else { continue }
            if let error = message.error { throw .refused(operation: operation, status: 200, message: error) }
            if let status = message.status, status.hasPrefix("sha256:") { imageID = status }
        }
        guard let imageID else {
            throw .unexpected(operation: operation, detail: "no image ID in \(String(decoding: data.prefix(300), as: UTF8.self))")
        }
        return imageID
    }

    /// Removes an image (`DELETE /images/{name}`); a missing image is not an error.
    public func removeImage(_ name: String, force: Bool = false) async throws(Failure) {
        do {
            try await call(.DELETE, "/images/\(name)", query: [("force", force ? "1" : "0")], operation: "remove image \(name)")
        } catch let error where error.status == 404 {}
    }
}

/// One JSON object of the `POST /images/create` answer.
private struct ImportMessage: Decodable {
    var status: String?
    var error: String?
}
