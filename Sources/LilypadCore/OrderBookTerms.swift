extension OrderBook {
    /// The terms shared by interchangeable resource offers: everything matching looks at but the
    /// provider. Hashed and compared on the offers themselves, without copying the terms out.
    enum ResourceTerms {
        static func hash(_ offer: ResourceOffer) -> Int {
            var hasher = Hasher()
            hasher.combine(offer.spec)
            hasher.combine(offer.mode)
            hasher.combine(offer.defaultPricing)
            hasher.combine(offer.modules)
            hasher.combine(offer.services.solver)
            hasher.combine(offer.services.mediator)
            return hasher.finalize()
        }

        /// Cheap fields first, as for jobs.
        static func equal(_ a: ResourceOffer, _ b: ResourceOffer) -> Bool {
            a.defaultPricing == b.defaultPricing && a.spec.cpu == b.spec.cpu && a.spec.ram == b.spec.ram && a.spec == b.spec && a.mode == b.mode
                && a.modules == b.modules
                && a.services.solver == b.services.solver && a.services.mediator == b.services.mediator
        }
    }

    /// The requirements shared by interchangeable job offers, hashed and compared on the offers.
    enum JobTerms {
        static func hash(_ offer: JobOffer) -> Int {
            var hasher = Hasher()
            hasher.combine(offer.spec)
            hasher.combine(offer.mode)
            hasher.combine(offer.pricing.instructionPrice)
            hasher.combine(offer.services.solver)
            hasher.combine(offer.services.mediator)
            hasher.combine(offer.module)
            hasher.combine(Address.lowercased(offer.target.address))
            return hasher.finalize()
        }

        /// Cheap fields first: telling different requirements apart rarely reaches the strings.
        static func equal(_ a: JobOffer, _ b: JobOffer) -> Bool {
            a.pricing.instructionPrice == b.pricing.instructionPrice && a.mode == b.mode && a.spec.cpu == b.spec.cpu
                && a.spec.ram == b.spec.ram && a.spec == b.spec && a.services.solver == b.services.solver
                && a.services.mediator == b.services.mediator && a.module == b.module
                && Address.lowercased(a.target.address) == Address.lowercased(b.target.address)
        }
    }

    /// Finds the group (or bucket) of an arriving offer's terms. With few groups, the offer is
    /// compared with each (cheap fields first), which costs less than hashing its terms (strings
    /// of addresses and URLs); with more, it is looked up by the hash of its terms. Groups are
    /// always indexed by hash, computed once when a group is created.
    struct TermsIndex: Sendable {
        /// Up to this many groups, an arriving offer is compared with each instead of hashed.
        static let scanLimit = 32

        private var positions: [Int: [Int]] = [:]

        /// The position of the group in `groups` whose terms are the offer's, as `matches` tells;
        /// `hash` is the hash of the offer's terms, computed only if needed. Groups are read in
        /// place, not copied (which would retain their representatives).
        func position<Group>(in groups: [Group], hash: () -> Int, where matches: (Group) -> Bool) -> Int? {
            groups.withUnsafeBufferPointer { groups in
                if groups.count <= Self.scanLimit { return groups.firstIndex(where: matches) }
                return positions[hash()]?.first { matches(groups[$0]) }
            }
        }

        mutating func insert(_ hash: Int, at position: Int) { positions[hash, default: []].append(position) }

        mutating func remove(_ hash: Int, at position: Int) {
            positions[hash]?.removeAll { $0 == position }
            if positions[hash]?.isEmpty == true { positions[hash] = nil }
        }
    }
}
