/// Why a resource offer cannot serve a job offer (first failing rule, in Lilypad's order).
public enum MatchMismatch: Sendable, Hashable, CustomStringConvertible {
    case cpu(needed: Millicores, offered: Millicores)
    case gpu(needed: Int, offered: Int)
    case ram(needed: Mebibytes, offered: Mebibytes)
    case vram(needed: Mebibytes, offered: Mebibytes)
    case disk(needed: ByteCount, offered: ByteCount)
    case providerNotFixedPrice
    case tooExpensive(price: UInt64, limit: UInt64)
    case noMutualMediator
    case differentSolver
    case moduleNotAllowed(String)
    case notTheTarget

    public var description: String {
        switch self {
        case .cpu(let needed, let offered): "needs \(needed) of CPU, the offer has \(offered)"
        case .gpu(let needed, let offered): "needs \(needed) GPUs, the offer has \(offered)"
        case .ram(let needed, let offered): "needs \(needed) of RAM, the offer has \(offered)"
        case .vram(let needed, let offered): "needs a GPU with \(needed) of VRAM, the largest offered has \(offered)"
        case .disk(let needed, let offered): "needs \(needed) of disk, the offer has \(offered)"
        case .providerNotFixedPrice: "resource offers must use FixedPrice"
        case .tooExpensive(let price, let limit): "the offer costs \(price) per instruction, the job pays at most \(limit)"
        case .noMutualMediator: "no mediator is trusted by both"
        case .differentSolver: "they name different solvers"
        case .moduleNotAllowed(let module): "the provider does not run \(module)"
        case .notTheTarget: "the job is for another provider"
        }
    }
}

/// Lilypad's matching rules between one job offer and one resource offer.
public enum MatchRules {
    /// The first rule `resource` breaks for `job`, or `nil` if it can serve it.
    ///
    /// Units are the same on both sides (millicores, MiB, bytes), so every comparison means what it
    /// says; Lilypad v2 compared RAM in bytes against MB. A zero requirement matches anything.
    public static func mismatch(job: JobOffer, resource: ResourceOffer) -> MatchMismatch? {
        if let target = nonEmpty(job.target.address), target.lowercased() != resource.resourceProvider.lowercased() { return .notTheTarget }
        let need = job.spec, have = resource.spec
        if have.cpu < need.cpu { return .cpu(needed: need.cpu, offered: have.cpu) }
        if have.gpu < need.gpu { return .gpu(needed: need.gpu, offered: have.gpu) }
        if have.ram < need.ram { return .ram(needed: need.ram, offered: have.ram) }
        if let wanted = need.gpus, !wanted.isEmpty {
            let needed = wanted.lazy.map(\.vram).max() ?? 0
            let offered = (have.gpus ?? []).lazy.map(\.vram).max() ?? 0
            if (have.gpus ?? []).isEmpty || offered < needed { return .vram(needed: needed, offered: offered) }
        }
        if have.disk < need.disk { return .disk(needed: need.disk, offered: have.disk) }
        if resource.mode != .fixedPrice { return .providerNotFixedPrice }
        if job.mode == .fixedPrice, resource.defaultPricing.instructionPrice > job.pricing.instructionPrice {
            return .tooExpensive(price: resource.defaultPricing.instructionPrice, limit: job.pricing.instructionPrice)
        }
        if !hasMutualMediator(job: job, resource: resource) { return .noMutualMediator }
        if job.services.solver != resource.services.solver { return .differentSolver }
        if !allows(resource.modules, module: job.module) { return .moduleNotAllowed(moduleName(job.module)) }
        return nil
    }

    /// Whether some mediator is trusted by both; short lists (the usual case) are compared without
    /// allocating, long ones through a set so that hostile lists cannot make matching quadratic.
    static func hasMutualMediator(job: JobOffer, resource: ResourceOffer) -> Bool {
        guard let trusted = job.services.mediator, let offered = resource.services.mediator else { return false }
        if trusted.count * offered.count <= 64 { return offered.contains { trusted.contains($0) } }
        return !mutualMediators(job: job, resource: resource).isEmpty
    }

    /// Mediators both trust, in the provider's order (Lilypad's `GetMutualServices`).
    public static func mutualMediators(job: JobOffer, resource: ResourceOffer) -> [String] {
        let trusted = job.services.mediator ?? [], offered = resource.services.mediator ?? []
        if trusted.count * offered.count <= 64 {
            // Usually the job trusts every mediator the provider offers: the provider's list is the answer.
            return offered.allSatisfy { trusted.contains($0) } ? offered : offered.filter { trusted.contains($0) }
        }
        let trustedSet = Set(trusted)
        return offered.filter { trustedSet.contains($0) }
    }

    /// Whether a provider's allowlist admits `module`. An empty list admits everything. Entries are
    /// `name:ref` (matched against the name the job creator used, kept in `ModuleConfig.name`),
    /// `name:*` (any version), or `repo-url:commit`.
    public static func allows(_ allowlist: [String]?, module: ModuleConfig) -> Bool {
        guard let allowlist, !allowlist.isEmpty else { return true }
        let name = module.name
        let base = name.split(separator: ":", maxSplits: 1).first.map(String.init) ?? name
        return allowlist.contains { entry in
            entry == name || (entry.hasSuffix(":*") && !base.isEmpty && entry.dropLast(2) == base) || entry == "\(module.repo):\(module.hash)"
        }
    }

    /// How a module is named in messages.
    public static func moduleName(_ module: ModuleConfig) -> String {
        module.name.isEmpty ? "\(module.repo):\(module.hash)" : module.name
    }

    /// Builds the deal for a matched pair: mutual mediators, the provider's pricing, and its ID.
    /// Pass the offers' Go JSON (from ``ContentAddressed/identified()``) to avoid encoding them again.
    public static func deal(job: JobOffer, resource: ResourceOffer, jobJSON: [UInt8]? = nil, resourceJSON: [UInt8]? = nil) throws -> Deal {
        if let jobJSON, let resourceJSON { return deal(between: job, and: resource, jobJSON: jobJSON, resourceJSON: resourceJSON) }
        let deal = Deal(members: members(job: job, resource: resource), pricing: resource.defaultPricing, jobOffer: job, resourceOffer: resource)
        return try deal.withComputedID()
    }

    /// The deal for a matched pair, its ID assembled from the offers' kept Go JSON; the offers
    /// are moved into it, not copied.
    static func deal(between job: consuming JobOffer, and resource: consuming ResourceOffer, jobJSON: [UInt8], resourceJSON: [UInt8]) -> Deal {
        let members = members(job: job, resource: resource)
        let id = Deal.id(members: members, pricing: resource.defaultPricing, jobOfferJSON: jobJSON, resourceOfferJSON: resourceJSON)
        return Deal(id: id, members: members, pricing: resource.defaultPricing, jobOffer: job, resourceOffer: resource)
    }

    private static func members(job: JobOffer, resource: ResourceOffer) -> DealMembers {
        DealMembers(
            solver: job.services.solver, jobCreator: job.jobCreator, resourceProvider: resource.resourceProvider,
            mediators: mutualMediators(job: job, resource: resource))
    }

    private static func nonEmpty(_ text: String) -> String? { text.isEmpty ? nil : text }
}
