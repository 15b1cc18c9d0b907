import Synchronization

/// `Authorization` values per registry and scope, until they expire.
final class RegistryTokenCache: Sendable {
    private struct Entry {
        var authorization: String
        var expires: ContinuousClock.Instant
    }

    private let entries = Mutex<[String: Entry]>([:])

    private static func key(_ registry: String, _ scope: String) -> String { registry + " " + scope }

    /// The cached value for `scope` at `registry`, if it has not expired.
    func authorization(registry: String, scope: String) -> String? {
        let key = Self.key(registry, scope)
        return entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            guard entry.expires > .now else {
                entries[key] = nil
                return nil
            }
            return entry.authorization
        }
    }

    func store(_ authorization: String, registry: String, scope: String, lifetime: Duration) {
        let entry = Entry(authorization: authorization, expires: .now + lifetime)
        entries.withLock { $0[Self.key(registry, scope)] = entry }
    }

    func invalidate(registry: String, scope: String) {
        _ = entries.withLock { $0.removeValue(forKey: Self.key(registry, scope)) }
    }
}
