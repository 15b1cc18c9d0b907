import Crypto
import Foundation

/// Our replay-proof request authentication (specified in `docs/protocol.md`).
///
/// The client signs, with EIP-191 `personal_sign`, a canonical text binding the audience (the
/// `host[:port]` it addresses), method, path and query, a SHA-256 of the body, a timestamp and a
/// fresh nonce. The server accepts a request only inside a clock window and only once per
/// (address, nonce) (see ``RequestVerifier``).
///
/// ```swift
/// let headers = SignedRequest.sign(method: "POST", target: "/api/v1/job_offers", audience: "solver.example:8080",
///                                  body: body, key: key)
/// for (name, value) in headers.fields { request.headers.add(name: name, value: value) }
/// ```
public struct SignedRequest: Sendable, Hashable {
    /// Header names.
    public enum Header {
        public static let address = "X-Lilypad-Address"
        public static let timestamp = "X-Lilypad-Timestamp"
        public static let nonce = "X-Lilypad-Nonce"
        public static let signature = "X-Lilypad-Request-Signature"
    }

    /// The first line of every canonical request text; changes if the format ever does.
    public static let scheme = "lilypad-request-v1"

    /// The signer.
    public var address: EthereumAddress
    /// Milliseconds since the Unix epoch, by the client's clock.
    public var timestamp: Int64
    /// 16 to 64 characters from `[A-Za-z0-9_-]`, fresh per request.
    public var nonce: String
    /// The 65-byte `personal_sign` signature of ``canonicalText(method:target:audience:bodyDigest:)``.
    public var signature: RecoverableSignature

    /// The four header fields to send.
    public var fields: [(name: String, value: String)] {
        [
            (Header.address, address.checksummed),
            (Header.timestamp, String(timestamp)),
            (Header.nonce, nonce),
            (Header.signature, signature.hexString),
        ]
    }

    /// The text that is signed. `target` is the path with its query string exactly as sent,
    /// `audience` the lower-cased `host[:port]`, `bodyDigest` the SHA-256 of the body bytes.
    public static func canonicalText(
        method: String, target: String, audience: String, bodyDigest: [UInt8], timestamp: Int64, nonce: String
    )
        -> String
    {
        [scheme, audience.lowercased(), method.uppercased(), target, Hex.encode(bodyDigest), String(timestamp), nonce]
            .joined(separator: "\n")
    }

    /// Signs a request.
    public static func sign(
        method: String, target: String, audience: String, body: some DataProtocol, key: PrivateKey,
        timestamp: Int64 = currentMilliseconds(), nonce: String = makeNonce()
    ) -> SignedRequest {
        let text = canonicalText(
            method: method, target: target, audience: audience, bodyDigest: Array(SHA256.hash(data: body)), timestamp: timestamp, nonce: nonce)
        return SignedRequest(address: key.address, timestamp: timestamp, nonce: nonce, signature: key.signPersonalMessage(Array(text.utf8)))
    }

    /// A fresh 128-bit nonce as 32 hex digits.
    public static func makeNonce() -> String { Hex.encode(SecureRandom.bytes(count: 16)) }

    /// The current time in milliseconds since the Unix epoch.
    public static func currentMilliseconds() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    /// Parses the headers; `header(name)` looks up a header case-insensitively.
    public init(header: (String) -> String?) throws(RequestAuthError) {
        func required(_ name: String) throws(RequestAuthError) -> String {
            guard let value = header(name)?.trimmingWhitespace(), !value.isEmpty else { throw .missingHeader(name) }
            return value
        }
        let addressText = try required(Header.address)
        do { address = try EthereumAddress(addressText) } catch { throw .malformedHeader(Header.address, reason: error.description) }
        guard let timestamp = Int64(try required(Header.timestamp)) else {
            throw .malformedHeader(Header.timestamp, reason: "expected milliseconds since the Unix epoch")
        }
        self.timestamp = timestamp
        nonce = try required(Header.nonce)
        guard (16...64).contains(nonce.utf8.count),
            nonce.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x2D || $0 == 0x5F })
        else { throw .malformedHeader(Header.nonce, reason: "expected 16 to 64 characters from A-Z, a-z, 0-9, - and _") }
        let signatureText = try required(Header.signature)
        do { signature = try RecoverableSignature(hex: signatureText) } catch {
            throw .malformedHeader(Header.signature, reason: error.description)
        }
    }

    init(address: EthereumAddress, timestamp: Int64, nonce: String, signature: RecoverableSignature) {
        self.address = address
        self.timestamp = timestamp
        self.nonce = nonce
        self.signature = signature
    }
}

/// Why a request's authentication was refused. Each maps to an HTTP status.
public enum RequestAuthError: Error, Equatable, Sendable, CustomStringConvertible {
    case missingHeader(String)
    case malformedHeader(String, reason: String)
    /// The signature does not match the request: it was altered, or signed by another key.
    case badSignature
    /// The timestamp is outside the accepted window around the server's clock.
    case staleTimestamp(skewMilliseconds: Int64, windowMilliseconds: Int64)
    /// The wrong audience: the request was signed for another service.
    case wrongAudience(String)
    /// This (address, nonce) pair was already used: a replay.
    case replayed
    /// Too many requests are in flight inside the window to remember them all; retry shortly.
    case nonceCacheFull
    /// The store of spent nonces could not record this one, so the request cannot be accepted safely.
    case nonceStoreUnavailable(String)

    /// The HTTP status code to answer with.
    public var httpStatus: Int {
        switch self {
        case .nonceCacheFull, .nonceStoreUnavailable: 503
        default: 401
        }
    }

    public var description: String {
        switch self {
        case .missingHeader(let name): "missing \(name) header: sign the request (see docs/protocol.md)"
        case .malformedHeader(let name, let reason): "invalid \(name) header: \(reason)"
        case .badSignature:
            "the request signature does not match: the request was altered after signing, or signed by another key than the one in \(SignedRequest.Header.address)"
        case .staleTimestamp(let skew, let window):
            "the request timestamp is \(skew / 1000) s away from the server's clock (at most \(window / 1000) s is accepted): check the clock"
        case .wrongAudience(let audience): "the request was signed for \"\(audience)\", not for this service"
        case .replayed: "this request was already received once (nonce reused): every request needs a fresh nonce"
        case .nonceCacheFull: "the server is too busy to accept more signed requests right now; retry in a few seconds"
        case .nonceStoreUnavailable(let reason): "the server cannot record the request's nonce right now (\(reason)); retry in a few seconds"
        }
    }
}
