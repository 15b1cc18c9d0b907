import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A client for the Docker Engine API on a unix socket (`/var/run/docker.sock` or a private one).
///
/// ```swift
/// let engine = try await DockerEngineClient.connect(socketPath: "/run/lilypad/docker.sock")
/// let id = try await engine.createContainer(name: "job-1", body: body)
/// try await engine.startContainer(id)
/// let code = try await engine.waitContainer(id)
/// ```
///
/// ``connect(socketPath:http:)`` negotiates the API version once: the engine's own, but at most
/// ``maximumAPIVersion``, the version this client is written against.
public struct DockerEngineClient: Sendable {
    /// Why an Engine API call did not succeed.
    public enum Failure: Error, Sendable, CustomStringConvertible {
        /// Nothing answers on the socket.
        case unreachable(socketPath: String, reason: String)
        /// The engine answered with an error; `message` is the engine's own.
        case refused(operation: String, status: Int, message: String)
        /// An answer that is not the Engine API's.
        case unexpected(operation: String, detail: String)

        public var description: String {
            switch self {
            case .unreachable(let socketPath, let reason):
                "the Docker engine at \(socketPath) is unreachable (\(reason)); is dockerd running and is the socket path right?"
            case .refused(let operation, let status, let message): "Docker refused to \(operation) (HTTP \(status)): \(message)"
            case .unexpected(let operation, let detail): "unexpected answer from Docker when trying to \(operation): \(detail)"
            }
        }

        /// The HTTP status of a refusal (404 for a missing container or image).
        public var status: Int? {
            if case .refused(_, let status, _) = self { status } else { nil }
        }
    }

    /// The HTTP client engine clients use unless given one: no read timeout (a wait or an attached
    /// stream may be silent for as long as a job runs) and room for two long-lived connections per
    /// running job (its wait and its output) beyond `HTTPClient.shared`'s 8 per host.
    public static let defaultHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration(
            timeout: HTTPClient.Configuration.Timeout(connect: .seconds(10), read: nil),
            connectionPool: HTTPClient.Configuration.ConnectionPool(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 1024))
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// The newest Engine API version this client speaks.
    public static let maximumAPIVersion = "1.41"

    public let socketPath: String
    /// The negotiated API version, e.g. `1.41`.
    public let apiVersion: String
    let http: HTTPClient

    /// Connects to the engine at `socketPath` and negotiates the API version from `GET /version`.
    public static func connect(
        socketPath: String, http: HTTPClient = DockerEngineClient.defaultHTTPClient
    ) async throws(Failure) -> DockerEngineClient {
        // A missing socket would otherwise be retried until the deadline.
        guard FileManager.default.fileExists(atPath: socketPath) else { throw .unreachable(socketPath: socketPath, reason: "no such socket") }
        let unversioned = DockerEngineClient(unversionedSocketPath: socketPath, http: http)
        let version: VersionInfo = try await unversioned.json(.GET, "/version", deadline: .now() + .seconds(10), operation: "report its version")
        return DockerEngineClient(socketPath: socketPath, apiVersion: negotiate(server: version.apiVersion), http: http)
    }

    /// A client for a known API version (no round trip).
    public init(socketPath: String, apiVersion: String, http: HTTPClient = DockerEngineClient.defaultHTTPClient) {
        self.socketPath = socketPath
        self.apiVersion = apiVersion
        self.http = http
    }

    /// A client whose paths have no version prefix (for `GET /version` itself).
    private init(unversionedSocketPath socketPath: String, http: HTTPClient) {
        self.socketPath = socketPath
        self.apiVersion = ""
        self.http = http
    }

    /// The version to use with an engine that speaks up to `server`: the smaller of it and ``maximumAPIVersion``.
    public static func negotiate(server: String) -> String {
        func parts(_ version: String) -> [Int] { version.split(separator: ".").map { Int($0) ?? 0 } }
        return parts(server).lexicographicallyPrecedes(parts(maximumAPIVersion)) ? server : maximumAPIVersion
    }

    /// `GET /_ping`: whether the engine answers.
    public func ping() async throws(Failure) {
        let response = try await send(.GET, "/_ping", deadline: .now() + .seconds(5), operation: "answer a ping")
        _ = try await collect(response, operation: "answer a ping")
    }

    /// The engine's version information.
    public func version() async throws(Failure) -> VersionInfo {
        try await json(.GET, "/version", operation: "report its version")
    }
}

extension DockerEngineClient {
    /// What `GET /version` reports (the fields this client uses).
    public struct VersionInfo: Sendable, Decodable {
        public var version: String
        public var apiVersion: String
        public var minimumAPIVersion: String?

        enum CodingKeys: String, CodingKey {
            case version = "Version"
            case apiVersion = "ApiVersion"
            case minimumAPIVersion = "MinAPIVersion"
        }
    }

    struct ErrorBody: Decodable {
        var message: String
    }

    /// A request on the socket; `path` starts with `/` and excludes the version prefix.
    func send(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: HTTPClientRequest.Body? = nil,
        contentType: String? = nil, deadline: NIODeadline = .now() + .seconds(60), operation: String
    ) async throws(Failure) -> HTTPClientResponse {
        var uri = apiVersion.isEmpty ? path : "/v\(apiVersion)\(path)"
        if !query.isEmpty {
            var components = URLComponents()
            components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
            uri += "?" + (components.percentEncodedQuery ?? "")
        }
        guard let url = URL(httpURLWithSocketPath: socketPath, uri: uri) else {
            throw .unreachable(socketPath: socketPath, reason: "the path cannot be used in a URL")
        }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        // The URL's host is the socket path, which AsyncHTTPClient leaves out; Go's server wants one.
        request.headers.replaceOrAdd(name: "Host", value: "docker")
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        if let body { request.body = body }
        let response: HTTPClientResponse
        do { response = try await http.execute(request, deadline: deadline) } catch {
            throw .unreachable(socketPath: socketPath, reason: "\(error)")
        }
        guard (200..<300).contains(Int(response.status.code)) else {
            let data = (try? await response.body.collect(upTo: 1 << 20)).map { Data($0.readableBytesView) } ?? Data()
            let message =
                (try? JSONDecoder().decode(ErrorBody.self, from: data))?.message
                ?? String(decoding: data.prefix(500), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw .refused(operation: operation, status: Int(response.status.code), message: message.isEmpty ? "\(response.status)" : message)
        }
        return response
    }

    func collect(_ response: HTTPClientResponse, upTo limit: Int = 16 << 20, operation: String) async throws(Failure) -> Data {
        do { return Data(try await response.body.collect(upTo: limit).readableBytesView) } catch {
            throw .unexpected(operation: operation, detail: "reading the answer failed: \(error)")
        }
    }

    func json<T: Decodable>(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: Data? = nil,
        deadline: NIODeadline = .now() + .seconds(60), operation: String
    ) async throws(Failure) -> T {
        let response = try await send(
            method, path, query: query, body: body.map { HTTPClientRequest.Body.bytes(ByteBuffer(bytes: $0)) },
            contentType: body == nil ? nil : "application/json",
            deadline: deadline, operation: operation)
        let data = try await collect(response, operation: operation)
        do { return try JSONDecoder().decode(T.self, from: data) } catch {
            throw .unexpected(
                operation: operation, detail: "cannot decode \(T.self) from \(String(decoding: data.prefix(300), as: UTF8.self)): \(error)")
        }
    }

    /// A request whose answer has no body worth reading (204 No Content and the like).
    func call(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], deadline: NIODeadline = .now() + .seconds(60),
        operation: String
    ) async throws(Failure) {
        let response = try await send(method, path, query: query, deadline: deadline, operation: operation)
        _ = try await collect(response, operation: operation)
    }
}
