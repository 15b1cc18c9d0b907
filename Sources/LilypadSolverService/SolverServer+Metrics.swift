import Hummingbird
import LilypadSolver

extension SolverServer {
    /// `GET /metrics`: ``SolverMetrics`` in Prometheus' text format (unauthenticated, counts only).
    static func addMetricsRoutes(to router: Router<SolverRequestContext>, solver: Solver, metrics: SolverMetrics) {
        router.get("/metrics") { _, _ -> Response in
            let deals = try await run { try await solver.dealCountsByState() }
            let text = metrics.render(
                waitingJobOffers: await solver.waitingJobOffers, freeResourceOffers: await solver.freeResourceOffers,
                eventStreams: await solver.eventStreams, dealsByState: deals)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }
}
