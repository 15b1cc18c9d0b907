import Hummingbird
import LilypadCore
import LilypadCrypto
import LilypadSolver

extension SolverServer {
    /// Lilypad's listings, with its query filters, for signed requests only and holding only the
    /// signer's own records (Lilypad's are public and show every job's inputs):
    ///
    /// ```
    /// GET /api/v1/job_offers?job_creator=&not_matched=true&active=true&cancelled=true|false
    /// GET /api/v1/resource_offers?resource_provider=&active=true&not_matched=true
    /// GET /api/v1/deals?job_creator=&resource_provider=&state=DealAgreed
    /// ```
    ///
    /// A filter naming another job creator or provider in the offer listings is a 403; an unknown
    /// filter, a malformed address, boolean or state is a 400 saying what to write.
    static func addListingRoutes(to router: Router<SolverRequestContext>, solver: Solver, auth: Authenticator) {
        router.get("/api/v1/job_offers") { request, _ -> Response in
            let (signer, _) = try await auth.authenticate(request)
            let query = try parse { () throws(ListingQueryError) in try JobOfferQuery(parameters: parameters(of: request)) }
            return try json(try await run { try await solver.jobOffers(query, requester: signer) })
        }
        router.get("/api/v1/resource_offers") { request, _ -> Response in
            let (signer, _) = try await auth.authenticate(request)
            let query = try parse { () throws(ListingQueryError) in try ResourceOfferQuery(parameters: parameters(of: request)) }
            return try json(try await run { try await solver.resourceOffers(query, requester: signer) })
        }
        router.get("/api/v1/deals") { request, _ -> Response in
            let (signer, _) = try await auth.authenticate(request)
            let query = try parse { () throws(ListingQueryError) in try DealQuery(parameters: parameters(of: request)) }
            return try json(try await run { try await solver.deals(query, requester: signer) })
        }
    }

    /// The request's query parameters, decoded, in order.
    static func parameters(of request: Request) -> [(name: String, value: String)] {
        request.uri.queryParameters.map { (name: String($0.key), value: String($0.value)) }
    }

    static func parse<T>(_ body: () throws(ListingQueryError) -> T) throws -> T {
        do { return try body() } catch { throw SolverHTTPError(status: .badRequest, message: error.message) }
    }
}
