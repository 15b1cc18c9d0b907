/// A job creator's signed request to run a module (Lilypad's `JobOffer`).
///
/// Field order is Go's declaration order: it determines the offer's ID.
public struct JobOffer: Sendable, Hashable, Codable, ContentAddressed {
    /// CIDv0 of this offer's Go JSON with `id` empty; see ``LilypadID``.
    public var id: String
    /// Creation time, milliseconds since the Unix epoch.
    public var createdAt: Int
    /// Random per offer, so two identical offers made in the same millisecond differ.
    public var nonce: String
    /// The job creator's address.
    public var jobCreator: String
    public var module: ModuleConfig
    /// The minimum machine, taken from the module.
    public var spec: MachineSpec
    /// The user's inputs; `nil` is Go's nil map.
    public var inputs: [String: String]?
    public var inputFiles: InputFiles
    public var executionTimeoutSeconds: UInt64
    public var mode: PricingMode
    public var pricing: DealPricing
    public var services: ServiceConfig
    public var target: TargetConfig

    public init(
        id: String = "", createdAt: Int, nonce: String, jobCreator: String, module: ModuleConfig, spec: MachineSpec = MachineSpec(),
        inputs: [String: String]? = nil, inputFiles: InputFiles = InputFiles(), executionTimeoutSeconds: UInt64 = 0,
        mode: PricingMode = .marketPrice, pricing: DealPricing = DealPricing(), services: ServiceConfig = ServiceConfig(),
        target: TargetConfig = TargetConfig()
    ) {
        self.id = id
        self.createdAt = createdAt
        self.nonce = nonce
        self.jobCreator = jobCreator
        self.module = module
        self.spec = spec
        self.inputs = inputs
        self.inputFiles = inputFiles
        self.executionTimeoutSeconds = executionTimeoutSeconds
        self.mode = mode
        self.pricing = pricing
        self.services = services
        self.target = target
    }

    enum CodingKeys: String, CodingKey {
        case id
        case createdAt = "created_at"
        case nonce
        case jobCreator = "job_creator"
        case module, spec, inputs, inputFiles, executionTimeoutSeconds, mode, pricing
        case services = "trusted_parties"
        case target
    }
}

/// The solver's record of a job offer (Lilypad's `JobOfferContainer`).
public struct JobOfferContainer: Sendable, Hashable, Codable {
    public var id: String
    /// The deal it was matched into, or "".
    public var dealID: String
    public var jobCreator: String
    public var state: AgreementState
    public var jobOffer: JobOffer

    public init(id: String, dealID: String = "", jobCreator: String, state: AgreementState = .dealNegotiating, jobOffer: JobOffer) {
        self.id = id
        self.dealID = dealID
        self.jobCreator = jobCreator
        self.state = state
        self.jobOffer = jobOffer
    }

    /// A new container for `offer`, unmatched.
    public init(offer: JobOffer) {
        self.init(id: offer.id, jobCreator: offer.jobCreator, jobOffer: offer)
    }

    enum CodingKeys: String, CodingKey {
        case id
        case dealID = "deal_id"
        case jobCreator = "job_creator"
        case state
        case jobOffer = "job_offer"
    }
}
