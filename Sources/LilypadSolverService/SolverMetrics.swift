import Foundation
import Hummingbird
import LilypadCore
import LilypadSolver
import Synchronization

/// The solver's counters, exported at `GET /metrics` in Prometheus' text format (version 0.0.4).
///
/// ```
/// lilypad_solver_job_offers_waiting                 gauge     job offers waiting for a resource offer
/// lilypad_solver_resource_offers_free               gauge     resource offers not in a deal
/// lilypad_solver_deals{state="DealAgreed"}          gauge     deals by state (every state, 0 included)
/// lilypad_solver_match_duration_seconds             histogram an offer that made a deal: checks, match, durable commit
/// lilypad_solver_http_requests_total{status="200"}  counter   answered requests by status
/// ```
public final class SolverMetrics: Sendable {
    /// Upper bounds of the match latency histogram's buckets, in seconds.
    public static let matchBuckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

    private struct State {
        var requestsByStatus: [Int: Int] = [:]
        var matchCounts = [Int](repeating: 0, count: SolverMetrics.matchBuckets.count)
        var matchCount = 0
        var matchSum = 0.0
    }

    private let state = Mutex(State())

    public init() {}

    /// Counts an answered request.
    public func recordRequest(status: Int) {
        state.withLock { $0.requestsByStatus[status, default: 0] += 1 }
    }

    /// Records how long an offer that made a deal took to handle.
    public func recordMatch(seconds: Double) {
        state.withLock { state in
            state.matchCount += 1
            state.matchSum += seconds
            for (index, bound) in Self.matchBuckets.enumerated() where seconds <= bound { state.matchCounts[index] += 1 }
        }
    }

    /// Requests answered with `status` so far.
    public func requests(status: Int) -> Int { state.withLock { $0.requestsByStatus[status, default: 0] } }

    /// The exposition text, with the solver's gauges read now.
    public func render(waitingJobOffers: Int, freeResourceOffers: Int, eventStreams: Int, dealsByState: [AgreementState: Int]) -> String {
        let snapshot = state.withLock { $0 }
        var text = ""
        func metric(_ name: String, _ type: String, _ help: String) { text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n" }
        metric("lilypad_solver_job_offers_waiting", "gauge", "Job offers waiting for a resource offer.")
        text += "lilypad_solver_job_offers_waiting \(waitingJobOffers)\n"
        metric("lilypad_solver_resource_offers_free", "gauge", "Resource offers not in a deal.")
        text += "lilypad_solver_resource_offers_free \(freeResourceOffers)\n"
        metric("lilypad_solver_event_streams", "gauge", "Event streams open: WebSockets, and long polls waiting for an event.")
        text += "lilypad_solver_event_streams \(eventStreams)\n"
        metric("lilypad_solver_deals", "gauge", "Deals by agreement state.")
        for state in AgreementState.allCases {
            text += "lilypad_solver_deals{state=\"\(state.name)\"} \(dealsByState[state, default: 0])\n"
        }
        metric(
            "lilypad_solver_match_duration_seconds", "histogram",
            "Time to handle an offer that made a deal: checks, matching and the deal's durable commit.")
        for (index, bound) in Self.matchBuckets.enumerated() {
            text += "lilypad_solver_match_duration_seconds_bucket{le=\"\(Self.number(bound))\"} \(snapshot.matchCounts[index])\n"
        }
        text += "lilypad_solver_match_duration_seconds_bucket{le=\"+Inf\"} \(snapshot.matchCount)\n"
        text += "lilypad_solver_match_duration_seconds_sum \(Self.number(snapshot.matchSum))\n"
        text += "lilypad_solver_match_duration_seconds_count \(snapshot.matchCount)\n"
        metric("lilypad_solver_http_requests_total", "counter", "HTTP requests answered, by status.")
        for (status, count) in snapshot.requestsByStatus.sorted(by: { $0.key < $1.key }) {
            text += "lilypad_solver_http_requests_total{status=\"\(status)\"} \(count)\n"
        }
        return text
    }

    /// A float as Prometheus writes it (no exponent for the values used here).
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%.6g", value)
    }
}

/// Counts every answered request by status in ``SolverMetrics`` (refusals thrown as errors included).
public struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: SolverMetrics

    /// A middleware counting into `metrics`.
    public init(metrics: SolverMetrics) { self.metrics = metrics }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            let response = try await next(request, context)
            metrics.recordRequest(status: response.status.code)
            return response
        } catch let error as any HTTPResponseError {
            metrics.recordRequest(status: error.status.code)
            throw error
        } catch {
            metrics.recordRequest(status: 500)
            throw error
        }
    }
}
