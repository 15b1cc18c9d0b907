import Foundation
import LilypadCore
import LilypadCrypto
import Testing

@testable import LilypadSolver

@Suite("Solver", .serialized)
struct SolverTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("solver-\(UUID().uuidString)").path
    let solverKey = PrivateKey.random()
    let jobCreator = PrivateKey.random()
    let provider = PrivateKey.random()
    let mediator = PrivateKey.random().address.checksummed
    let now = 1_764_000_000_000

    func open() throws -> Solver {
        try Solver(store: try SolverStore(path: directory + "/solver.sqlite"), configuration: .init(address: solverKey.address))
    }

    func job(_ nonce: String = "n1", at time: Int? = nil, cpu: Millicores = 1000) -> JobOffer {
        JobOffer(
            createdAt: time ?? now, nonce: nonce, jobCreator: jobCreator.address.checksummed,
            module: ModuleConfig(name: "cowsay:v0.0.4", repo: "https://github.com/Lilypad-Tech/lilypad-module-cowsay", hash: "v0.0.4"),
            spec: MachineSpec(cpu: cpu, ram: 100), inputs: ["Message": "\"hi\""],
            services: ServiceConfig(solver: solverKey.address.checksummed, mediator: [mediator]))
    }

    func resource(index: Int = 0, mode: PricingMode = .fixedPrice) -> ResourceOffer {
        ResourceOffer(
            createdAt: now, resourceProvider: provider.address.checksummed, index: index, spec: MachineSpec(cpu: 2000, ram: 4096), mode: mode,
            services: ServiceConfig(solver: solverKey.address.checksummed, mediator: [mediator]))
    }

    @Test func offersMatchIntoAStoredDeal() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let solver = try open()
        let waiting = try await solver.post(jobOffer: job(), signer: jobCreator.address, now: now)
        let expectedID = try job().computeID()
        #expect(waiting.state == .dealNegotiating && waiting.id == expectedID)
        let matched = try await solver.post(resourceOffer: resource(), signer: provider.address, now: now)
        #expect(matched.state == .dealAgreed && !matched.dealID.isEmpty)
        let deal = try await solver.deal(id: matched.dealID, requester: jobCreator.address)
        #expect(deal.jobOffer == waiting.id && deal.state == .dealAgreed)
        #expect(deal.id == (try deal.deal.computeID()))
        #expect(try await solver.jobOffer(id: waiting.id, requester: jobCreator.address).dealID == deal.id)
        // Only the deal's parties and mediators may read it, and only the creator its job offer.
        let stranger = PrivateKey.random().address
        await #expect(throws: SolverError.self) { _ = try await solver.deal(id: deal.id, requester: stranger) }
        await #expect(throws: SolverError.self) { _ = try await solver.jobOffer(id: waiting.id, requester: provider.address) }
        #expect(try await solver.deals(of: provider.address).map(\.id) == [deal.id])
        #expect(try await solver.deals(of: stranger).isEmpty)
    }

    @Test func refusalsAreExplicit() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let solver = try open()
        let wrongSigner = await #expect(throws: SolverError.self) { _ = try await solver.post(jobOffer: job(), signer: provider.address, now: now) }
        #expect(wrongSigner?.httpStatus == 403)
        await #expect(throws: SolverError.staleTimestamp(skewMilliseconds: -31_000, windowMilliseconds: 30_000)) {
            _ = try await solver.post(jobOffer: job(at: now - 31_000), signer: jobCreator.address, now: now)
        }
        _ = try await solver.post(jobOffer: job("ok", at: now + 29_000), signer: jobCreator.address, now: now)
        var noMediator = job("m")
        noMediator.services.mediator = []
        let missingMediator = await #expect(throws: SolverError.self) {
            _ = try await solver.post(jobOffer: noMediator, signer: jobCreator.address, now: now)
        }
        #expect(missingMediator?.httpStatus == 400)
        var otherSolver = job("s")
        otherSolver.services.solver = provider.address.checksummed
        let wrongSolver = await #expect(throws: SolverError.self) {
            _ = try await solver.post(jobOffer: otherSolver, signer: jobCreator.address, now: now)
        }
        #expect(wrongSolver?.httpStatus == 400)
        let market = await #expect(throws: SolverError.self) {
            _ = try await solver.post(resourceOffer: resource(mode: .marketPrice), signer: provider.address, now: now)
        }
        #expect(market?.description.contains("FixedPrice") == true)
    }

    @Test func duplicateSlotIsA409NotASilentNull() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let solver = try open()
        _ = try await solver.post(resourceOffer: resource(index: 0), signer: provider.address, now: now)
        let duplicate = await #expect(throws: SolverError.self) {
            _ = try await solver.post(resourceOffer: resource(index: 0), signer: provider.address, now: now)
        }
        #expect(duplicate?.httpStatus == 409)
        _ = try await solver.post(resourceOffer: resource(index: 1), signer: provider.address, now: now)
    }

    @Test func capacityAnswers503() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = Solver.Configuration(address: solverKey.address)
        configuration.maximumWaitingJobOffers = 2
        let solver = try Solver(store: try SolverStore(path: directory + "/solver.sqlite"), configuration: configuration)
        _ = try await solver.post(jobOffer: job("a"), signer: jobCreator.address, now: now)
        _ = try await solver.post(jobOffer: job("b"), signer: jobCreator.address, now: now)
        let busy = await #expect(throws: SolverError.self) { _ = try await solver.post(jobOffer: job("c"), signer: jobCreator.address, now: now) }
        #expect(busy?.httpStatus == 503)
    }

    @Test func restartKeepsOpenOffersAndNeverRebooksAMatchedOne() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let solver = try open()
            _ = try await solver.post(jobOffer: job("first"), signer: jobCreator.address, now: now)
            _ = try await solver.post(resourceOffer: resource(index: 0), signer: provider.address, now: now)  // matched with "first"
            _ = try await solver.post(jobOffer: job("second", cpu: 8000), signer: jobCreator.address, now: now)  // waits: too big
        }
        let reopened = try open()
        #expect(await reopened.waitingJobOffers == 1)
        #expect(await reopened.freeResourceOffers == 0)  // the matched offer is not free again
        // The waiting job still matches when a fitting offer arrives after the restart.
        var big = resource(index: 1)
        big.spec = MachineSpec(cpu: 16000, ram: 65536)
        let matched = try await reopened.post(resourceOffer: big, signer: provider.address, now: now)
        #expect(matched.state == .dealAgreed)
        #expect(try await reopened.deals(of: jobCreator.address).count == 2)
    }
}

@Suite("Solver deal lifecycle", .serialized)
struct SolverLifecycleTests {
    let base = SolverTests()

    func matchedDeal(_ solver: Solver) async throws -> String {
        _ = try await solver.post(jobOffer: base.job(), signer: base.jobCreator.address, now: base.now)
        return try await solver.post(resourceOffer: base.resource(), signer: base.provider.address, now: base.now).dealID
    }

    @Test func resultThenAcceptance() async throws {
        defer { try? FileManager.default.removeItem(atPath: base.directory) }
        let solver = try base.open()
        let dealID = try await matchedDeal(solver)
        // Nothing to accept yet.
        let early = await #expect(throws: SolverError.self) {
            var accept = DealTransactions()
            accept.jobCreator.acceptResult = "0x"
            _ = try await solver.post(transactions: accept, dealID: dealID, signer: base.jobCreator.address, now: base.now)
        }
        #expect(early?.httpStatus == 409)
        // Only the provider posts the result, and only once.
        let result = JobResult(dealID: "ignored", dataID: "QmWjueeHuHM1B7xYV7Hzt4278fEYardqg6qXqawkGvwqsj")
        #expect(
            (await #expect(throws: SolverError.self) {
                _ = try await solver.post(result: result, dealID: dealID, signer: base.jobCreator.address, now: base.now)
            })?.httpStatus == 403)
        let submitted = try await solver.post(result: result, dealID: dealID, signer: base.provider.address, now: base.now + 5)
        #expect(submitted.state == .resultsSubmitted && submitted.uploadAt == base.now + 5)
        #expect(
            (await #expect(throws: SolverError.self) {
                _ = try await solver.post(result: result, dealID: dealID, signer: base.provider.address, now: base.now)
            })?.httpStatus == 409)
        #expect(try await solver.result(dealID: dealID, requester: base.jobCreator.address).dataID == result.dataID)
        #expect(try await solver.result(dealID: dealID, requester: base.jobCreator.address).dealID == dealID)
        #expect(
            await #expect(throws: SolverError.self) { _ = try await solver.result(dealID: dealID, requester: PrivateKey.random().address) } != nil)
        // The provider cannot accept on the job creator's behalf; the job creator can.
        var accept = DealTransactions()
        accept.jobCreator.acceptResult = "0x"
        #expect(
            (await #expect(throws: SolverError.self) {
                _ = try await solver.post(transactions: accept, dealID: dealID, signer: base.provider.address, now: base.now)
            })?.httpStatus == 403)
        let accepted = try await solver.post(transactions: accept, dealID: dealID, signer: base.jobCreator.address, now: base.now + 9)
        #expect(accepted.state == .resultsAccepted && accepted.transactions.jobCreator.acceptResult == "0x" && accepted.downloadAt == base.now + 9)
        #expect(try await solver.jobOffer(id: accepted.jobOffer, requester: base.jobCreator.address).state == .resultsAccepted)
    }

    @Test func aFailedJobReachesTheCreatorAsItsError() async throws {
        defer { try? FileManager.default.removeItem(atPath: base.directory) }
        let solver = try base.open()
        let dealID = try await matchedDeal(solver)
        let empty = await #expect(throws: SolverError.self) {
            _ = try await solver.post(result: JobResult(dealID: dealID), dealID: dealID, signer: base.provider.address, now: base.now)
        }
        #expect(empty?.httpStatus == 400)
        let failure = JobResult(dealID: dealID, error: "exit status 1: /usr/games/cowsay: not found")
        let deal = try await solver.post(result: failure, dealID: dealID, signer: base.provider.address, now: base.now)
        #expect(deal.state == .resultsSubmitted)  // not a download timeout, as in Lilypad v2
        #expect(try await solver.result(dealID: dealID, requester: base.jobCreator.address).error == failure.error)
    }
}

extension SolverLifecycleTests {
    /// A stop request is an event for the deal's parties in the durable log (a provider whose job
    /// prints nothing hears of it, and one that reconnects reads it), from the job creator only,
    /// while the job runs.
    @Test func aStopRequestIsAnEventForTheDealsParties() async throws {
        defer { try? FileManager.default.removeItem(atPath: base.directory) }
        let solver = try base.open()
        let dealID = try await matchedDeal(solver)
        let before = try await solver.lastEvent(party: base.provider.address)
        let refused = await #expect(throws: SolverError.self) {
            try await solver.requestStop(dealID: dealID, requester: base.provider.address)
        }
        #expect(refused?.httpStatus == 403)
        try await solver.requestStop(dealID: dealID, requester: base.jobCreator.address)
        for party in [base.provider.address, base.jobCreator.address] {
            let events = try await solver.events(party: party, after: before, limit: 10)
            #expect(events.map(\.kind) == [.dealStopRequested] && events.first?.deal?.id == dealID, "\(events)")
        }
        // Still there after a restart.
        let reopened = try base.open()
        #expect(try await reopened.events(party: base.provider.address, after: before, limit: 10).map(\.kind) == [.dealStopRequested])
        // Once the results are in, there is no job left to stop.
        let result = JobResult(dealID: dealID, dataID: "QmWjueeHuHM1B7xYV7Hzt4278fEYardqg6qXqawkGvwqsj")
        _ = try await reopened.post(result: result, dealID: dealID, signer: base.provider.address, now: base.now)
        let late = await #expect(throws: SolverError.self) {
            try await reopened.requestStop(dealID: dealID, requester: base.jobCreator.address)
        }
        #expect(late?.httpStatus == 409)
    }
}

@Suite("Solver recovery")
struct SolverRecoveryTests {
    /// A crash after both offers were stored but before their match was committed: the restart
    /// matches and records them instead of losing them.
    @Test func anUncommittedMatchIsRecordedOnRestart() async throws {
        let base = SolverTests()
        defer { try? FileManager.default.removeItem(atPath: base.directory) }
        let store = try SolverStore(path: base.directory + "/solver.sqlite")
        try store.insert(ResourceOfferContainer(offer: try base.resource().withComputedID()))
        try store.insert(JobOfferContainer(offer: try base.job().withComputedID()), receivedAt: base.now)
        let solver = try Solver(store: store, configuration: .init(address: base.solverKey.address))
        #expect(await solver.waitingJobOffers == 0)
        #expect(await solver.freeResourceOffers == 0)
        let deals = try await solver.deals(of: base.jobCreator.address)
        #expect(deals.count == 1 && deals.first?.state == .dealAgreed)
        #expect(try store.openOffers().jobs.isEmpty)
    }
}
