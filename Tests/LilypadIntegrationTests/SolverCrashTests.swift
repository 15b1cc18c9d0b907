import AsyncHTTPClient
import Foundation
import LilypadCore
import LilypadCrypto
import LilypadSolver
import Synchronization
import Testing

@testable import LilypadSolverService

/// `lilypad solver` killed with SIGKILL in the middle of a stream of offers and matches, then
/// restarted on the same database.
@Suite("Solver crash safety", .serialized)
struct SolverCrashTests {
    let fixture = SolverProcessFixture()
    /// Offers must not expire in the middle of the test (it is about crashes, not timeouts, and a
    /// loaded machine can take longer than the 30 s match timeout).
    static let solverArguments = ["--timeout-match", "3600"]

    /// What the clients were told (HTTP 200) before the kill.
    struct Acknowledged {
        var jobOffers: Set<String> = []
        var resourceOffers: Set<String> = []
        /// Deals, each with the offer whose answer named it ("job:<id>" or "resource:<id>").
        var deals: [String: String] = [:]
    }

    @Test func acknowledgedOffersAndDealsSurviveSIGKILL() async throws {
        defer { try? FileManager.default.removeItem(atPath: fixture.home) }
        let creators = (0..<3).map { _ in PrivateKey.random() }
        let providers = (0..<3).map { _ in PrivateKey.random() }
        let acknowledged = Shared(Acknowledged())
        let nextIndex = Shared(0)
        for round in 0..<3 {
            let server = try await fixture.start(Self.solverArguments)
            let progress = Shared(0)
            let pid = server.pid
            let killer = Task {
                while progress.withLock({ $0 }) < 8 { try await Task.sleep(for: .milliseconds(5)) }
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...150)))
                kill(pid, SIGKILL)
            }
            // Three streams at once, each a job offer and then a resource offer that fits it
            // (or an earlier waiting job), until the server dies under them.
            await withTaskGroup(of: Void.self) { group in
                for stream in 0..<3 {
                    group.addTask { [fixture] in
                        let creator = SolverClient(baseURL: fixture.url, key: creators[stream])
                        let provider = SolverClient(baseURL: fixture.url, key: providers[stream])
                        while true {
                            do {
                                let job = try await creator.post(jobOffer: fixture.jobOffer(creator: creators[stream].address.checksummed))
                                acknowledged.withLock { state in
                                    state.jobOffers.insert(job.id)
                                    if !job.dealID.isEmpty { state.deals[job.dealID] = "job:" + job.id }
                                }
                                let index = nextIndex.withLock { value in
                                    value += 1
                                    return value
                                }
                                let offer = try await provider.post(resourceOffer: fixture.resourceOffer(provider: providers[stream], index: index))
                                acknowledged.withLock { state in
                                    state.resourceOffers.insert(offer.id)
                                    if !offer.dealID.isEmpty { state.deals[offer.dealID] = "resource:" + offer.id }
                                }
                                progress.withLock { $0 += 1 }
                            } catch {
                                return  // the server is gone
                            }
                        }
                    }
                }
            }
            _ = try await killer.value
            #expect(await server.wait() == .signalled(SIGKILL), "round \(round)")
        }

        let server = try await fixture.start(Self.solverArguments)
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        let snapshot = acknowledged.withLock { $0 }
        #expect(snapshot.jobOffers.count >= 24, "the streams made progress (\(snapshot.jobOffers.count) job offers acknowledged)")
        var storedJobs: Set<String> = [], storedResources: Set<String> = [], storedDeals: [String: DealContainer] = [:]
        for key in creators {
            storedJobs.formUnion(try await SolverClient(baseURL: fixture.url, key: key).jobOffers().map(\.id))
            for deal in try await SolverClient(baseURL: fixture.url, key: key).deals(DealQuery()) { storedDeals[deal.id] = deal }
        }
        for key in providers {
            storedResources.formUnion(try await SolverClient(baseURL: fixture.url, key: key).resourceOffers().map(\.id))
        }
        #expect(snapshot.jobOffers.isSubset(of: storedJobs), "lost job offers: \(snapshot.jobOffers.subtracting(storedJobs))")
        #expect(
            snapshot.resourceOffers.isSubset(of: storedResources), "lost resource offers: \(snapshot.resourceOffers.subtracting(storedResources))")
        for (dealID, offer) in snapshot.deals {
            let deal = try #require(storedDeals[dealID], "lost deal \(dealID)")
            #expect(offer == "job:" + deal.jobOffer || offer == "resource:" + deal.resourceOffer)
            #expect(deal.state == .dealAgreed)
        }
        #expect(!snapshot.deals.isEmpty)
        // No offer is in two deals, and every stored deal's offers point back at it.
        #expect(Set(storedDeals.values.map(\.resourceOffer)).count == storedDeals.count)
        #expect(Set(storedDeals.values.map(\.jobOffer)).count == storedDeals.count)
        // Everything that arrived is matched: each stream posted a fitting resource offer after each job offer.
        var waiting = 0, free = 0
        for key in creators { waiting += try await SolverClient(baseURL: fixture.url, key: key).jobOffers(JobOfferQuery(notMatched: true)).count }
        for key in providers {
            free += try await SolverClient(baseURL: fixture.url, key: key).resourceOffers(ResourceOfferQuery(notMatched: true)).count
        }
        #expect(waiting == 0 || free == 0, "\(waiting) job offers wait beside \(free) free resource offers that fit them")
        // Matching continues after the restarts: a big job, then big offers, each taking the oldest
        // waiting job (jobs stored but never answered may still wait) until the big job has its deal.
        let creator = SolverClient(baseURL: fixture.url, key: creators[0])
        let job = try await creator.post(jobOffer: fixture.jobOffer(creator: creators[0].address.checksummed, cpu: 64_000))
        #expect(job.state == .dealNegotiating)
        let provider = SolverClient(baseURL: fixture.url, key: providers[0])
        var index = nextIndex.withLock { $0 }
        for _ in 0...waiting {
            index += 1
            let offer = try await provider.post(resourceOffer: fixture.resourceOffer(provider: providers[0], index: index, cpu: 64_000))
            #expect(offer.state == .dealAgreed)
        }
        #expect(try await creator.jobOffer(id: job.id).state == .dealAgreed)
    }

    /// A signed request accepted before a restart (here a SIGKILL, so nothing is flushed on the way
    /// out) is refused when replayed to the restarted solver: accepted nonces live in its database.
    @Test func replayAfterRestartIsRefused() async throws {
        defer { try? FileManager.default.removeItem(atPath: fixture.home) }
        let client = SolverClient(baseURL: fixture.url, key: fixture.jobCreator)
        let body = try GoJSONEncoder().encode(fixture.jobOffer())
        let signed = SignedRequest.sign(
            method: "POST", target: "/api/v1/job_offers", audience: "127.0.0.1:\(fixture.port)", body: body, key: fixture.jobCreator)
        let read = SignedRequest.sign(
            method: "GET", target: "/api/v1/deals", audience: "127.0.0.1:\(fixture.port)", body: [UInt8](), key: fixture.jobCreator)
        let first = try await fixture.start(Self.solverArguments)
        let posted: JobOfferContainer = try await client.send("POST", "/api/v1/job_offers", body: body, signed: signed)
        let _: [DealContainer] = try await client.send("GET", "/api/v1/deals", body: [], signed: read)
        first.send(SIGKILL)
        first.waitUntilExit()
        let second = try await fixture.start(Self.solverArguments)
        defer {
            second.terminate()
            second.waitUntilExit()
        }
        for (method, path, payload, request) in [("POST", "/api/v1/job_offers", body, signed), ("GET", "/api/v1/deals", [], read)] {
            do {
                let (status, data) = try await client.exchange(
                    method, path, body: payload, contentType: "application/json", timeout: .seconds(10), limit: 1 << 20, signed: request)
                #expect(status == 401, "\(method) \(path) replayed after the restart: HTTP \(status)")
                let reason = String(decoding: data, as: UTF8.self)
                #expect(reason.contains("already received"), "\(reason)")
            }
        }
        // The offer itself survived, and fresh requests are accepted.
        #expect(try await client.jobOffer(id: posted.id).id == posted.id)
    }
}

/// A value shared between tasks.
final class Shared<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) { mutex = Mutex(value) }

    func withLock<T>(_ body: (inout Value) -> T) -> T { mutex.withLock { body(&$0) } }
}
