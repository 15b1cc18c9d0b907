/// The solver's book of free resource offers and waiting job offers, matched as offers arrive.
///
/// Invariant: no waiting job has a free resource offer that could serve it. So a new job is
/// compared with the free offers once, and a new resource offer only with the jobs still waiting.
/// Both sides are indexed by their terms: resource offers with identical terms (hardware, price,
/// mediators, solver, allowlist) share a bucket, buckets are kept in price order, and a job is
/// checked against a bucket once, not against every offer in it; waiting jobs with identical
/// requirements share a FIFO queue. An arriving offer finds its group (or bucket) by comparing its
/// terms with each group's, cheap fields first, or past ``TermsIndex/scanLimit`` groups by their
/// hash. Offers are kept by handle in slabs, and their IDs in a compact index. A resource offer
/// leaves the book the moment it wins, so it is never in two deals.
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

    /// A free resource offer, with what the book derived from it on arrival.
    struct ResourceEntry: SlabEntry {
        var offer: ResourceOffer
        var idHash: UInt32
        var arrival: UInt64
        /// The offer's Go JSON with its ID, for deal IDs.
        var json: [UInt8]
        /// The provider's address, lower-cased: the offer's key in ``byProvider``.
        var provider: String
        /// Where the offer's handle is in ``byProvider``.
        var providerPlace = ProviderIndex.Place()

        var id: String { offer.id }
    }

    /// A waiting job offer, with what the book derived from it on arrival.
    struct JobEntry: SlabEntry {
        var offer: JobOffer
        var arrival: UInt64
        /// The offer's Go JSON with its ID, for deal IDs.
        var json: [UInt8]
        var idHash: UInt32  // last: the slot's generation fits in the padding after it

        var id: String { offer.id }
    }

    /// Resource offers with identical terms, oldest first.
    struct Bucket: Sendable {
        /// ``ResourceTerms/hash(_:)`` of the terms.
        var terms: Int
        var price: UInt64
        /// The first offer of these terms: what jobs are checked against.
        var representative: ResourceOffer
        var queue = Queue()
    }

    /// Waiting jobs with identical requirements, oldest first.
    struct Group: Sendable {
        /// ``JobTerms/hash(_:)`` of the requirements.
        var terms: Int
        /// The first job of these requirements: what resource offers are checked against.
        var representative: JobOffer
        var queue = Queue()
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

    private var resources = Slab<ResourceEntry>()
    /// Buckets by ascending instruction price; scanned without hashing their keys.
    private var buckets: [Bucket] = []
    /// Where each bucket is in ``buckets`` (used when offers arrive, not when jobs are matched).
    private var bucketIndex = TermsIndex()
    /// Free offers per provider (lower-cased address), for targeted jobs.
    private var byProvider = ProviderIndex()

    private var jobs = Slab<JobEntry>()
    /// Waiting jobs with identical requirements, each group a FIFO; scanned in place (a new
    /// resource offer reads each group's representative without copying it).
    private var groups: [Group] = []
    /// Where each group is in ``groups``.
    private var groupIndex = TermsIndex()

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
    /// The offer is taken over (`consuming`): the book keeps it, or moves it into the deal, without
    /// copying it again.
    ///
    /// - Parameter json: the offer's Go JSON with its ID, from ``ContentAddressed/identified()``;
    ///   computed here if not given. Kept to build deal IDs cheaply.
    public mutating func add(job: consuming JobOffer, json: [UInt8]? = nil) throws -> JobOutcome {
        clock += 1
        let jobJSON = try json ?? GoJSONEncoder().encode(job)
        var best: (id: Handle, price: UInt64, arrival: UInt64)?
        if !job.target.address.isEmpty {
            let candidates = byProvider.handles(of: Address.lowercased(job.target.address))
            if candidates.isEmpty {
                return .cancelled(reason: "the targeted provider \(job.target.address) has no free resource offer")
            }
            for handle in candidates {
                let fit = resources.read(handle) { entry in
                    MatchRules.mismatch(job: job, resource: entry.offer) == nil ? (entry.offer.defaultPricing.instructionPrice, entry.arrival) : nil
                }
                guard let (price, arrival) = fit ?? nil else { continue }
                best = Self.better(best, (handle, price, arrival), mode: job.mode)
            }
        } else if !buckets.isEmpty {
            let live = resources  // a reference, not a copy: read while buckets are compacted in place
            var emptied = false
            // Buckets read in place: copying one out would retain its representative.
            buckets.withUnsafeMutableBufferPointer { buckets in
                for position in buckets.indices {
                    let price = buckets[position].price
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
            }
            if emptied { dropEmptyBuckets() }
        }
        if let best, let resource = takeResource(best.id) {
            return .matched(Match(deal: MatchRules.deal(between: job, and: resource.offer, jobJSON: jobJSON, resourceJSON: resource.json)))
        }
        let idHash = Self.idHash(job.id)
        let position = groupIndex.position(in: groups, hash: { JobTerms.hash(job) }) { JobTerms.equal($0.representative, job) }
        if let position {
            let handle = jobs.insert(JobEntry(offer: job, arrival: clock, json: jobJSON, idHash: idHash))
            groups[position].queue.append(handle)  // in place: copying the group out and back would copy its queue
        } else {
            let terms = JobTerms.hash(job)
            var group = Group(terms: terms, representative: copy job)
            group.queue.append(jobs.insert(JobEntry(offer: job, arrival: clock, json: jobJSON, idHash: idHash)))
            groupIndex.insert(terms, at: groups.count)
            groups.append(group)
        }
        return .waiting
    }

    /// Adds a resource offer (with its ID set): gives it to the oldest waiting job it can serve,
    /// or keeps it free. `json` is as for ``add(job:json:)``; the offer is taken over as there.
    public mutating func add(resource: consuming ResourceOffer, json: [UInt8]? = nil) throws -> Match? {
        clock += 1
        let resourceJSON = try json ?? GoJSONEncoder().encode(resource)
        var best: (id: Handle, arrival: UInt64, group: Int)?
        do {  // `live` must be gone before `jobs` is mutated, or the mutation would copy it
            let live = jobs
            // Groups read in place: copying one out would retain its representative.
            groups.withUnsafeBufferPointer { groups in
                for position in groups.indices {
                    guard MatchRules.mismatch(job: groups[position].representative, resource: resource) == nil,
                        let head = groups[position].queue.peek(alive: live.contains), let arrival = live.arrival(of: head)
                    else { continue }
                    if best == nil || arrival < (best?.arrival ?? .max) { best = (head, arrival, position) }
                }
            }
        }
        if let best, let job = jobs.remove(best.id) {
            dropGroupIfEmpty(at: best.group)
            return Match(deal: MatchRules.deal(between: job.offer, and: resource, jobJSON: job.json, resourceJSON: resourceJSON))
        }
        let entry = ResourceEntry(
            offer: resource, idHash: Self.idHash(resource.id), arrival: clock, json: resourceJSON,
            provider: Address.lowercased(resource.resourceProvider))
        let provider = entry.provider
        let position = bucketIndex.position(in: buckets, hash: { ResourceTerms.hash(entry.offer) }) {
            ResourceTerms.equal($0.representative, entry.offer)
        }
        let handle: Handle
        if let position {
            handle = resources.insert(entry)
            buckets[position].queue.append(handle)
        } else {
            let price = entry.offer.defaultPricing.instructionPrice
            let position = buckets.partitionIndex { $0.price > price }
            var bucket = Bucket(terms: ResourceTerms.hash(entry.offer), price: price, representative: entry.offer)
            handle = resources.insert(entry)
            bucket.queue.append(handle)
            buckets.insert(bucket, at: position)
            reindexBuckets()
        }
        let place = byProvider.add(handle, provider: provider)
        resources.update(handle) { $0.providerPlace = place }
        return nil
    }

    // MARK: - Removal

    /// Withdraws a free resource offer (expired, cancelled, or its provider left).
    public mutating func removeResource(id: String) {
        guard let handle = resources.handle(of: id) else { return }
        _ = takeResource(handle)
    }

    /// Withdraws a waiting job offer (timed out or cancelled).
    public mutating func removeJob(id: String) {
        guard let handle = jobs.handle(of: id), let entry = jobs.remove(handle) else { return }
        let position = groupIndex.position(in: groups, hash: { JobTerms.hash(entry.offer) }) {
            JobTerms.equal($0.representative, entry.offer)
        }
        guard let position else { return }
        dropGroupIfEmpty(at: position)
    }

    /// Takes a free resource offer out of the book (its bucket drops it lazily).
    private mutating func takeResource(_ handle: Handle) -> ResourceEntry? {
        guard let entry = resources.remove(handle) else { return nil }
        let place = entry.providerPlace
        if let moved = byProvider.remove(at: place, provider: entry.provider) { resources.update(moved) { $0.providerPlace = place } }
        return entry
    }

    /// Removes the group at `position` if no job in it is waiting any more; the last group takes its place.
    private mutating func dropGroupIfEmpty(at position: Int) {
        let live = jobs
        guard groups[position].queue.first(alive: live.contains) == nil else { return }
        groupIndex.remove(groups[position].terms, at: position)
        let last = groups.count - 1
        if position != last {
            groups.swapAt(position, last)
            groupIndex.remove(groups[position].terms, at: last)
            groupIndex.insert(groups[position].terms, at: position)
        }
        groups.removeLast()
    }

    private mutating func dropEmptyBuckets() {
        let live = resources
        buckets.removeAll { $0.queue.peek(alive: live.contains) == nil }
        reindexBuckets()
    }

    private mutating func reindexBuckets() {
        bucketIndex = TermsIndex()
        for (position, bucket) in buckets.enumerated() { bucketIndex.insert(bucket.terms, at: position) }
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

/// Ethereum addresses compared case-insensitively.
enum Address {
    /// `address` lower-cased; the string itself, without allocating, when it is already (ASCII, no capitals).
    static func lowercased(_ address: String) -> String {
        address.utf8.contains { $0 >= 0x80 || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) } ? address.lowercased() : address
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
