import AsyncHTTPClient
import Foundation
import Logging
import NIOCore

/// Pulls images from registries speaking the distribution v2 API (Docker Hub, distribution,
/// GHCR, …): manifests by tag or digest with every supported media type accepted, digests
/// verified, indexes resolved to the configured platform, Bearer token and Basic auth, redirects
/// followed by hand so `Authorization` never leaves the registry's origin.
///
/// Call ``shutdown()`` when done: the client owns an `HTTPClient`.
public final class RegistryClient: Sendable {
    /// How to reach registries.
    public struct Configuration: Sendable {
        /// Credentials by registry host (as ``ImageReference/registry`` spells it).
        public var credentials: [String: RegistryCredentials]
        /// Hosts (`host[:port]`) reached over plain http. Loopback registries always are.
        public var insecureRegistries: Set<String>
        /// The platform picked from multi-platform images.
        public var platform: OCIPlatform
        /// The longest one request (including a blob download) may take.
        public var requestTimeout: Duration

        public init(
            credentials: [String: RegistryCredentials] = RegistryCredentials.fromDockerConfig(), insecureRegistries: Set<String> = [],
            platform: OCIPlatform = .linuxAMD64, requestTimeout: Duration = .seconds(1800)
        ) {
            self.credentials = credentials
            self.insecureRegistries = insecureRegistries
            self.platform = platform
            self.requestTimeout = requestTimeout
        }
    }

    /// A manifest as the registry served it, verified against its digest.
    public struct FetchedManifest: Sendable {
        public var bytes: [UInt8]
        public var digest: Digest
        public var mediaType: String
    }

    /// What a reference resolves to: the platform manifest, and the index it was picked from.
    public struct ResolvedImage: Sendable {
        public var manifest: OCIManifest
        public var manifestBlob: FetchedManifest
        public var index: FetchedManifest?
    }

    public let configuration: Configuration
    let http: HTTPClient
    let tokens = RegistryTokenCache()
    let logger: Logger

    /// The largest manifest accepted (distribution's own limit is 4 MiB).
    static let maximumManifestSize = 4 << 20

    public init(configuration: Configuration = Configuration(), logger: Logger = Logger(label: "lilypad.images.registry")) {
        self.configuration = configuration
        self.logger = logger
        var httpConfiguration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        httpConfiguration.timeout = .init(connect: .seconds(30), read: .seconds(120))
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfiguration)
    }

    /// Closes connections. The client cannot be used afterwards.
    public func shutdown() async {
        try? await http.shutdown()
    }

    /// `http://` for loopback and configured insecure registries, `https://` otherwise.
    func baseURL(_ registry: String) -> String {
        (Self.isLoopback(registry) || configuration.insecureRegistries.contains(registry) ? "http://" : "https://") + registry
    }

    /// `localhost`, `127.0.0.0/8` and `::1`, with or without a port.
    static func isLoopback(_ registry: String) -> Bool {
        var host = Substring(registry)
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return false }
            return host[host.index(after: host.startIndex)..<close] == "::1"
        }
        if let colon = host.firstIndex(of: ":") { host = host[..<colon] }
        if host == "localhost" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.first == "127" && octets.allSatisfy { Int($0).map { (0...255).contains($0) } ?? false }
    }

    /// Resolves `reference` to a single-platform manifest (through an index when there is one).
    public func resolve(_ reference: ImageReference) async throws(ImageError) -> ResolvedImage {
        let first = try await fetchManifest(reference, reference: reference.manifestReference, expected: reference.digest)
        var index: FetchedManifest?
        var fetched = first
        if OCIMediaType.isIndex(first.mediaType) {
            let decoded: OCIIndex = try Self.decode(first.bytes, what: "image index of \(reference)")
            guard let entry = decoded.manifest(for: configuration.platform) else {
                throw .noMatchingPlatform(reference: reference.description, available: decoded.platformNames)
            }
            index = first
            fetched = try await fetchManifest(reference, reference: entry.digest.description, expected: entry.digest)
        }
        guard OCIMediaType.isManifest(fetched.mediaType) else {
            throw .unsupportedMediaType(fetched.mediaType, what: "the manifest of \(reference)")
        }
        let manifest: OCIManifest = try Self.decode(fetched.bytes, what: "manifest of \(reference)")
        return ResolvedImage(manifest: manifest, manifestBlob: fetched, index: index)
    }

    /// `GET /v2/<name>/manifests/<reference>` with the full `Accept` list; the body must hash to
    /// `expected`, else to `Docker-Content-Digest` when the registry sends it.
    public func fetchManifest(_ image: ImageReference, reference: String, expected: Digest? = nil) async throws(ImageError) -> FetchedManifest {
        let url = "\(baseURL(image.registry))/v2/\(image.repository)/manifests/\(reference)"
        let response = try await send(url, image: image, headers: [("Accept", OCIMediaType.manifestAccept.joined(separator: ", "))])
        let body = try await collect(response, url: url, limit: Self.maximumManifestSize)
        guard response.status == .ok else {
            if response.status == .notFound { throw .imageNotFound(image.description) }
            throw .registry(url: url, status: Int(response.status.code), message: Self.errorMessage(body))
        }
        let digest = Digest.sha256(of: body)
        var wanted = expected
        if wanted == nil, let header = response.headers.first(name: "Docker-Content-Digest") {
            wanted = try? Digest(parsing: header)
        }
        if let wanted, wanted != digest { throw .digestMismatch(what: "the manifest of \(image)", expected: wanted, actual: digest) }
        struct Probe: Decodable { var mediaType: String? }
        let headerType = response.headers.first(name: "Content-Type").map { String($0.split(separator: ";")[0]).trimmingCharacters(in: .whitespaces) }
        let mediaType = (try? JSONDecoder().decode(Probe.self, from: Data(body)))?.mediaType ?? headerType ?? ""
        return FetchedManifest(bytes: body, digest: digest, mediaType: mediaType)
    }

    static func decode<T: Decodable>(_ bytes: [UInt8], what: String) throws(ImageError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch {
            throw .invalidDocument(what: what, reason: "\(error)")
        }
    }

    /// The first `errors[].message` of a registry error body, or the body itself when short.
    static func errorMessage(_ body: [UInt8]) -> String {
        struct Errors: Decodable {
            struct Item: Decodable {
                var code: String?
                var message: String?
            }
            var errors: [Item]?
        }
        if let first = (try? JSONDecoder().decode(Errors.self, from: Data(body)))?.errors?.first {
            return [first.code, first.message].compactMap { $0 }.joined(separator: ": ")
        }
        return body.count <= 200 ? String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : ""
    }
}
