/// Something that happened on the solver, pushed to the parties it concerns (Lilypad's
/// `SolverEvent`, plus `seq`: the solver-wide sequence number a client resumes from after a
/// reconnection, so that nothing is missed).
public struct SolverEvent: Sendable, Hashable, Codable {
    /// What happened (Lilypad's event type names).
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case jobOfferAdded = "JobOfferAdded"
        case resourceOfferAdded = "ResourceOfferAdded"
        case resourceOfferRemoved = "ResourceOfferRemoved"
        case dealAdded = "DealAdded"
        case jobOfferStateUpdated = "JobOfferStateUpdated"
        case resourceOfferStateUpdated = "ResourceOfferStateUpdated"
        case dealStateUpdated = "DealStateUpdated"
        case dealMediatorUpdated = "DealMediatorUpdated"
        case resourceProviderTransactionsUpdated = "ResourceProviderTransactionsUpdated"
        case jobCreatorTransactionsUpdated = "JobCreatorTransactionsUpdated"
        case mediatorTransactionsUpdated = "MediatorTransactionsUpdated"
        /// The deal's job creator asked its running job to stop (ours; Lilypad v2 has no stop).
        case dealStopRequested = "DealStopRequested"
        /// A kind this build does not know (from a newer solver): the event is read all the same,
        /// with its records, so that a client keeps following the log.
        case unrecognized = "Unrecognized"
    }

    /// Position in the solver's event log (1, 2, 3, …; 0 before it is stored).
    public var seq: Int
    public var kind: Kind
    public var jobOffer: JobOfferContainer?
    public var resourceOffer: ResourceOfferContainer?
    public var deal: DealContainer?

    public init(
        seq: Int = 0, kind: Kind, jobOffer: JobOfferContainer? = nil, resourceOffer: ResourceOfferContainer? = nil,
        deal: DealContainer? = nil
    ) {
        self.seq = seq
        self.kind = kind
        self.jobOffer = jobOffer
        self.resourceOffer = resourceOffer
        self.deal = deal
    }

    /// The lower-cased addresses allowed to see this event: an offer's owner; a deal's job creator,
    /// resource provider and mediators.
    public var audience: Set<String> {
        var parties = Set<String>()
        if let jobOffer { parties.insert(jobOffer.jobCreator.lowercased()) }
        if let resourceOffer { parties.insert(resourceOffer.resourceProvider.lowercased()) }
        if let deal {
            parties.insert(deal.jobCreator.lowercased())
            parties.insert(deal.resourceProvider.lowercased())
            for mediator in deal.deal.members.mediators ?? [] { parties.insert(mediator.lowercased()) }
        }
        parties.remove("")
        return parties
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        seq = try container.decodeIfPresent(Int.self, forKey: .seq) ?? 0
        kind = Kind(rawValue: try container.decode(String.self, forKey: .kind)) ?? .unrecognized
        jobOffer = try container.decodeIfPresent(JobOfferContainer.self, forKey: .jobOffer)
        resourceOffer = try container.decodeIfPresent(ResourceOfferContainer.self, forKey: .resourceOffer)
        deal = try container.decodeIfPresent(DealContainer.self, forKey: .deal)
    }

    enum CodingKeys: String, CodingKey {
        case seq
        case kind = "event_type"
        case jobOffer = "job_offer"
        case resourceOffer = "resource_offer"
        case deal
    }
}
