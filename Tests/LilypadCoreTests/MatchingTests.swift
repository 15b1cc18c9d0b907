import LilypadTestSupport
import Testing

@testable import LilypadCore

/// Offers for matching tests.
enum Offers {
    static let solver = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
    static let mediator = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"

    static func job(
        _ id: String = "job", spec: MachineSpec = MachineSpec(cpu: 1000, ram: 100), mode: PricingMode = .marketPrice, price: UInt64 = 0,
        mediators: [String]? = [mediator], solver: String = solver, module: String = "cowsay:v0.0.4", target: String = ""
    ) -> JobOffer {
        JobOffer(
            id: id, createdAt: 0, nonce: id, jobCreator: "0xJC", module: ModuleConfig(name: module, repo: "r", hash: "h"), spec: spec,
            mode: mode, pricing: DealPricing(instructionPrice: price), services: ServiceConfig(solver: solver, mediator: mediators),
            target: TargetConfig(address: target))
    }

    static func resource(
        _ id: String = "ro", provider: String = "0xRP", spec: MachineSpec = MachineSpec(cpu: 2000, ram: 4096),
        mode: PricingMode = .fixedPrice, price: UInt64 = 1, mediators: [String]? = [mediator], solver: String = solver,
        modules: [String]? = nil
    ) -> ResourceOffer {
        ResourceOffer(
            id: id, createdAt: 0, resourceProvider: provider, spec: spec, modules: modules, mode: mode,
            defaultPricing: DealPricing(instructionPrice: price, paymentCollateral: 2, resultsCollateralMultiple: 2, mediationFee: 1),
            services: ServiceConfig(solver: solver, mediator: mediators))
    }
}

@Suite("Matching rules")
struct MatchRulesTests {
    static let gpu = GPUSpec(name: "H100", vendor: "NVIDIA", vram: Mebibytes(80 * 1024))

    @Test(
        arguments: [
            ("fits", Offers.job(), Offers.resource(), nil),
            ("cpu", Offers.job(spec: MachineSpec(cpu: 4000)), Offers.resource(), "needs 4000 millicores of CPU"),
            ("gpu count", Offers.job(spec: MachineSpec(gpu: 1)), Offers.resource(), "needs 1 GPUs"),
            ("ram in MiB on both sides", Offers.job(spec: MachineSpec(ram: 8192)), Offers.resource(), "needs 8192 MiB of RAM"),
            (
                "vram", Offers.job(spec: MachineSpec(gpu: 1, gpus: [GPUSpec(vram: Mebibytes(90 * 1024))])),
                Offers.resource(spec: MachineSpec(gpu: 1, gpus: [gpu])), "VRAM"
            ),
            ("vram needed, no gpus listed", Offers.job(spec: MachineSpec(gpus: [GPUSpec(vram: 1)])), Offers.resource(), "VRAM"),
            (
                "vram enough", Offers.job(spec: MachineSpec(gpu: 1, gpus: [GPUSpec(vram: Mebibytes(40 * 1024))])),
                Offers.resource(spec: MachineSpec(gpu: 1, gpus: [gpu])), nil
            ),
            ("disk", Offers.job(spec: MachineSpec(disk: ByteCount(1 << 40))), Offers.resource(), "of disk"),
            ("zero requirements match anything", Offers.job(spec: MachineSpec()), Offers.resource(spec: MachineSpec()), nil),
            ("market-priced provider", Offers.job(), Offers.resource(mode: .marketPrice), "FixedPrice"),
            ("affordable fixed price", Offers.job(mode: .fixedPrice, price: 5), Offers.resource(price: 5), nil),
            ("too expensive", Offers.job(mode: .fixedPrice, price: 4), Offers.resource(price: 5), "costs 5"),
            ("market job ignores price", Offers.job(mode: .marketPrice, price: 0), Offers.resource(price: 99), nil),
            ("mediator overlap", Offers.job(mediators: ["a", "b"]), Offers.resource(mediators: ["b", "c"]), nil),
            ("no mediator overlap", Offers.job(mediators: ["a"]), Offers.resource(mediators: ["b"]), "no mediator"),
            ("empty mediators", Offers.job(mediators: []), Offers.resource(mediators: []), "no mediator"),
            ("nil mediators", Offers.job(mediators: nil), Offers.resource(), "no mediator"),
            ("solver mismatch", Offers.job(solver: "0xOther"), Offers.resource(), "different solvers"),
            ("allowlist by name:ref", Offers.job(module: "cowsay:v0.0.4"), Offers.resource(modules: ["cowsay:v0.0.4"]), nil),
            ("allowlist by name:*", Offers.job(module: "cowsay:v0.0.5"), Offers.resource(modules: ["sdxl:v1", "cowsay:*"]), nil),
            ("allowlist refuses", Offers.job(module: "sdxl:v1"), Offers.resource(modules: ["cowsay:*"]), "does not run sdxl:v1"),
            ("empty allowlist allows all", Offers.job(module: "anything:1"), Offers.resource(modules: []), nil),
            ("target other provider", Offers.job(target: "0xOther"), Offers.resource(), "for another provider"),
            ("target case-insensitive", Offers.job(target: "0xrp"), Offers.resource(provider: "0xRP"), nil),
        ] as [(String, JobOffer, ResourceOffer, String?)])
    func rule(name: String, job: JobOffer, resource: ResourceOffer, expected: String?) {
        let result = MatchRules.mismatch(job: job, resource: resource)
        if let expected {
            #expect(result?.description.contains(expected) == true, "\(name): \(String(describing: result))")
        } else {
            #expect(result == nil, "\(name): \(String(describing: result))")
        }
    }

    @Test func dealUsesMutualMediatorsInProviderOrderAndProviderPricing() throws {
        let deal = try MatchRules.deal(job: Offers.job(mediators: ["c", "a", "b"]), resource: Offers.resource(price: 3, mediators: ["b", "x", "a"]))
        #expect(deal.members.mediators == ["b", "a"])
        #expect(deal.pricing.instructionPrice == 3)
        #expect(deal.id == (try deal.computeID()))
    }
}

@Suite("Order book")
struct OrderBookTests {
    @Test func matchesWhicheverArrivesSecond() throws {
        var book = OrderBook()
        #expect(try book.add(job: Offers.job("j1")) == .waiting)
        let match = try #require(try book.add(resource: Offers.resource("r1")))
        #expect(match.job.id == "j1" && match.resource.id == "r1")
        #expect(book.waitingJobOfferCount == 0 && book.freeResourceOfferCount == 0)
        #expect(try book.add(resource: Offers.resource("r2")) == nil)
        guard case .matched(let second) = try book.add(job: Offers.job("j2")) else { Issue.record("no match"); return }
        #expect(second.resource.id == "r2")
    }

    @Test func marketPriceTakesCheapestThenOldest() throws {
        var book = OrderBook()
        for (id, price) in [("r1", 5), ("r2", 3), ("r3", 3), ("r4", 9)] {
            _ = try book.add(resource: Offers.resource(id, provider: id, price: UInt64(price)))
        }
        var order: [String] = []
        for index in 0..<4 {
            guard case .matched(let match) = try book.add(job: Offers.job("j\(index)")) else { break }
            order.append(match.resource.id)
        }
        #expect(order == ["r2", "r3", "r1", "r4"])
    }

    @Test func fixedPriceTakesOldestAffordable() throws {
        var book = OrderBook()
        for (id, price) in [("r1", 9), ("r2", 5), ("r3", 2)] { _ = try book.add(resource: Offers.resource(id, price: UInt64(price))) }
        guard case .matched(let match) = try book.add(job: Offers.job("j", mode: .fixedPrice, price: 6)) else { Issue.record("no match"); return }
        #expect(match.resource.id == "r2")  // r1 is older but too expensive; r2 is older than the cheaper r3
        #expect(try book.add(job: Offers.job("k", mode: .fixedPrice, price: 1)) == .waiting)
    }

    @Test func newResourceServesOldestWaitingJobItFits() throws {
        var book = OrderBook()
        _ = try book.add(job: Offers.job("big", spec: MachineSpec(cpu: 64000)))
        _ = try book.add(job: Offers.job("small-old"))
        _ = try book.add(job: Offers.job("small-new"))
        #expect(try book.add(resource: Offers.resource("r"))?.job.id == "small-old")
        #expect(try book.add(resource: Offers.resource("r2"))?.job.id == "small-new")
        #expect(book.isWaiting(jobOffer: "big"))
    }

    /// Offers that left the book free their slot for the next offer; a queue still holding the old
    /// offer's handle must not take the new one for it.
    @Test func reusedSlotsAreNotMistakenForTheOffersThatLeft() throws {
        var book = OrderBook()
        _ = try book.add(job: Offers.job("small"))
        book.removeJob(id: "small")
        _ = try book.add(job: Offers.job("big", spec: MachineSpec(cpu: 64000)))  // takes the freed slot
        #expect(try book.add(resource: Offers.resource("r")) == nil)
        #expect(book.isWaiting(jobOffer: "big") && !book.isWaiting(jobOffer: "small") && book.waitingJobOfferCount == 1)
        // The same on the resource side: a withdrawn cheap offer's slot taken by one too small.
        _ = try book.add(resource: Offers.resource("r2"))
        book.removeResource(id: "r")
        book.removeResource(id: "r2")
        _ = try book.add(resource: Offers.resource("tiny", spec: MachineSpec(cpu: 100)))
        #expect(try book.add(job: Offers.job("j")) == .waiting)
        #expect(book.isFree(resourceOffer: "tiny") && !book.isFree(resourceOffer: "r") && book.freeResourceOfferCount == 1)
        #expect(try book.add(resource: Offers.resource("fits"))?.job.id == "j")
    }

    /// A group of waiting jobs that empties leaves the scan; the others keep their jobs and order.
    @Test func emptiedGroupsLeaveTheOthersIntact() throws {
        var book = OrderBook()
        _ = try book.add(job: Offers.job("a"))
        _ = try book.add(job: Offers.job("b", spec: MachineSpec(cpu: 3000)))
        _ = try book.add(job: Offers.job("c", spec: MachineSpec(cpu: 1000, ram: 200)))
        book.removeJob(id: "a")  // its group is emptied; the last group takes its place
        #expect(try book.add(resource: Offers.resource("r"))?.job.id == "c")
        #expect(book.isWaiting(jobOffer: "b") && book.waitingJobOfferCount == 1)
        book.removeJob(id: "b")
        #expect(book.waitingJobOfferCount == 0)
        _ = try book.add(job: Offers.job("d", spec: MachineSpec(cpu: 3000)))
        #expect(try book.add(resource: Offers.resource("small")) == nil)
        #expect(try book.add(resource: Offers.resource("big", spec: MachineSpec(cpu: 64000, ram: 4096)))?.job.id == "d")
    }

    @Test func targetedJobs() throws {
        var book = OrderBook()
        // No free offer from the target at all: cancelled, as in Lilypad.
        guard case .cancelled = try book.add(job: Offers.job("t1", target: "0xRP")) else { Issue.record("not cancelled"); return }
        // A free offer from the target that does not fit: the job waits (Lilypad skipped the checks).
        _ = try book.add(resource: Offers.resource("small", provider: "0xRP", spec: MachineSpec(cpu: 500)))
        #expect(try book.add(job: Offers.job("t2", target: "0xRP")) == .waiting)
        // Another provider's offer does not take it; the target's fitting offer does.
        #expect(try book.add(resource: Offers.resource("other", provider: "0xOther")) == nil)
        #expect(try book.add(resource: Offers.resource("fit", provider: "0xrp"))?.job.id == "t2")
    }

    @Test func removals() throws {
        var book = OrderBook()
        _ = try book.add(resource: Offers.resource("r1"))
        book.removeResource(id: "r1")
        #expect(try book.add(job: Offers.job("j1")) == .waiting)
        book.removeJob(id: "j1")
        #expect(try book.add(resource: Offers.resource("r2")) == nil)
        #expect(book.isFree(resourceOffer: "r2"))
    }

    /// Past ``OrderBook/TermsIndex/scanLimit`` groups (and buckets), offers find theirs by the hash
    /// of their terms instead of comparing with each: same groups, same matches.
    @Test func manyGroupsAreFoundByHash() throws {
        var book = OrderBook()
        let groups = OrderBook.TermsIndex.scanLimit * 2
        // Group i needs i more millicores and i fewer MiB than group 0: an offer of exactly one
        // group's needs fits that group only.
        func needs(_ index: Int) -> MachineSpec { MachineSpec(cpu: Millicores(1000 + index), ram: Mebibytes(1000 - index)) }
        for round in 0..<2 {
            for index in 0..<groups { #expect(try book.add(job: Offers.job("j\(round)-\(index)", spec: needs(index))) == .waiting) }
        }
        book.removeJob(id: "j0-5")  // the group keeps its newer job
        book.removeJob(id: "j0-6")
        book.removeJob(id: "j1-6")  // the group is emptied and leaves
        #expect(book.waitingJobOfferCount == groups * 2 - 3)
        #expect(try book.add(resource: Offers.resource("r5", spec: needs(5)))?.job.id == "j1-5")
        #expect(try book.add(resource: Offers.resource("r6", spec: needs(6))) == nil)
        #expect(try book.add(resource: Offers.resource("r7", spec: needs(7)))?.job.id == "j0-7")

        // Buckets past the limit: a job still takes the cheapest offer that fits it.
        var resources = OrderBook()
        for index in 0..<groups {
            let spec = MachineSpec(cpu: 64000, ram: Mebibytes(4096 + index))
            _ = try resources.add(resource: Offers.resource("r\(index)", spec: spec, price: UInt64(groups - index)))
        }
        guard case .matched(let match) = try resources.add(job: Offers.job("j", spec: MachineSpec(cpu: 64000, ram: 4100))) else {
            Issue.record("no match")
            return
        }
        #expect(match.resource.id == "r\(groups - 1)")
    }

    /// Random arrivals and withdrawals: no resource offer is ever in two deals, and no waiting job
    /// is ever left next to a free offer that fits it (checked by brute force).
    @Test(arguments: [11, 22, 33])
    func neverMatchedTwiceAndNothingLeftBehind(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        var book = OrderBook()
        var freeResources: [String: ResourceOffer] = [:]
        var waitingJobs: [String: JobOffer] = [:]
        var usedResources = Set<String>()
        let cpus: [Millicores] = [500, 1000, 4000]
        let mediatorSets: [[String]] = [[Offers.mediator], ["m2"], [Offers.mediator, "m2"]]
        for step in 0..<1500 {
            switch random.next() % 5 {
            case 0, 1:
                let offer = Offers.resource(
                    "r\(step)", provider: "p\(random.next() % 7)", spec: MachineSpec(cpu: cpus[Int(random.next() % 3)], ram: 1024),
                    price: random.next() % 4, mediators: mediatorSets[Int(random.next() % 3)])
                if let match = try book.add(resource: offer) {
                    #expect(usedResources.insert(match.resource.id).inserted)
                    #expect(waitingJobs.removeValue(forKey: match.job.id) != nil)
                } else {
                    freeResources[offer.id] = offer
                }
            case 2, 3:
                let job = Offers.job(
                    "j\(step)", spec: MachineSpec(cpu: cpus[Int(random.next() % 3)], ram: 512),
                    mode: random.next() % 2 == 0 ? .marketPrice : .fixedPrice, price: random.next() % 4,
                    mediators: mediatorSets[Int(random.next() % 3)], target: random.next() % 10 == 0 ? "p\(random.next() % 7)" : "")
                switch try book.add(job: job) {
                case .matched(let match):
                    #expect(usedResources.insert(match.resource.id).inserted, "resource offer \(match.resource.id) matched twice")
                    #expect(freeResources.removeValue(forKey: match.resource.id) != nil)
                    #expect(MatchRules.mismatch(job: job, resource: match.resource) == nil)
                case .waiting: waitingJobs[job.id] = job
                case .cancelled: #expect(!job.target.address.isEmpty)
                }
            default:
                if random.next() % 2 == 0, let id = freeResources.keys.sorted().first {
                    book.removeResource(id: id)
                    freeResources[id] = nil
                } else if let id = waitingJobs.keys.sorted().first {
                    book.removeJob(id: id)
                    waitingJobs[id] = nil
                }
            }
            if step % 50 == 0 {
                for job in waitingJobs.values {
                    #expect(!freeResources.values.contains { MatchRules.mismatch(job: job, resource: $0) == nil }, "job \(job.id) was left waiting")
                }
            }
        }
        #expect(book.freeResourceOfferCount == freeResources.count && book.waitingJobOfferCount == waitingJobs.count)
        #expect(usedResources.count > 100)
    }

}

@Suite("Deal IDs from kept offer JSON")
struct DealIDAssemblyTests {
    @Test func assembledIDEqualsFullEncoding() throws {
        for index in 0..<50 {
            let job = Offers.job(
                "j\(index)", spec: MachineSpec(cpu: Millicores(index * 100), ram: 100), price: UInt64(index),
                mediators: [Offers.mediator, "<&>\u{2028}\(index)"], module: "m:\(index)")
            let resource = Offers.resource(
                "r\(index)", provider: "0x\(index)é", price: UInt64(index), mediators: ["<&>\u{2028}\(index)"],
                modules: index % 2 == 0 ? nil : ["m:\(index)"])
            let (identifiedJob, jobJSON) = try job.identified()
            let (identifiedResource, resourceJSON) = try resource.identified()
            #expect(identifiedJob.id == (try job.computeID()))
            #expect(jobJSON == (try GoJSONEncoder().encode(identifiedJob)))
            #expect(resourceJSON == (try GoJSONEncoder().encode(identifiedResource)))
            let assembled = try MatchRules.deal(job: identifiedJob, resource: identifiedResource, jobJSON: jobJSON, resourceJSON: resourceJSON)
            let full = try MatchRules.deal(job: identifiedJob, resource: identifiedResource)
            #expect(assembled == full)
        }
    }
}
