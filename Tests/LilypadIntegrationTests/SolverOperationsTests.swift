import AsyncHTTPClient
import Foundation
import LilypadCore
import LilypadCrypto
import LilypadSolver
import Testing

@testable import LilypadSolverService

/// Listings, metrics and shutdown of a `lilypad solver` process.
@Suite("Solver operations", .serialized)
struct SolverOperationsTests {
    let fixture = SolverProcessFixture()

    @Test func listingsAreSignedOwnAndFiltered() async throws {
        try await fixture.withSolver {
            let creator = SolverClient(baseURL: fixture.url, key: fixture.jobCreator)
            let provider = SolverClient(baseURL: fixture.url, key: fixture.provider)
            let matched = try await creator.post(jobOffer: fixture.jobOffer())
            let offer = try await provider.post(resourceOffer: fixture.resourceOffer())
            let waiting = try await creator.post(jobOffer: fixture.jobOffer(cpu: 64_000))
            #expect(try await creator.jobOffers().map(\.id) == [matched.id, waiting.id])
            #expect(try await creator.jobOffers(JobOfferQuery(jobCreator: fixture.jobCreator.address, notMatched: true)).map(\.id) == [waiting.id])
            #expect(try await creator.jobOffers(JobOfferQuery(active: true, cancelled: false)).count == 2)
            #expect(try await provider.resourceOffers(ResourceOfferQuery(active: true)).map(\.id) == [offer.id])
            #expect(try await provider.resourceOffers(ResourceOfferQuery(notMatched: true)).isEmpty)
            #expect(try await creator.deals(DealQuery(state: .dealAgreed)).map(\.id) == [offer.dealID])
            #expect(try await provider.deals(DealQuery(jobCreator: fixture.jobCreator.address, state: .dealAgreed)).count == 1)
            #expect(try await creator.deals(DealQuery(state: .resultsAccepted)).isEmpty)
            // Strangers see nothing; offer listings naming someone else are refused.
            let stranger = SolverClient(baseURL: fixture.url, key: PrivateKey.random())
            #expect(try await stranger.jobOffers().isEmpty)
            #expect(try await stranger.resourceOffers().isEmpty)
            #expect(try await stranger.deals(DealQuery()).isEmpty)
            do {
                _ = try await stranger.jobOffers(JobOfferQuery(jobCreator: fixture.jobCreator.address))
                Issue.record("another creator's job offers were listed")
            } catch { #expect(SolverProcessFixture.status(error) == 403) }
            // Bad filters: 400 with what to write.
            for (target, expected) in [
                ("/api/v1/deals?state=Finished", "not an agreement state"),
                ("/api/v1/job_offers?active=yes", "active=true or active=false"),
                ("/api/v1/resource_offers?resource_provider=bob", "not an address"),
                ("/api/v1/job_offers?limit=5", "unknown filter"),
            ] {
                do {
                    let _: [DealContainer] = try await creator.send("GET", target, body: [])
                    Issue.record("\(target) was accepted")
                } catch {
                    #expect(SolverProcessFixture.status(error) == 400, "\(target)")
                    #expect("\(error)".contains(expected), "\(target): \(error)")
                }
            }
            // Unsigned listings are refused (Lilypad's were public).
            #expect(try await fixture.get("/api/v1/job_offers").status.code == 401)
            #expect(try await fixture.get("/api/v1/deals?state=DealAgreed").status.code == 401)
        }
    }

    @Test func prometheusMetrics() async throws {
        try await fixture.withSolver {
            let creator = SolverClient(baseURL: fixture.url, key: fixture.jobCreator)
            let provider = SolverClient(baseURL: fixture.url, key: fixture.provider)
            _ = try await creator.post(jobOffer: fixture.jobOffer())
            _ = try await creator.post(jobOffer: fixture.jobOffer(cpu: 64_000))
            _ = try await provider.post(resourceOffer: fixture.resourceOffer())
            _ = try await provider.post(resourceOffer: fixture.resourceOffer(index: 1, cpu: 500))
            _ = try? await creator.deal(id: "QmNothing")
            let response = try await fixture.get("/metrics")
            #expect(response.headers.first(name: "Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
            let lines = Set(text.split(separator: "\n").map(String.init))
            for expected in [
                "lilypad_solver_job_offers_waiting 1",
                "lilypad_solver_resource_offers_free 1",
                "lilypad_solver_deals{state=\"DealAgreed\"} 1",
                "lilypad_solver_deals{state=\"ResultsAccepted\"} 0",
                "lilypad_solver_match_duration_seconds_count 1",
                "lilypad_solver_match_duration_seconds_bucket{le=\"+Inf\"} 1",
                "lilypad_solver_http_requests_total{status=\"200\"} 5",
                "lilypad_solver_http_requests_total{status=\"404\"} 1",
                "# TYPE lilypad_solver_match_duration_seconds histogram",
            ] {
                #expect(lines.contains(expected), "missing \(expected) in\n\(text)")
            }
            // Histogram buckets are cumulative.
            let buckets = lines.filter { $0.hasPrefix("lilypad_solver_match_duration_seconds_bucket") }.sorted()
            #expect(buckets.count == SolverMetrics.matchBuckets.count + 1)
            // The health check stays.
            #expect(try await fixture.get("/api/v1/health").status == .ok)
        }
    }

    @Test(arguments: [SIGTERM, SIGINT])
    func signalsStopTheSolverGracefully(signal: Int32) async throws {
        let process = try await fixture.start()
        defer { try? FileManager.default.removeItem(atPath: fixture.home) }
        _ = try await SolverClient(baseURL: fixture.url, key: fixture.jobCreator).post(jobOffer: fixture.jobOffer())
        process.send(signal)
        #expect(await process.wait() == .exited(0))
        // The next start finds the offer.
        let restarted = try await fixture.start()
        defer {
            restarted.terminate()
            restarted.waitUntilExit()
        }
        #expect(try await SolverClient(baseURL: fixture.url, key: fixture.jobCreator).jobOffers().count == 1)
    }

    /// A client waiting in a long poll does not hold a stopping solver up: the poll is answered
    /// (no events; the client polls again elsewhere or later) as the shutdown begins, where it
    /// used to keep its connection until the grace period ran out and was then cut off.
    @Test func aWaitingLongPollIsAnsweredWhenTheSolverStops() async throws {
        let process = try await fixture.start()
        defer { try? FileManager.default.removeItem(atPath: fixture.home) }
        let client = SolverClient(baseURL: fixture.url, key: fixture.jobCreator)
        let poll = Task { try await client.events(after: 0, wait: 60) }
        var waiting = false
        for _ in 0..<800 where !waiting {
            let metrics = String(buffer: try await fixture.get("/metrics").body.collect(upTo: 1 << 20))
            waiting = metrics.contains("lilypad_solver_event_streams 1\n")
            if !waiting { try await Task.sleep(for: .milliseconds(25)) }
        }
        #expect(waiting, "the long poll never reached the solver")
        process.terminate()
        #expect(try await poll.value.isEmpty)
        #expect(await process.wait() == .exited(0))
    }
}
