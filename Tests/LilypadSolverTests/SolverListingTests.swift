import Foundation
import LilypadCore
import LilypadCrypto
import LilypadTestSupport
import Testing

@testable import LilypadSolver

@Suite("Solver listings")
struct SolverListingTests {
    @Test func queriesReadLilypadsParametersAndWriteThemBack() throws {
        let address = PrivateKey.random().address
        let jobs = try JobOfferQuery(parameters: [
            ("job_creator", address.lowercased), ("not_matched", "true"), ("active", "true"), ("cancelled", "false"),
        ])
        #expect(jobs == JobOfferQuery(jobCreator: address, notMatched: true, active: true, cancelled: false))
        #expect(try JobOfferQuery(parameters: jobs.parameters) == jobs)
        // `false` means "no filter" for not_matched and active, as in Lilypad.
        #expect(try JobOfferQuery(parameters: [("not_matched", "false"), ("active", "false")]) == JobOfferQuery())
        let resources = try ResourceOfferQuery(parameters: [("resource_provider", address.checksummed), ("active", "true"), ("not_matched", "1")])
        #expect(resources == ResourceOfferQuery(resourceProvider: address, active: true, notMatched: true))
        #expect(try ResourceOfferQuery(parameters: resources.parameters) == resources)
        let deals = try DealQuery(parameters: [("state", "ResultsSubmitted"), ("resource_provider", address.checksummed)])
        #expect(deals == DealQuery(resourceProvider: address, state: .resultsSubmitted))
        #expect(try DealQuery(parameters: deals.parameters) == deals)
        #expect(try DealQuery(parameters: [("state", "12")]).state == .uploading)
    }

    @Test(arguments: [
        ("state", "Done", "not an agreement state"),
        ("state", "17", "not an agreement state"),
        ("job_creator", "0x123", "not an address"),
        ("limit", "10", "unknown filter \"limit\""),
    ])
    func badDealFiltersSayWhatToWrite(name: String, value: String, expected: String) {
        #expect {
            _ = try DealQuery(parameters: [(name, value)])
        } throws: { error in
            "\(error)".contains(expected)
        }
    }

    @Test func badOfferFiltersSayWhatToWrite() {
        #expect(throws: ListingQueryError("active=yes is not a boolean: use active=true or active=false")) {
            _ = try JobOfferQuery(parameters: [("active", "yes")])
        }
        #expect(throws: ListingQueryError("the filter \"cancelled\" is given twice")) {
            _ = try JobOfferQuery(parameters: [("cancelled", "true"), ("cancelled", "false")])
        }
        #expect(throws: ListingQueryError.self) { _ = try ResourceOfferQuery(parameters: [("state", "DealAgreed")]) }
    }

    @Test func listingsHoldOnlyTheRequestersRecordsNarrowedByTheFilters() async throws {
        let base = SolverTests()
        defer { try? FileManager.default.removeItem(atPath: base.directory) }
        let solver = try base.open()
        let creator = base.jobCreator.address, provider = base.provider.address
        let matchedJob = try await solver.post(jobOffer: base.job("a"), signer: creator, now: base.now)
        _ = try await solver.post(resourceOffer: base.resource(index: 0), signer: provider, now: base.now)
        let waitingJob = try await solver.post(jobOffer: base.job("b", cpu: 64_000), signer: creator, now: base.now)
        let freeOffer = try await solver.post(resourceOffer: base.resource(index: 1), signer: provider, now: base.now)
        #expect(freeOffer.dealID.isEmpty)

        #expect(try await solver.jobOffers(JobOfferQuery(), requester: creator).map(\.id) == [matchedJob.id, waitingJob.id])
        #expect(try await solver.jobOffers(JobOfferQuery(notMatched: true), requester: creator).map(\.id) == [waitingJob.id])
        #expect(try await solver.jobOffers(JobOfferQuery(active: true), requester: creator).count == 2)
        #expect(try await solver.jobOffers(JobOfferQuery(cancelled: true), requester: creator).isEmpty)
        #expect(try await solver.jobOffers(JobOfferQuery(cancelled: false), requester: creator).count == 2)
        #expect(try await solver.jobOffers(JobOfferQuery(jobCreator: creator), requester: creator).count == 2)
        // Nobody else sees them, and naming another creator is refused rather than answered.
        #expect(try await solver.jobOffers(JobOfferQuery(), requester: provider).isEmpty)
        let other = await #expect(throws: SolverError.self) {
            _ = try await solver.jobOffers(JobOfferQuery(jobCreator: creator), requester: provider)
        }
        #expect(other?.httpStatus == 403)

        #expect(try await solver.resourceOffers(ResourceOfferQuery(), requester: provider).count == 2)
        #expect(try await solver.resourceOffers(ResourceOfferQuery(notMatched: true), requester: provider).map(\.id) == [freeOffer.id])
        #expect(try await solver.resourceOffers(ResourceOfferQuery(active: true), requester: provider).count == 2)
        #expect(try await solver.resourceOffers(ResourceOfferQuery(), requester: creator).isEmpty)
        let foreign = await #expect(throws: SolverError.self) {
            _ = try await solver.resourceOffers(ResourceOfferQuery(resourceProvider: provider), requester: creator)
        }
        #expect(foreign?.httpStatus == 403)

        let dealID = try #require(try await solver.jobOffer(id: matchedJob.id, requester: creator).dealID.nonEmpty)
        #expect(try await solver.deals(DealQuery(state: .dealAgreed), requester: creator).map(\.id) == [dealID])
        #expect(try await solver.deals(DealQuery(state: .resultsSubmitted), requester: creator).isEmpty)
        #expect(try await solver.deals(DealQuery(jobCreator: creator), requester: provider).map(\.id) == [dealID])
        #expect(try await solver.deals(DealQuery(resourceProvider: creator), requester: provider).isEmpty)
        #expect(try await solver.deals(DealQuery(), requester: PrivateKey.random().address).isEmpty)
        #expect(try await solver.dealCountsByState() == [.dealAgreed: 1])

        // After the result, the state filter follows the deal.
        _ = try await solver.post(result: JobResult(dealID: dealID, error: "failed"), dealID: dealID, signer: provider, now: base.now)
        #expect(try await solver.deals(DealQuery(state: .resultsSubmitted), requester: provider).map(\.id) == [dealID])
        #expect(try await solver.resourceOffers(ResourceOfferQuery(active: true), requester: provider).map(\.id) == [freeOffer.id])
        #expect(try await solver.dealCountsByState() == [.resultsSubmitted: 1])
    }

    /// Random job and resource offers from several parties, with the solver reopened on its store
    /// now and then: no resource offer and no job offer is ever in two deals, every deal's offers
    /// point at it, and no waiting job is left beside a free offer that fits it.
    @Test(arguments: [5, 6, 7])
    func noOfferIsEverInTwoDealsAcrossRestarts(seed: UInt64) async throws {
        var random = SeededGenerator(seed: seed)
        let base = SolverTests()
        defer { try? FileManager.default.removeItem(atPath: base.directory) }
        let creators = (0..<3).map { _ in PrivateKey.random() }
        let providers = (0..<4).map { _ in PrivateKey.random() }
        var solver = try base.open()
        var slots: [Int] = Array(repeating: 0, count: providers.count)
        let cpus: [Millicores] = [500, 2000, 8000]
        for step in 0..<240 {
            switch random.next() % 9 {
            case 0:
                solver = try base.open()  // a restart on the same store
            case 1, 2, 3, 4:
                let creator = creators[Int(random.next() % 3)]
                var offer = base.job("s\(step)", cpu: cpus[Int(random.next() % 3)])
                offer.jobCreator = creator.address.checksummed
                if random.next() % 2 == 0 { offer.mode = .fixedPrice }
                offer.pricing.instructionPrice = random.next() % 3
                _ = try await solver.post(jobOffer: offer, signer: creator.address, now: base.now)
            default:
                let which = Int(random.next() % 4)
                var offer = base.resource(index: slots[which])
                slots[which] += 1
                offer.resourceProvider = providers[which].address.checksummed
                offer.spec = MachineSpec(cpu: cpus[Int(random.next() % 3)], ram: 4096)
                offer.defaultPricing.instructionPrice = random.next() % 3
                _ = try await solver.post(resourceOffer: offer, signer: providers[which].address, now: base.now)
            }
        }
        let store = try SolverStore(path: base.directory + "/solver.sqlite")
        var deals: [DealContainer] = []
        for party in creators { deals += try store.deals(of: party.address.lowercased, query: DealQuery()) }
        #expect(deals.count > 20)
        #expect(Set(deals.map(\.resourceOffer)).count == deals.count, "a resource offer is in two deals")
        #expect(Set(deals.map(\.jobOffer)).count == deals.count, "a job offer is in two deals")
        for deal in deals {
            #expect(try store.resourceOffer(id: deal.resourceOffer)?.dealID == deal.id)
            #expect(try store.jobOffer(id: deal.jobOffer)?.dealID == deal.id)
            #expect(MatchRules.mismatch(job: deal.deal.jobOffer, resource: deal.deal.resourceOffer) == nil)
        }
        let open = try store.openOffers()
        for job in open.jobs {
            #expect(!open.resources.contains { MatchRules.mismatch(job: job.jobOffer, resource: $0.resourceOffer) == nil })
        }
        #expect(await solver.waitingJobOffers == open.jobs.count)
        #expect(await solver.freeResourceOffers == open.resources.count)
    }
}

extension String {
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}
