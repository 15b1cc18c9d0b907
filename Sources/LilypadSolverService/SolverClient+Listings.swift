import LilypadCore
import LilypadSolver

extension SolverClient {
    /// This key's job offers, narrowed by Lilypad's filters.
    public func jobOffers(_ query: JobOfferQuery = JobOfferQuery()) async throws(Failure) -> [JobOfferContainer] {
        try await send("GET", Self.target("/api/v1/job_offers", query.parameters), body: [])
    }

    /// This key's resource offers, narrowed by Lilypad's filters.
    public func resourceOffers(_ query: ResourceOfferQuery = ResourceOfferQuery()) async throws(Failure) -> [ResourceOfferContainer] {
        try await send("GET", Self.target("/api/v1/resource_offers", query.parameters), body: [])
    }

    /// Deals this key is a party of, narrowed by Lilypad's filters.
    public func deals(_ query: DealQuery) async throws(Failure) -> [DealContainer] {
        try await send("GET", Self.target("/api/v1/deals", query.parameters), body: [])
    }

    /// `path?name=value&…`, values percent-encoded (the signature covers the target as sent).
    static func target(_ path: String, _ parameters: [(name: String, value: String)]) -> String {
        guard !parameters.isEmpty else { return path }
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
        func encode(_ text: String) -> String {
            text.utf8.map { allowed.contains($0) ? String(UnicodeScalar($0)) : "%" + String($0, radix: 16, uppercase: true).leftPadded() }.joined()
        }
        return path + "?" + parameters.map { encode($0.name) + "=" + encode($0.value) }.joined(separator: "&")
    }
}

extension String {
    fileprivate func leftPadded() -> String { count < 2 ? "0" + self : self }
}
