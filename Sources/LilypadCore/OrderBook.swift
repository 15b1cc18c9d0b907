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
        /// The deal, which holds both offers (kept once: a match is passed around by value).
        public var deal: Deal
        public var job: JobOffer { deal.jobOffer }
        public var resource: ResourceOffer { deal.resourceOffer }
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

    /// A FIFO of handles with lazy removal: handles of offers no longer in the book are skipped.
    struct Queue: Sendable {
        var ids: [Handle] = []
        var head = 0

        mutating func append(_ id: Handle) { ids.append(id) }

        /// The oldest handle still present, without changing the queue.
        func peek(alive: (Handle) -> Bool) -> Handle? {
            var index = head
            while index < ids.count, !alive(ids[index]) { index += 1 }
            return index < ids.count ? ids[index] : nil
        }

        /// The oldest handle still present, dropping dead ones.
        mutating func first(alive: (Handle) -> Bool) -> Handle? {
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

    /// Where an offer is in its ``Slab``: a slot, and the generation of the offer in it (a slot is
    /// reused once its offer leaves, so a stale handle in a queue is recognised as dead).
    struct Handle: Hashable, Sendable {
        var slot: UInt32
        var generation: UInt32
    }

    /// The offers on one side of the book, in slots reused after removal. Matching follows
    /// handles (an array index and a compare) instead of hashing offer IDs, and a map growing to
    /// many offers rehashes only short IDs → handles, not whole offers.
    struct Slab<Offer: Sendable>: Sendable {
        struct Entry: Sendable {
            var offer: Offer
            var arrival: UInt64
            var json: [UInt8]
        }

        /// An offer ID with its hash computed once: growing the index rehashes 8 bytes per offer,
        /// and a probe compares hashes before it compares IDs.
        struct Key: Hashable, Sendable {
            let id: String
            let hash: Int

            init(_ id: String) {
                self.id = id
                var hasher = Hasher()  // seeded per process, as Dictionary's own hashing
                var text = id
                text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
                hash = hasher.finalize()
            }

            func hash(into hasher: inout Hasher) { hasher.combine(hash) }
            static func == (a: Key, b: Key) -> Bool { a.hash == b.hash && a.id == b.id }
        }

        private var entries: [Entry?] = []
        private var generations: [UInt32] = []
        private var free: [UInt32] = []
        /// Offer ID → handle.
        private var index: [Key: Handle] = [:]

        var count: Int { index.count }

        /// Room for `capacity` offers without growing (and rehashing) on the way.
        mutating func reserve(_ capacity: Int) {
            entries.reserveCapacity(capacity)
            generations.reserveCapacity(capacity)
            index.reserveCapacity(capacity)
        }

        func handle(of id: String) -> Handle? { index[Key(id)] }

        @inline(__always)
        func contains(_ handle: Handle) -> Bool {
            generations[Int(handle.slot)] == handle.generation && entries[Int(handle.slot)] != nil
        }

        subscript(handle: Handle) -> Entry? { contains(handle) ? entries[Int(handle.slot)] : nil }

        /// When the offer arrived, without copying it out (`nil` if it left).
        @inline(__always)
        func arrival(of handle: Handle) -> UInt64? { contains(handle) ? entries[Int(handle.slot)]?.arrival : nil }

        mutating func insert(id: String, _ entry: Entry) -> Handle {
            let handle: Handle
            if let slot = free.popLast() {
                handle = Handle(slot: slot, generation: generations[Int(slot)])
                entries[Int(slot)] = entry
            } else {
                handle = Handle(slot: UInt32(entries.count), generation: 0)
                entries.append(entry)
                generations.append(0)
            }
            index[Key(id)] = handle
            return handle
        }

        /// Takes the offer `id` out of the book.
        mutating func remove(id: String) -> Entry? {
            guard let handle = index.removeValue(forKey: Key(id)) else { return nil }
            let slot = Int(handle.slot)
            let entry = entries[slot]
            entries[slot] = nil
            generations[slot] &+= 1
            free.append(handle.slot)
            return entry
        }
    }

    private var resources = Slab<ResourceOffer>()
    /// Buckets by ascending instruction price; scanned without hashing their keys.
    private var buckets: [Bucket] = []
    /// Where each bucket is in ``buckets`` (used when offers arrive, not when jobs are matched).
    private var bucketIndex: [ResourceTerms: Int] = [:]
    /// Free offers per provider (lower-cased address), for targeted jobs.
    private var byProvider: [String: Set<Handle>] = [:]

    private var jobs = Slab<JobOffer>()
    /// Waiting jobs with identical requirements, each group a FIFO; scanned in place (a new
    /// resource offer reads each group's representative without copying it).
    private var groups: [(representative: JobOffer, queue: Queue)] = []
    /// Where each group is in ``groups``.
    private var groupIndex: [JobTerms: Int] = [:]

    private var clock: UInt64 = 0

    public init() {}

    /// A book with room for `jobs` waiting job offers and `resources` free resource offers (the
    /// solver's caps), so that filling it never stops to grow and rehash its storage.
    public init(jobs: Int, resources: Int) {
        self.jobs.reserve(jobs)
        self.resources.reserve(resources)
    }

    public var freeResourceOfferCount: Int { resources.count }
    public var waitingJobOfferCount: Int { jobs.count }

    public func isFree(resourceOffer id: String) -> Bool { resources.handle(of: id) != nil }
    public func isWaiting(jobOffer id: String) -> Bool { jobs.handle(of: id) != nil }

    // MARK: - Arrivals

    /// Adds a job offer (with its ID set): matches it now, or keeps it waiting.
    ///
    /// - Parameter json: the offer's Go JSON with its ID, from ``ContentAddressed/identified()``;
    ///   computed here if not given. Kept to build deal IDs cheaply.
    public mutating func add(job: JobOffer, json: [UInt8]? = nil) throws -> JobOutcome {
        clock += 1
        let jobJSON = try json ?? GoJSONEncoder().encode(job)
        let target = job.target.address.lowercased()
        var best: (id: Handle, price: UInt64, arrival: UInt64)?
        if !target.isEmpty {
            let candidates = byProvider[target] ?? []
            if candidates.isEmpty {
                return .cancelled(reason: "the targeted provider \(job.target.address) has no free resource offer")
            }
            for handle in candidates {
                guard let entry = resources[handle], MatchRules.mismatch(job: job, resource: entry.offer) == nil else { continue }
                best = Self.better(best, (handle, entry.offer.defaultPricing.instructionPrice, entry.arrival), mode: job.mode)
            }
        } else if !buckets.isEmpty {
            let live = resources  // a reference, not a copy: read while buckets are compacted in place
            var emptied = false
            for position in buckets.indices {
                let price = buckets[position].terms.pricing.instructionPrice
                // The cheapest feasible price level settles a MarketPrice job; a FixedPrice job wants the oldest it can afford.
                if job.mode == .marketPrice, let found = best, price > found.price { break }
                if job.mode == .fixedPrice, price > job.pricing.instructionPrice { break }
                guard let head = buckets[position].queue.first(alive: live.contains), let arrival = live.arrival(of: head) else {
                    emptied = true
                    continue
                }
                guard MatchRules.mismatch(job: job, resource: buckets[position].representative) == nil else { continue }
                best = Self.better(best, (head, price, arrival), mode: job.mode)
            }
            if emptied { dropEmptyBuckets() }
        }
        if let best, let entry = resources[best.id] {
            let deal = try MatchRules.deal(job: job, resource: entry.offer, jobJSON: jobJSON, resourceJSON: entry.json)
            removeResource(id: entry.offer.id)
            return .matched(Match(deal: deal))
        }
        let handle = jobs.insert(id: job.id, .init(offer: job, arrival: clock, json: jobJSON))
        // In place: copying the group out and back would copy its whole queue every time.
        let terms = JobTerms(job)
        if let position = groupIndex[terms] {
            groups[position].queue.append(handle)
        } else {
            var queue = Queue()
            queue.append(handle)
            groupIndex[terms] = groups.count
            groups.append((job, queue))
        }
        return .waiting
    }

    /// Adds a resource offer (with its ID set): gives it to the oldest waiting job it can serve,
    /// or keeps it free. `json` is as for ``add(job:json:)``.
    public mutating func add(resource: ResourceOffer, json: [UInt8]? = nil) throws -> Match? {
        clock += 1
        let resourceJSON = try json ?? GoJSONEncoder().encode(resource)
        var best: (id: Handle, arrival: UInt64)?
        do {  // `live` must be gone before `jobs` is mutated, or the mutation would copy it
            let live = jobs
            for position in groups.indices {
                guard MatchRules.mismatch(job: groups[position].representative, resource: resource) == nil,
                    let head = groups[position].queue.peek(alive: live.contains), let arrival = live.arrival(of: head)
                else { continue }
                if best == nil || arrival < (best?.arrival ?? .max) { best = (head, arrival) }
            }
        }
        if let best, let entry = jobs[best.id] {
            let deal = try MatchRules.deal(job: entry.offer, resource: resource, jobJSON: entry.json, resourceJSON: resourceJSON)
            removeJob(id: entry.offer.id)
            return Match(deal: deal)
        }
        let handle = resources.insert(id: resource.id, .init(offer: resource, arrival: clock, json: resourceJSON))
        let terms = ResourceTerms(resource)
        if let position = bucketIndex[terms] {
            buckets[position].queue.append(handle)
        } else {
            let price = terms.pricing.instructionPrice
            let position = buckets.partitionIndex { $0.terms.pricing.instructionPrice > price }
            var bucket = Bucket(terms: terms, representative: resource)
            bucket.queue.append(handle)
            buckets.insert(bucket, at: position)
            reindexBuckets()
        }
        byProvider[resource.resourceProvider.lowercased(), default: []].insert(handle)
        return nil
    }

    // MARK: - Removal

    /// Withdraws a free resource offer (expired, cancelled, or its provider left).
    public mutating func removeResource(id: String) {
        guard let handle = resources.handle(of: id), let entry = resources.remove(id: id) else { return }
        let provider = entry.offer.resourceProvider.lowercased()
        byProvider[provider]?.remove(handle)
        if byProvider[provider]?.isEmpty == true { byProvider[provider] = nil }
    }

    /// Withdraws a waiting job offer (timed out or cancelled).
    public mutating func removeJob(id: String) {
        guard let entry = jobs.remove(id: id) else { return }
        let terms = JobTerms(entry.offer)
        guard let position = groupIndex[terms] else { return }
        let live = jobs
        guard groups[position].queue.first(alive: live.contains) == nil else { return }
        // The group is empty: the last group takes its place.
        groupIndex[terms] = nil
        let last = groups.count - 1
        if position != last {
            groups.swapAt(position, last)
            groupIndex[JobTerms(groups[position].representative)] = position
        }
        groups.removeLast()
    }

    private mutating func dropEmptyBuckets() {
        let live = resources
        buckets.removeAll { $0.queue.peek(alive: live.contains) == nil }
        reindexBuckets()
    }

    private mutating func reindexBuckets() {
        bucketIndex = Dictionary(uniqueKeysWithValues: buckets.enumerated().map { ($0.element.terms, $0.offset) })
    }

    private static func better(
        _ current: (id: Handle, price: UInt64, arrival: UInt64)?, _ candidate: (id: Handle, price: UInt64, arrival: UInt64), mode: PricingMode
    ) -> (id: Handle, price: UInt64, arrival: UInt64) {
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
