import AsyncHTTPClient
import Foundation
import HTTPTypes
import HummingbirdWSClient
import LilypadCore
import LilypadCrypto
import Logging
import NIOCore
import Testing

@testable import LilypadSolverService

/// One party's WebSocket connection to the solver, collecting what it receives.
final class EventListener: Sendable {
    private let received = Shared<[SolverEvent]>([])
    private let isConnected = Shared(false)
    private let task: Task<Void, any Error>

    /// Connects as `key` (a signed upgrade of `/api/v1/ws?after=seq`) and waits until the upgrade succeeded.
    init(url: String, key: PrivateKey, after seq: Int = 0) async throws {
        let client = SolverClient(baseURL: url, key: key)
        let (received, isConnected) = (received, isConnected)
        task = Task {
            try await client.followEvents(after: seq, logger: Logger(label: "test.ws"), connected: { isConnected.withLock { $0 = true } }) {
                event in received.withLock { $0.append(event) }
            }
        }
        let deadline = ContinuousClock.now + .seconds(20)
        while !isConnected.withLock({ $0 }) {
            guard ContinuousClock.now < deadline else {
                task.cancel()
                throw FixtureError("the WebSocket to \(url) did not connect")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    var events: [SolverEvent] { received.withLock { $0 } }

    /// Waits until `condition` holds for what was received (at most 20 s), then returns it.
    @discardableResult
    func wait(until condition: ([SolverEvent]) -> Bool) async throws -> [SolverEvent] {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            let events = self.events
            if condition(events) { return events }
            try await Task.sleep(for: .milliseconds(20))
        }
        let events = self.events
        Issue.record("timed out waiting for events; received \(events.map { "\($0.seq) \($0.kind.rawValue)" })")
        return events
    }

    func close() async {
        task.cancel()
        _ = await task.result
    }
}

/// The solver's WebSocket event stream (`WS /api/v1/ws?after=N`) against a real `lilypad solver`
/// process: each connection is signed, sees only its own party's events (Lilypad broadcast every
/// event to every client, inputs included), and resumes after `N` without a gap.
@Suite("Solver WebSocket events", .serialized)
struct SolverWebSocketTests {
    let fixture = SolverProcessFixture()
    let otherCreator = PrivateKey.random()
    let otherProvider = PrivateKey.random()

    /// Everything `key`'s party may see: it is the offer's owner, or a party to the deal.
    static func concerns(_ event: SolverEvent, _ key: PrivateKey) -> Bool {
        event.audience.contains(key.address.lowercased)
    }

    @Test func eachPartyReceivesOnlyItsOwnEvents() async throws {
        try await fixture.withSolver {
            let creatorA = try await EventListener(url: fixture.url, key: fixture.jobCreator)
            let providerA = try await EventListener(url: fixture.url, key: fixture.provider)
            let creatorB = try await EventListener(url: fixture.url, key: otherCreator)
            // A's offers match each other, then B's: each job offer is matched by the next resource offer.
            let jobA = try await SolverClient(baseURL: fixture.url, key: fixture.jobCreator).post(jobOffer: fixture.jobOffer())
            let resourceA = try await SolverClient(baseURL: fixture.url, key: fixture.provider).post(resourceOffer: fixture.resourceOffer())
            let jobB = try await SolverClient(baseURL: fixture.url, key: otherCreator).post(
                jobOffer: fixture.jobOffer(creator: otherCreator.address.checksummed))
            let resourceB = try await SolverClient(baseURL: fixture.url, key: otherProvider).post(
                resourceOffer: fixture.resourceOffer(provider: otherProvider))
            #expect(resourceA.dealID != "" && resourceB.dealID != "" && resourceA.dealID != resourceB.dealID)
            func hasDeal(_ id: String) -> ([SolverEvent]) -> Bool { { events in events.contains { $0.kind == .dealAdded && $0.deal?.id == id } } }
            let a = try await creatorA.wait(until: hasDeal(resourceA.dealID))
            let p = try await providerA.wait(until: hasDeal(resourceA.dealID))
            let b = try await creatorB.wait(until: hasDeal(resourceB.dealID))
            // B's deal is the last thing that happens: once B has it, A would have had B's events too.
            try await Task.sleep(for: .milliseconds(300))
            let (allA, allP, allB) = (creatorA.events, providerA.events, creatorB.events)
            #expect(a.contains { $0.kind == .jobOfferAdded && $0.jobOffer?.id == jobA.id })
            #expect(p.contains { $0.kind == .resourceOfferAdded && $0.resourceOffer?.id == resourceA.id })
            #expect(b.contains { $0.kind == .jobOfferAdded && $0.jobOffer?.id == jobB.id })
            for (events, key, name) in [
                (allA, fixture.jobCreator, "A's job creator"), (allP, fixture.provider, "A's provider"), (allB, otherCreator, "B"),
            ] {
                for event in events {
                    #expect(Self.concerns(event, key), "\(name) received someone else's event \(event.seq) \(event.kind.rawValue)")
                }
                #expect(
                    events.map(\.seq) == events.map(\.seq).sorted() && Set(events.map(\.seq)).count == events.count, "\(name): in order, once each")
            }
            // Nothing of B's reached A, and nothing of A's reached B: not its job offer (which carries the inputs), not its deal.
            #expect(!allA.contains { $0.jobOffer?.id == jobB.id || $0.deal?.id == resourceB.dealID || $0.resourceOffer?.id == resourceB.id })
            #expect(!allB.contains { $0.jobOffer?.id == jobA.id || $0.deal?.id == resourceA.dealID || $0.resourceOffer?.id == resourceA.id })
            // The provider sees its own offer and deal, not the other provider's.
            #expect(!allP.contains { $0.resourceOffer?.id == resourceB.id || $0.deal?.id == resourceB.dealID })
            for listener in [creatorA, providerA, creatorB] { await listener.close() }
        }
    }

    @Test func resumingAfterNMissesNothing() async throws {
        try await fixture.withSolver {
            let creator = SolverClient(baseURL: fixture.url, key: fixture.jobCreator)
            let provider = SolverClient(baseURL: fixture.url, key: fixture.provider)
            _ = try await creator.post(jobOffer: fixture.jobOffer())
            let first = try await provider.post(resourceOffer: fixture.resourceOffer())
            // Listen, then drop the connection part way.
            let listener = try await EventListener(url: fixture.url, key: fixture.jobCreator)
            let seen = try await listener.wait { $0.contains { $0.deal?.id == first.dealID } }
            await listener.close()
            let lastSeen = try #require(seen.last).seq
            // While disconnected: a second deal, and the first one's result accepted.
            _ = try await provider.post(
                result: JobResult(dealID: first.dealID, dataID: "QmWjueeHuHM1B7xYV7Hzt4278fEYardqg6qXqawkGvwqsj"), dealID: first.dealID)
            _ = try await creator.acceptResult(dealID: first.dealID)
            _ = try await creator.post(jobOffer: fixture.jobOffer())
            let second = try await provider.post(resourceOffer: fixture.resourceOffer(index: 1))
            // Resume after the last event seen: exactly what the log holds after it, then live events.
            let expected = try await creator.events(after: lastSeen).map(\.seq)
            #expect(expected.count >= 6)
            let resumed = try await EventListener(url: fixture.url, key: fixture.jobCreator, after: lastSeen)
            let backlog = try await resumed.wait { $0.count >= expected.count }
            #expect(backlog.map(\.seq) == expected)
            #expect(backlog.contains { $0.deal?.id == second.dealID && $0.kind == .dealAdded })
            #expect(backlog.contains { $0.deal?.state == .resultsAccepted })
            _ = try await creator.acceptResultAfterSubmission(provider: provider, dealID: second.dealID)
            // Live events arrive in the same order as the log, none skipped.
            let all = try await creator.events(after: lastSeen).map(\.seq)
            #expect(all.count > expected.count)
            let live = try await resumed.wait { $0.count >= all.count }
            #expect(live.map(\.seq) == all)
            #expect(live.contains { $0.deal?.id == second.dealID && $0.deal?.state == .resultsAccepted })
            await resumed.close()
        }
    }

    @Test func unsignedBadlySignedAndReplayedUpgradesAreRefused() async throws {
        try await fixture.withSolver {
            let authority = "127.0.0.1:\(fixture.port)"
            func connect(_ path: String, _ signed: SignedRequest?) async -> Bool {
                var headers = HTTPFields()
                for (name, value) in signed?.fields ?? [] {
                    if let field = HTTPField.Name(name) { headers.append(HTTPField(name: field, value: value)) }
                }
                let url = "ws://\(authority)\(path)"
                do {
                    try await WebSocketClient.connect(
                        url: url, configuration: .init(additionalHeaders: headers), logger: Logger(label: "test.ws")
                    ) { _, outbound, _ in try await outbound.close(.normalClosure, reason: nil) }
                    return true
                } catch { return false }
            }
            let key = fixture.jobCreator
            #expect(await connect("/api/v1/ws?after=0", nil) == false, "an unsigned upgrade was accepted")
            // Signed for another query (the signature covers the target), by a key other than the
            // claimed address, for another host.
            let otherTarget = SignedRequest.sign(method: "GET", target: "/api/v1/ws?after=5", audience: authority, body: [UInt8](), key: key)
            #expect(await connect("/api/v1/ws?after=0", otherTarget) == false, "an upgrade signed for another target was accepted")
            var forged = SignedRequest.sign(
                method: "GET", target: "/api/v1/ws?after=0", audience: authority, body: [UInt8](), key: PrivateKey.random())
            forged.address = key.address
            #expect(await connect("/api/v1/ws?after=0", forged) == false, "an upgrade claiming another address was accepted")
            let otherHost = SignedRequest.sign(method: "GET", target: "/api/v1/ws?after=0", audience: "elsewhere:1", body: [UInt8](), key: key)
            #expect(await connect("/api/v1/ws?after=0", otherHost) == false, "an upgrade signed for another service was accepted")
            // A good signature works once only.
            let good = SignedRequest.sign(method: "GET", target: "/api/v1/ws?after=0", audience: authority, body: [UInt8](), key: key)
            #expect(await connect("/api/v1/ws?after=0", good) == true, "a signed upgrade was refused")
            #expect(await connect("/api/v1/ws?after=0", good) == false, "a replayed upgrade was accepted")
            // Refusals are 401s with their reason, not a bare 405.
            let response = try await fixture.get("/api/v1/ws?after=0")
            #expect(response.status.code == 401)
            let reason = String(buffer: try await response.body.collect(upTo: 1 << 16))
            #expect(reason.contains("X-Lilypad"), "\(reason)")
        }
    }
}

extension SolverClient {
    /// The provider reports a result for `dealID`, then this job creator accepts it.
    fileprivate func acceptResultAfterSubmission(provider: SolverClient, dealID: String) async throws -> DealContainer {
        _ = try await provider.post(result: JobResult(dealID: dealID, dataID: "QmWjueeHuHM1B7xYV7Hzt4278fEYardqg6qXqawkGvwqsj"), dealID: dealID)
        return try await acceptResult(dealID: dealID)
    }
}
