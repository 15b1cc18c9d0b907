import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

extension RegistryClient {
    /// Sends a GET to the registry of `image`, authenticating as the registry asks: a cached
    /// authorization is sent up front; on 401 the challenge is answered once (a fresh token, or
    /// Basic credentials) and the request repeated.
    func send(_ url: String, image: ImageReference, headers: [(String, String)]) async throws(ImageError) -> HTTPClientResponse {
        let scope = "repository:\(image.repository):pull"
        let registry = image.registry
        var authorization = tokens.authorization(registry: registry, scope: scope)
        var answered = false
        while true {
            let response = try await follow(url, headers: headers, authorization: authorization)
            guard response.status == .unauthorized else { return response }
            _ = try? await response.body.collect(upTo: 1 << 20)
            if answered {
                if let credentials = configuration.credentials[registry] {
                    throw .authenticationFailed(
                        registry: registry, reason: "the registry refused the credentials of `\(credentials.username)` for \(image.repository)")
                }
                throw .authenticationRequired(registry: registry, repository: image.repository)
            }
            answered = true
            tokens.invalidate(registry: registry, scope: scope)
            let challenges = response.headers["WWW-Authenticate"].flatMap { AuthChallenge.parse($0) }
            authorization = try await answer(challenges, image: image, scope: scope)
        }
    }

    /// Obtains an `Authorization` value for a 401's challenges.
    func answer(_ challenges: [AuthChallenge], image: ImageReference, scope defaultScope: String) async throws(ImageError) -> String {
        let registry = image.registry
        let credentials = configuration.credentials[registry]
        if let bearer = challenges.first(where: { $0.scheme == "bearer" }), let realm = bearer.parameters["realm"] {
            let scope = bearer.parameters["scope"] ?? defaultScope
            var query: [String] = []
            if let service = bearer.parameters["service"] { query.append("service=\(Self.queryEscape(service))") }
            query.append("scope=\(Self.queryEscape(scope))")
            let url = realm + (realm.contains("?") ? "&" : "?") + query.joined(separator: "&")
            let response = try await follow(url, headers: [], authorization: credentials?.basicAuthorization)
            let body = try await collect(response, url: url, limit: 1 << 20)
            switch response.status {
            case .ok:
                break
            case .unauthorized, .forbidden:
                if let credentials {
                    throw .authenticationFailed(registry: registry, reason: "the token service refused the credentials of `\(credentials.username)`")
                }
                throw .authenticationRequired(registry: registry, repository: image.repository)
            default:
                throw .registry(url: url, status: Int(response.status.code), message: Self.errorMessage(body))
            }
            struct TokenResponse: Decodable {
                var token: String?
                var accessToken: String?
                var expiresIn: Int?
                enum CodingKeys: String, CodingKey {
                    case token
                    case accessToken = "access_token"
                    case expiresIn = "expires_in"
                }
            }
            let decoded: TokenResponse = try Self.decode(body, what: "token response from \(realm)")
            guard let token = [decoded.token, decoded.accessToken].compactMap({ $0 }).first(where: { !$0.isEmpty }) else {
                throw .authenticationFailed(registry: registry, reason: "the token service at \(realm) returned no token")
            }
            let authorization = "Bearer \(token)"
            let lifetime = max(decoded.expiresIn ?? 60, 1)
            tokens.store(authorization, registry: registry, scope: defaultScope, lifetime: .seconds(lifetime))
            return authorization
        }
        if challenges.contains(where: { $0.scheme == "basic" }) {
            guard let credentials else { throw .authenticationRequired(registry: registry, repository: image.repository) }
            tokens.store(credentials.basicAuthorization, registry: registry, scope: defaultScope, lifetime: .seconds(3600))
            return credentials.basicAuthorization
        }
        throw .authenticationRequired(registry: registry, repository: image.repository)
    }

    /// One GET, following 301/302/303/307/308 by hand (at most 10). `Authorization` is sent only
    /// while scheme, host and port stay those of the URL it was meant for.
    func follow(_ url: String, headers: [(String, String)], authorization: String?) async throws(ImageError) -> HTTPClientResponse {
        var current = url
        var authorization = authorization
        for _ in 0..<10 {
            var request = HTTPClientRequest(url: current)
            request.method = .GET
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            if let authorization { request.headers.add(name: "Authorization", value: authorization) }
            let response: HTTPClientResponse
            do {
                response = try await http.execute(request, timeout: .seconds(configuration.requestTimeout.components.seconds))
            } catch {
                throw .network(url: current, reason: Self.describe(error))
            }
            guard [301, 302, 303, 307, 308].contains(response.status.code), let location = response.headers.first(name: "Location") else {
                return response
            }
            _ = try? await response.body.collect(upTo: 1 << 20)
            guard let base = URL(string: current), let next = URL(string: location, relativeTo: base)?.absoluteURL else {
                throw .network(url: current, reason: "redirect to an invalid location `\(location)`")
            }
            if !Self.sameOrigin(base, next) { authorization = nil }
            logger.debug("redirect", metadata: ["from": "\(current)", "to": "\(next.absoluteString)"])
            current = next.absoluteString
        }
        throw .tooManyRedirects(url: url)
    }

    /// Same scheme, host and port (the default port when none is written).
    static func sameOrigin(_ lhs: URL, _ rhs: URL) -> Bool {
        func port(_ url: URL) -> Int? { url.port ?? (url.scheme?.lowercased() == "https" ? 443 : url.scheme?.lowercased() == "http" ? 80 : nil) }
        return lhs.scheme?.lowercased() == rhs.scheme?.lowercased() && lhs.host?.lowercased() == rhs.host?.lowercased() && port(lhs) == port(rhs)
    }

    /// The whole body, refusing more than `limit` bytes.
    func collect(_ response: HTTPClientResponse, url: String, limit: Int) async throws(ImageError) -> [UInt8] {
        do {
            let buffer = try await response.body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch {
            throw .network(url: url, reason: Self.describe(error))
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return "connection timed out"
            case .deadlineExceeded: return "the request timed out"
            case .remoteConnectionClosed: return "the server closed the connection"
            default: return "\(error)"
            }
        }
        if error is NIOTooManyBytesError { return "the response is too large" }
        return "\(error)"
    }

    static func queryEscape(_ text: String) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+?#")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
