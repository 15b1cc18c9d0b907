import Foundation
import Hummingbird
import LilypadCore
import NIOCore
import Synchronization

/// How many requests one client may make to one path, as Lilypad v2's solver limits them.
///
/// Lilypad allows `SERVER_RATE_REQUEST_LIMIT` (5) requests per `SERVER_RATE_WINDOW_LENGTH` (10 s)
/// per client IP per path under `/api/v1` (its Anura paths excepted), and answers 429. We keep those
/// numbers and names, count in a true sliding window (any span of `window` holds at most `requests`
/// admitted requests), and differ where Lilypad hurts:
///
/// - **Loopback is exempt by default.** A local network runs its job creators, providers and
///   solver on 127.0.0.1; with Lilypad's limit a devnet with 200 jobs would throttle itself.
///   ``limitLoopback`` turns the limit on for loopback clients too.
/// - **Proxy headers are ignored unless trusted.** Lilypad always honours `True-Client-IP`,
///   `X-Real-IP` and `X-Forwarded-For`, so any client can pick its own key and escape the limit.
///   Here they count only with ``trustProxyHeaders`` (behind a reverse proxy that sets them), and a
///   forwarded address is never exempt as loopback: only a direct loopback peer is.
/// - A refusal is `429` with `Retry-After` (seconds until the window admits the next request) and a
///   JSON `{"error": …}` body saying what was limited, like every other refusal of the solver.
public struct RateLimit: Sendable, Equatable {
    /// Requests admitted per client and path in any ``windowSeconds``; 0 turns the limit off.
    public var requests: Int
    /// The window's length in seconds.
    public var windowSeconds: Int
    /// Also limit clients connecting from loopback (127.0.0.0/8, ::1); they are exempt by default.
    public var limitLoopback = false
    /// Take the client's address from `True-Client-IP`, `X-Real-IP` or `X-Forwarded-For` (first
    /// entry), in that order, falling back to the socket's peer address.
    public var trustProxyHeaders = false
    /// At most this many (client, path) pairs are tracked; when all are live, new pairs are refused
    /// with 429 until some expire, so a flood from many addresses cannot exhaust memory.
    public var maximumTrackedClients = 65_536

    /// Lilypad's defaults: 5 requests per 10 s.
    public static let lilypad = RateLimit(requests: 5, windowSeconds: 10)

    /// No limit.
    public static let off = RateLimit(requests: 0, windowSeconds: 10)

    /// A limit of `requests` per `windowSeconds`.
    public init(requests: Int, windowSeconds: Int) {
        self.requests = requests
        self.windowSeconds = windowSeconds
    }

    /// Whether any request is limited at all.
    public var isEnabled: Bool { requests > 0 && windowSeconds > 0 }

    /// Lilypad's defaults overridden by `SERVER_RATE_REQUEST_LIMIT` and `SERVER_RATE_WINDOW_LENGTH`
    /// (seconds, written `10` or `10s`).
    public init(environment: [String: String]) throws(RateLimitSettingError) {
        self = .lilypad
        if let text = environment["SERVER_RATE_REQUEST_LIMIT"] {
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)), value >= 0 else {
                throw RateLimitSettingError(setting: "SERVER_RATE_REQUEST_LIMIT", value: text, expected: "a number of requests, 0 or more")
            }
            requests = value
        }
        if let text = environment["SERVER_RATE_WINDOW_LENGTH"] {
            guard let value = Self.seconds(text) else {
                throw RateLimitSettingError(
                    setting: "SERVER_RATE_WINDOW_LENGTH", value: text, expected: "a number of seconds above 0, e.g. 10 or 10s")
            }
            windowSeconds = value
        }
    }

    /// Parses `10` or `10s` as seconds (above 0).
    public static func seconds(_ text: String) -> Int? {
        var text = text.trimmingCharacters(in: .whitespaces)
        if text.hasSuffix("s") { text.removeLast() }
        guard let value = Int(text), value > 0 else { return nil }
        return value
    }
}

/// A rate limit setting that cannot be read.
public struct RateLimitSettingError: Error, Equatable, CustomStringConvertible {
    /// The variable or option.
    public var setting: String
    /// Its value as given.
    public var value: String
    /// What it should be.
    public var expected: String

    public var description: String { "\(setting)=\(value) is not valid: expected \(expected)" }
}

/// The sliding-window counter behind ``RateLimitMiddleware``: for each key, the times of the last
/// admitted requests, at most `requests` of them.
public final class RateLimiter: Sendable {
    /// What the limiter decided for one request.
    public enum Decision: Sendable, Equatable {
        /// Admitted; `remaining` more requests fit in the window now.
        case admitted(remaining: Int)
        /// Refused; the next request is admitted in `retryAfterSeconds` (at least 1).
        case limited(retryAfterSeconds: Int)
    }

    /// The limit applied.
    public let limit: RateLimit

    private struct Log {
        /// Admission times (ms), oldest first, at most `limit.requests`.
        var times: [Int64] = []
    }

    private struct State {
        var logs: [String: Log] = [:]
        var decisionsSincePrune = 0
    }

    private let state = Mutex(State())

    /// A limiter for `limit`.
    public init(limit: RateLimit) { self.limit = limit }

    /// Decides on a request for `key` at `now` (milliseconds on any monotonic clock).
    public func decide(key: String, now: Int64) -> Decision {
        guard limit.isEnabled else { return .admitted(remaining: Int.max) }
        let window = Int64(limit.windowSeconds) * 1000
        return state.withLock { state in
            state.decisionsSincePrune += 1
            if state.decisionsSincePrune >= 4096 || (state.logs[key] == nil && state.logs.count >= limit.maximumTrackedClients) {
                state.decisionsSincePrune = 0
                state.logs = state.logs.filter { ($0.value.times.last ?? .min) > now - window }
            }
            if state.logs[key] == nil, state.logs.count >= limit.maximumTrackedClients {
                return .limited(retryAfterSeconds: limit.windowSeconds)
            }
            var log = state.logs.removeValue(forKey: key) ?? Log()
            defer { state.logs[key] = log }
            let expired = log.times.firstIndex { $0 > now - window } ?? log.times.count
            log.times.removeFirst(expired)
            guard log.times.count < limit.requests else {
                let oldest = log.times.first ?? now
                let wait = oldest + window - now
                return .limited(retryAfterSeconds: max(1, Int((wait + 999) / 1000)))
            }
            log.times.append(now)
            return .admitted(remaining: limit.requests - log.times.count)
        }
    }

    /// How many (client, path) pairs are tracked now (for tests and metrics).
    public var trackedKeys: Int { state.withLock { $0.logs.count } }
}

/// Applies a ``RateLimit`` to every path under `/api/v1` (Lilypad's Anura paths excepted), keyed
/// by client IP and path.
public struct RateLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let limiter: RateLimiter
    let clock = ContinuousClock()
    let start: ContinuousClock.Instant

    /// A middleware applying `limit`.
    public init(limit: RateLimit) {
        limiter = RateLimiter(limit: limit)
        start = clock.now
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard limiter.limit.isEnabled, path.hasPrefix("/api/v1/"), !path.hasPrefix("/api/v1/anura/") else {
            return try await next(request, context)
        }
        let peer = (context as? any RemoteAddressRequestContext)?.remoteAddress
        guard let address = Self.client(of: request, peer: peer, limit: limiter.limit) else { return try await next(request, context) }  // exempt
        let elapsed = clock.now - start
        let now = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        switch limiter.decide(key: address + " " + path, now: now) {
        case .admitted(let remaining):
            var response = try await next(request, context)
            response.headers[.rateLimitLimit] = String(limiter.limit.requests)
            response.headers[.rateLimitRemaining] = String(remaining)
            return response
        case .limited(let seconds):
            let limit = limiter.limit
            let message =
                "too many requests to \(path) from \(address): at most \(limit.requests) per \(limit.windowSeconds) s; retry in \(seconds) s"
            let body = try GoJSONEncoder().encode(["error": message])
            return Response(
                status: .tooManyRequests,
                headers: [
                    .contentType: "application/json", .retryAfter: String(seconds), .rateLimitLimit: String(limit.requests),
                    .rateLimitRemaining: "0",
                ],
                body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
    }

    /// The client's address as the limiter keys it, or `nil` when the client is exempt.
    static func client(of request: Request, peer: SocketAddress?, limit: RateLimit) -> String? {
        if limit.trustProxyHeaders {
            for name in ["True-Client-IP", "X-Real-IP", "X-Forwarded-For"] {
                guard let field = HeaderField.Name(name), let value = request.headers[field] else { continue }
                let first = value.split(separator: ",", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
                if let address = try? SocketAddress(ipAddress: first, port: 0), let ip = address.ipAddress {
                    return ip  // a forwarded address is never exempt as loopback: the client chose it
                }
            }
        }
        guard let peer, let ip = peer.ipAddress else { return "unknown" }
        if !limit.limitLoopback, isLoopback(ip) { return nil }
        return ip
    }

    /// 127.0.0.0/8, ::1 and IPv4-mapped loopback.
    static func isLoopback(_ ip: String) -> Bool {
        ip.hasPrefix("127.") || ip == "::1" || ip.lowercased().hasPrefix("::ffff:127.")
    }
}

/// `HTTPTypes.HTTPField`, reached through the `HTTPFields` that Hummingbird exports.
typealias HeaderField = HTTPFields.Element

extension HeaderField.Name {
    static let rateLimitLimit = field("X-RateLimit-Limit")
    static let rateLimitRemaining = field("X-RateLimit-Remaining")

    /// A header name known to be valid.
    static func field(_ name: String) -> Self {
        guard let field = Self(name) else { preconditionFailure("\(name) is not a valid header name") }
        return field
    }
}
