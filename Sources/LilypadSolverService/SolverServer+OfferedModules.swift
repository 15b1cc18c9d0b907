import Hummingbird
import LilypadSolver

extension SolverServer {
    /// `GET /api/v1/offered_modules`: every active resource offer's provider and module allowlist
    /// (``OfferedModules``), unsigned: it carries no job data. Gateways list their models from it.
    static func addOfferedModulesRoute(to router: Router<SolverRequestContext>, solver: Solver) {
        router.get("/api/v1/offered_modules") { _, _ -> Response in
            try json(try await run { try await solver.offeredModules() })
        }
    }
}

extension SolverClient {
    /// What the active resource offers are willing to run (``SolverServer`` `GET /api/v1/offered_modules`).
    public func offeredModules() async throws(Failure) -> [OfferedModules] {
        try await send("GET", "/api/v1/offered_modules", body: [])
    }
}
