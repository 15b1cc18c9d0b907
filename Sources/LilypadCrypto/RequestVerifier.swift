import Crypto
import Synchronization

/// Verifies ``SignedRequest`` headers and refuses replays.
///
/// A request is accepted when its timestamp is within ``window`` of the server's clock, its
/// signature recovers to the claimed address over this request's canonical text, and its
/// (address, nonce) pair has not been seen before. Seen pairs are remembered until their timestamp
/// leaves the window (after which the timestamp check alone refuses them), in a bounded cache that
/// refuses new requests with ``RequestAuthError/nonceCacheFull`` rather than forget a live entry.
///
/// With a ``SpentNonceStore`` every accepted nonce is also recorded there (after the in-memory
/// check, which refuses a replay without touching the store), so a replay is refused after a
/// restart too.
public final class RequestVerifier: Sendable {
    /// How far a request's timestamp may be from the server's clock, either way.
    public let windowMilliseconds: Int64
    /// When non-empty, only requests signed for one of these audiences are accepted.
    public let audiences: Set<String>
    private let cache: Mutex<NonceCache>
    private let store: (any SpentNonceStore)?

    /// - Parameters:
    ///   - windowSeconds: accepted clock skew (Lilypad's 30 s by default).
    ///   - audiences: the `host[:port]` names this service answers to; empty accepts any.
    ///   - capacity: the most nonces remembered at once.
    ///   - store: where accepted nonces are also recorded, to outlive a restart (none: memory only).
    public init(windowSeconds: Int64 = 30, audiences: Set<String> = [], capacity: Int = 1_000_000, store: (any SpentNonceStore)? = nil) {
        windowMilliseconds = windowSeconds * 1000
        self.audiences = Set(audiences.map { $0.lowercased() })
        cache = Mutex(NonceCache(capacity: capacity))
        self.store = store
    }

    /// Verifies a request and returns its signer.
    ///
    /// - Parameters:
    ///   - method: the HTTP method.
    ///   - target: the path and query exactly as received.
    ///   - audience: the `Host` the request was sent to.
    ///   - body: the body bytes.
    ///   - header: case-insensitive header lookup.
    ///   - now: the server clock in ms (injectable for tests).
    public func verify(
        method: String, target: String, audience: String, body: [UInt8], header: (String) -> String?,
        now: Int64 = SignedRequest.currentMilliseconds()
    ) throws(RequestAuthError) -> EthereumAddress {
        try verify(method: method, target: target, audience: audience, bodyDigest: Array(SHA256.hash(data: body)), header: header, now: now)
    }

    /// The same check for a body that was streamed elsewhere (a large upload): `bodyDigest` is its SHA-256.
    public func verify(
        method: String, target: String, audience: String, bodyDigest: [UInt8], header: (String) -> String?,
        now: Int64 = SignedRequest.currentMilliseconds()
    ) throws(RequestAuthError) -> EthereumAddress {
        let request = try SignedRequest(header: header)
        let skew = request.timestamp - now
        guard abs(skew) <= windowMilliseconds else {
            throw .staleTimestamp(skewMilliseconds: skew, windowMilliseconds: windowMilliseconds)
        }
        guard audiences.isEmpty || audiences.contains(audience.lowercased()) else { throw .wrongAudience(audience) }
        let text = SignedRequest.canonicalText(
            method: method, target: target, audience: audience, bodyDigest: bodyDigest, timestamp: request.timestamp, nonce: request.nonce)
        let signer: EthereumAddress
        do { signer = try request.signature.recoverPersonalMessageSigner(Array(text.utf8)) } catch { throw .badSignature }
        guard signer == request.address else { throw .badSignature }
        let key = NonceCache.Key(address: signer, nonce: request.nonce)
        let expiry = request.timestamp + windowMilliseconds
        try cache.withLock { cache throws(RequestAuthError) in try cache.insert(key, expiresAt: expiry, now: now) }
        if let store {
            let fresh: Bool
            do { fresh = try store.spend(address: signer.lowercased, nonce: request.nonce, expiresAt: expiry, now: now) } catch {
                throw .nonceStoreUnavailable("\(error)")
            }
            guard fresh else { throw .replayed }
        }
        return signer
    }

    /// The number of nonces currently remembered.
    public var rememberedNonces: Int { cache.withLock { $0.count } }
}

/// Durable memory of the nonces a ``RequestVerifier`` accepted (the solver keeps them in its
/// database), so that a replay inside the window is refused after a restart too.
public protocol SpentNonceStore: Sendable {
    /// Records that `address` (lower-cased) used `nonce`, to be remembered until `expiresAt` (ms).
    /// Returns `false`, recording nothing, when that pair is already recorded with an expiry not
    /// before `now`: the request is a replay. Entries that expired may be forgotten at any time.
    func spend(address: String, nonce: String, expiresAt: Int64, now: Int64) throws -> Bool
}

/// The set of used (address, nonce) pairs, each dropped once its request's timestamp has left the
/// window. Expiry order is kept in a binary min-heap, so insertion and pruning are O(log n).
struct NonceCache: Sendable {
    struct Key: Hashable, Sendable {
        var address: EthereumAddress
        var nonce: String
    }

    let capacity: Int
    private var seen: Set<Key> = []
    private var expiries = MinHeap<Key>()

    init(capacity: Int) { self.capacity = capacity }

    var count: Int { seen.count }

    mutating func insert(_ key: Key, expiresAt expiry: Int64, now: Int64) throws(RequestAuthError) {
        while let expired = expiries.popFirst(ifKeyAtMost: now - 1) { seen.remove(expired) }
        guard !seen.contains(key) else { throw .replayed }
        guard seen.count < capacity else { throw .nonceCacheFull }
        seen.insert(key)
        expiries.push(key, key: expiry)
    }
}
