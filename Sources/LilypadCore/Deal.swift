/// The parties of a deal (Lilypad's `DealMembers`).
public struct DealMembers: Sendable, Hashable, Codable {
    public var solver: String
    public var jobCreator: String
    public var resourceProvider: String
    /// Mediators both parties accept; `nil` is Go's nil slice.
    public var mediators: [String]?

    public init(solver: String, jobCreator: String, resourceProvider: String, mediators: [String]?) {
        self.solver = solver
        self.jobCreator = jobCreator
        self.resourceProvider = resourceProvider
        self.mediators = mediators
    }

    enum CodingKeys: String, CodingKey {
        case solver
        case jobCreator = "job_creator"
        case resourceProvider = "resource_provider"
        case mediators
    }
}

/// A matched job offer and resource offer (Lilypad's `Deal`).
public struct Deal: Sendable, Hashable, Codable, ContentAddressed {
    /// CIDv0 of this deal's Go JSON with `id` empty (the offers inside keep their IDs).
    public var id: String
    public var members: DealMembers
    /// The resource provider's default pricing.
    public var pricing: DealPricing
    public var jobOffer: JobOffer
    public var resourceOffer: ResourceOffer

    public init(id: String = "", members: DealMembers, pricing: DealPricing, jobOffer: JobOffer, resourceOffer: ResourceOffer) {
        self.id = id
        self.members = members
        self.pricing = pricing
        self.jobOffer = jobOffer
        self.resourceOffer = resourceOffer
    }

    enum CodingKeys: String, CodingKey {
        case id, members, pricing
        case jobOffer = "job_offer"
        case resourceOffer = "resource_offer"
    }
}

/// The solver's record of a deal and its progress (Lilypad's `DealContainer`).
public struct DealContainer: Sendable, Hashable, Codable {
    public var id: String
    /// Match time, ms since the Unix epoch.
    public var createdAt: Int
    /// When the results upload finished, ms (0 if not yet).
    public var uploadAt: Int
    /// When the job creator downloaded the results, ms (0 if not yet).
    public var downloadAt: Int
    public var jobCreator: String
    public var resourceProvider: String
    /// The job offer's ID.
    public var jobOffer: String
    /// The resource offer's ID.
    public var resourceOffer: String
    public var state: AgreementState
    public var deal: Deal
    public var transactions: DealTransactions
    /// The mediator chosen for a checked deal, or "".
    public var mediator: String

    public init(
        id: String, createdAt: Int, uploadAt: Int = 0, downloadAt: Int = 0, jobCreator: String, resourceProvider: String, jobOffer: String,
        resourceOffer: String, state: AgreementState = .dealAgreed, deal: Deal, transactions: DealTransactions = DealTransactions(),
        mediator: String = ""
    ) {
        self.id = id
        self.createdAt = createdAt
        self.uploadAt = uploadAt
        self.downloadAt = downloadAt
        self.jobCreator = jobCreator
        self.resourceProvider = resourceProvider
        self.jobOffer = jobOffer
        self.resourceOffer = resourceOffer
        self.state = state
        self.deal = deal
        self.transactions = transactions
        self.mediator = mediator
    }

    /// A container for a freshly matched `deal`, in state DealAgreed.
    public init(deal: Deal, createdAt: Int) {
        self.init(
            id: deal.id, createdAt: createdAt, jobCreator: deal.jobOffer.jobCreator, resourceProvider: deal.resourceOffer.resourceProvider,
            jobOffer: deal.jobOffer.id, resourceOffer: deal.resourceOffer.id, deal: deal)
    }

    enum CodingKeys: String, CodingKey {
        case id
        case createdAt = "created_at"
        case uploadAt = "upload_at"
        case downloadAt = "download_at"
        case jobCreator = "job_creator"
        case resourceProvider = "resource_provider"
        case jobOffer = "job_offer"
        case resourceOffer = "resource_offer"
        case state, deal, transactions, mediator
    }
}

/// Settlement transaction references per party (Lilypad's `DealTransactions`).
public struct DealTransactions: Sendable, Hashable, Codable {
    public var resourceProvider: ResourceProvider
    public var jobCreator: JobCreator
    public var mediator: Mediator

    public init(resourceProvider: ResourceProvider = .init(), jobCreator: JobCreator = .init(), mediator: Mediator = .init()) {
        self.resourceProvider = resourceProvider
        self.jobCreator = jobCreator
        self.mediator = mediator
    }

    /// Copies every non-empty field of `update` over this record (Lilypad's update semantics).
    public mutating func merge(_ update: DealTransactions) {
        func take(_ field: inout String, _ value: String) { if !value.isEmpty { field = value } }
        take(&resourceProvider.agree, update.resourceProvider.agree)
        take(&resourceProvider.addResult, update.resourceProvider.addResult)
        take(&resourceProvider.timeoutAgree, update.resourceProvider.timeoutAgree)
        take(&resourceProvider.timeoutJudgeResult, update.resourceProvider.timeoutJudgeResult)
        take(&resourceProvider.timeoutMediateResult, update.resourceProvider.timeoutMediateResult)
        take(&jobCreator.agree, update.jobCreator.agree)
        take(&jobCreator.acceptResult, update.jobCreator.acceptResult)
        take(&jobCreator.checkResult, update.jobCreator.checkResult)
        take(&jobCreator.timeoutAgree, update.jobCreator.timeoutAgree)
        take(&jobCreator.timeoutSubmitResult, update.jobCreator.timeoutSubmitResult)
        take(&jobCreator.timeoutMediateResult, update.jobCreator.timeoutMediateResult)
        take(&mediator.mediationAcceptResult, update.mediator.mediationAcceptResult)
        take(&mediator.mediationRejectResult, update.mediator.mediationRejectResult)
    }

    enum CodingKeys: String, CodingKey {
        case resourceProvider = "resource_provider"
        case jobCreator = "job_creator"
        case mediator
    }

    /// The resource provider's transactions.
    public struct ResourceProvider: Sendable, Hashable, Codable {
        public var agree = ""
        public var addResult = ""
        public var timeoutAgree = ""
        public var timeoutJudgeResult = ""
        public var timeoutMediateResult = ""

        public init() {}

        enum CodingKeys: String, CodingKey {
            case agree
            case addResult = "add_result"
            case timeoutAgree = "timeout_agree"
            case timeoutJudgeResult = "timeout_judge_result"
            case timeoutMediateResult = "timeout_mediate_result"
        }
    }

    /// The job creator's transactions.
    public struct JobCreator: Sendable, Hashable, Codable {
        public var agree = ""
        public var acceptResult = ""
        public var checkResult = ""
        public var timeoutAgree = ""
        public var timeoutSubmitResult = ""
        public var timeoutMediateResult = ""

        public init() {}

        enum CodingKeys: String, CodingKey {
            case agree
            case acceptResult = "accept_result"
            case checkResult = "check_result"
            case timeoutAgree = "timeout_agree"
            case timeoutSubmitResult = "timeout_submit_result"
            case timeoutMediateResult = "timeout_mediate_result"
        }
    }

    /// The mediator's transactions.
    public struct Mediator: Sendable, Hashable, Codable {
        public var mediationAcceptResult = ""
        public var mediationRejectResult = ""

        public init() {}

        enum CodingKeys: String, CodingKey {
            case mediationAcceptResult = "mediation_accept_result"
            case mediationRejectResult = "mediation_reject_result"
        }
    }
}

/// The solver's record of one (job offer, resource offer) evaluation (Lilypad's `MatchDecision`).
public struct MatchDecision: Sendable, Hashable, Codable {
    public var jobOffer: String
    public var resourceOffer: String
    /// The deal ID for the winning pair, "" otherwise.
    public var deal: String
    public var result: Bool

    public init(jobOffer: String, resourceOffer: String, deal: String = "", result: Bool) {
        self.jobOffer = jobOffer
        self.resourceOffer = resourceOffer
        self.deal = deal
        self.result = result
    }

    enum CodingKeys: String, CodingKey {
        case jobOffer = "job_offer"
        case resourceOffer = "resource_offer"
        case deal, result
    }
}
