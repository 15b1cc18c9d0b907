import Foundation
import Synchronization

/// A token bucket per API key: each key may make `rate` requests per second on average, with
/// bursts of up to `rate` requests.
public final class KeyRateLimiter: Sendable {
    struct Bucket {
        var tokens: Double
        var updated: Double
    }

    private let buckets = Mutex<[String: Bucket]>([:])

    public init() {}

    /// Takes one token from `key`'s bucket; false when it is empty (answer 429).
    /// `now` is in seconds on any monotonic clock.
    public func admit(key: String, rate: Int, now: Double = KeyRateLimiter.now()) -> Bool {
        let capacity = Double(max(rate, 1))
        return buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: capacity, updated: now)
            bucket.tokens = min(capacity, bucket.tokens + max(0, now - bucket.updated) * capacity)
            bucket.updated = now
            let admitted = bucket.tokens >= 1
            if admitted { bucket.tokens -= 1 }
            buckets[key] = bucket
            return admitted
        }
    }

    /// Seconds on the monotonic clock.
    public static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
