/// The solver's book of free resource offers and waiting job offers, matched as offers arrive.
///
/// Invariant: no waiting job has a free resource offer that could serve it. So a new job is
/// compared with the free offers once, and a new resource offer only with the jobs still waiting.
/// Both sides are indexed by their terms: resource offers with identical terms (hardware, price,
/// mediators, solver, allowlist) share a bucket, buckets are kept in price order, and a job is
/// checked against a bucket once, not against every offer in it; waiting jobs with identical
/// requirements share a FIFO queue. A resource offer leaves the book the moment it wins, so it is
/// never in two deals.
///
/// Selection follows Lilypad: a MarketPrice job takes the cheapest offer (ties: oldest); a
/// FixedPrice job takes the oldest offer it can afford. Age is arrival order in the book.
public struct OrderBook: Sendable {
    /// A job offer matched with a resource offer, and the deal between them.
    public struct Match: Sendable, Hashable {
        public var job: JobOffer
        public var resource: ResourceOffer
        public var deal: Deal
    }

    /// What happened to a new job offer.
    public enum JobOutcome: Sendable, Hashable {
        case matched(Match)
        case waiting
        /// A targeted job whose provider has no free offer at all (Lilypad's JobOfferCancelled).
        case cancelled(reason: String)
    }

    // MARK: - Storage

    /// Terms shared by interchangeable resource offers (everything matching looks at but the provider).
    struct ResourceTerms: Hashable, Sendable {
        var spec: MachineSpec
        var mode: PricingMode
        var pricing: DealPricing
        var modules: [String]?
        var solver: String
        var mediators: [String]?

        init(_ offer: ResourceOffer) {
            spec = offer.spec
            mode = offer.mode
            pricing = offer.defaultPricing
            modules = offer.modules
            solver = offer.services.solver
            mediators = offer.services.mediator
        }
    }

    /// Requirements shared by interchangeable job offers.
    struct JobTerms: Hashable, Sendable {
        var spec: MachineSpec
        var mode: PricingMode
        var price: UInt64
        var solver: String
        var mediators: [String]?
        var module: ModuleConfig
        var target: String

        init(_ offer: JobOffer) {
            spec = offer.spec
            mode = offer.mode
            price = offer.pricing.instructionPrice
            solver = offer.services.solver
            mediators = offer.services.mediator
            module = offer.module
            target = offer.target.address.lowercased()
        }
    }

    /// A FIFO of IDs with lazy removal: IDs no longer in the book are skipped.
    struct Queue: Sendable {
        var ids: [String] = []
        var head = 0

        mutating func append(_ id: String) { ids.append(id) }

        /// The oldest ID still present, without changing the queue.
        func peek(alive: (String) -> Bool) -> String? {
            var index = head
            while index < ids.count, !alive(ids[index]) { index += 1 }
            return index < ids.count ? ids[index] : nil
        }

        /// The oldest ID still present, dropping dead ones.
        mutating func first(alive: (String) -> Bool) -> String? {
            while head < ids.count, !alive(ids[head]) { head += 1 }
            if head > 64, head * 2 > ids.count {
                ids.removeFirst(head)
                head = 0
            }
            return head < ids.count ? ids[head] : nil
        }
    }

    struct Bucket: Sendable {
        var terms: ResourceTerms
        var representative: ResourceOffer
        var queue = Queue()
    }

    private var resources: [String: (offer: ResourceOffer, arrival: UInt64, json: [UInt8])] = [:]
    /// Buckets by ascending instruction price; scanned without hashing their keys.
    private var buckets: [Bucket] = []
    /// Where each bucket is in ``buckets`` (used when offers arrive, not when jobs are matched).
    private var bucketIndex: [ResourceTerms: Int] = [:]
    /// Free offer IDs per provider (lower-cased address), for targeted jobs.
    private var byProvider: [String: Set<String>] = [:]

    private var jobs: [String: (offer: JobOffer, arrival: UInt64, json: [UInt8])] = [:]
    private var waiting: [JobTerms: (representative: JobOffer, queue: Queue)] = [:]

    private var clock: UInt64 = 0

    public init() {}

    public var freeResourceOfferCount: Int { resources.count }
    public var waitingJobOfferCount: Int { jobs.count }

    public func isFree(resourceOffer id: String) -> Bool { resources[id] != nil }
    public func isWaiting(jobOffer id: String) -> Bool { jobs[id] != nil }

    // MARK: - Arrivals

    /// Adds a job offer (with its ID set): matches it now, or keeps it waiting.
    ///
    /// - Parameter json: the offer's Go JSON with its ID, from ``ContentAddressed/identified()``;
    ///   computed here if not given. Kept to build deal IDs cheaply.
    public mutating func add(job: JobOffer, json: [UInt8]? = nil) throws -> JobOutcome {
        clock += 1
        let jobJSON = try json ?? GoJSONEncoder().encode(job)
        let target = job.target.address.lowercased()
        var best: (id: String, price: UInt64, arrival: UInt64)?
        if !target.isEmpty {
            let candidates = byProvider[target] ?? []
            if candidates.isEmpty {
                return .cancelled(reason: "the targeted provider \(job.target.address) has no free resource offer")
            }
            for id in candidates {
                guard let entry = resources[id], MatchRules.mismatch(job: job, resource: entry.offer) == nil else { continue }
                best = Self.better(best, (id, entry.offer.defaultPricing.instructionPrice, entry.arrival), mode: job.mode)
            }
        } else {
            let live = resources  // a reference, not a copy: read while buckets are compacted in place
            var emptied = false
            for position in buckets.indices {
                let price = buckets[position].terms.pricing.instructionPrice
                // The cheapest feasible price level settles a MarketPrice job; a FixedPrice job wants the oldest it can afford.
                if job.mode == .marketPrice, let found = best, price > found.price { break }
                if job.mode == .fixedPrice, price > job.pricing.instructionPrice { break }
                guard let head = buckets[position].queue.first(alive: { live[$0] != nil }), let entry = live[head] else {
                    emptied = true
                    continue
                }
                guard MatchRules.mismatch(job: job, resource: buckets[position].representative) == nil else { continue }
                best = Self.better(best, (head, price, entry.arrival), mode: job.mode)
            }
            if emptied { dropEmptyBuckets() }
        }
        if let best, let entry = resources[best.id] {
            let deal = try MatchRules.deal(job: job, resource: entry.offer, jobJSON: jobJSON, resourceJSON: entry.json)
            removeResource(id: best.id)
            return .matched(Match(job: job, resource: entry.offer, deal: deal))
        }
        jobs[job.id] = (job, clock, jobJSON)
        // In place: copying the group out and back would copy its whole queue every time.
        waiting[JobTerms(job), default: (job, Queue())].queue.append(job.id)
        return .waiting
    }

    /// Adds a resource offer (with its ID set): gives it to the oldest waiting job it can serve,
    /// or keeps it free. `json` is as for ``add(job:json:)``.
    public mutating func add(resource: ResourceOffer, json: [UInt8]? = nil) throws -> Match? {
        clock += 1
        let resourceJSON = try json ?? GoJSONEncoder().encode(resource)
        var best: (id: String, arrival: UInt64)?
        do {  // `live` must be gone before `jobs` is mutated, or the mutation would copy it
            let live = jobs
            for group in waiting.values {
                guard MatchRules.mismatch(job: group.representative, resource: resource) == nil,
                    let head = group.queue.peek(alive: { live[$0] != nil }), let entry = live[head]
                else { continue }
                if best == nil || entry.arrival < (best?.arrival ?? .max) { best = (head, entry.arrival) }
            }
        }
        if let best, let entry = jobs[best.id] {
            let deal = try MatchRules.deal(job: entry.offer, resource: resource, jobJSON: entry.json, resourceJSON: resourceJSON)
            removeJob(id: best.id)
            return Match(job: entry.offer, resource: resource, deal: deal)
        }
        resources[resource.id] = (resource, clock, resourceJSON)
        let terms = ResourceTerms(resource)
        if let position = bucketIndex[terms] {
            buckets[position].queue.append(resource.id)
        } else {
            let price = terms.pricing.instructionPrice
            let position = buckets.partitionIndex { $0.terms.pricing.instructionPrice > price }
            var bucket = Bucket(terms: terms, representative: resource)
            bucket.queue.append(resource.id)
            buckets.insert(bucket, at: position)
            reindexBuckets()
        }
        byProvider[resource.resourceProvider.lowercased(), default: []].insert(resource.id)
        return nil
    }

    // MARK: - Removal

    /// Withdraws a free resource offer (expired, cancelled, or its provider left).
    public mutating func removeResource(id: String) {
        guard let entry = resources.removeValue(forKey: id) else { return }
        let provider = entry.offer.resourceProvider.lowercased()
        byProvider[provider]?.remove(id)
        if byProvider[provider]?.isEmpty == true { byProvider[provider] = nil }
    }

    /// Withdraws a waiting job offer (timed out or cancelled).
    public mutating func removeJob(id: String) {
        guard let entry = jobs.removeValue(forKey: id) else { return }
        let terms = JobTerms(entry.offer)
        let live = jobs
        if waiting[terms]?.queue.first(alive: { live[$0] != nil }) == nil { waiting[terms] = nil }
    }

    private mutating func dropEmptyBuckets() {
        let live = resources
        buckets.removeAll { $0.queue.peek(alive: { live[$0] != nil }) == nil }
        reindexBuckets()
    }

    private mutating func reindexBuckets() {
        bucketIndex = Dictionary(uniqueKeysWithValues: buckets.enumerated().map { ($0.element.terms, $0.offset) })
    }

    private static func better(
        _ current: (id: String, price: UInt64, arrival: UInt64)?, _ candidate: (id: String, price: UInt64, arrival: UInt64), mode: PricingMode
    ) -> (id: String, price: UInt64, arrival: UInt64) {
        guard let current else { return candidate }
        switch mode {
        case .marketPrice:
            return (candidate.price, candidate.arrival) < (current.price, current.arrival) ? candidate : current
        case .fixedPrice:
            return candidate.arrival < current.arrival ? candidate : current
        }
    }
}

extension Array {
    /// The first index whose element satisfies `predicate`, for an array partitioned by it.
    func partitionIndex(where predicate: (Element) -> Bool) -> Int {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            if predicate(self[mid]) { high = mid } else { low = mid + 1 }
        }
        return low
    }
}
