import Testing

@testable import LilypadImages

@Suite struct RegistryTokenCacheTests {
    @Test func tokensArePerScopeAndExpire() async throws {
        let cache = RegistryTokenCache()
        cache.store("Bearer a", registry: "r.io", scope: "repository:a:pull", lifetime: .seconds(60))
        cache.store("Bearer b", registry: "r.io", scope: "repository:b:pull", lifetime: .milliseconds(20))
        #expect(cache.authorization(registry: "r.io", scope: "repository:a:pull") == "Bearer a")
        #expect(cache.authorization(registry: "other.io", scope: "repository:a:pull") == nil)
        #expect(cache.authorization(registry: "r.io", scope: "repository:b:pull") == "Bearer b")
        try await Task.sleep(for: .milliseconds(40))
        #expect(cache.authorization(registry: "r.io", scope: "repository:b:pull") == nil)
        cache.invalidate(registry: "r.io", scope: "repository:a:pull")
        #expect(cache.authorization(registry: "r.io", scope: "repository:a:pull") == nil)
    }
}
