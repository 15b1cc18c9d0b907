/// A job creator's signed request to run a module (Lilypad's `JobOffer`).
///
/// Field order is Go's declaration order: it determines the offer's ID.
///
/// The fields live in one shared immutable box: an offer is copied into the solver's book, into
/// its deal, its container and its events, and each copy is one reference count instead of
/// ~300 bytes and a dozen. Setting a field replaces the box. Fields are read in place (`_read`),
/// not copied out of the box, so reading `offer.services.solver` does not retain the mediators.
public struct JobOffer: Sendable, Hashable, Codable, ContentAddressed, CustomReflectable {
    /// The stored fields; their Codable encoding is the offer's. They are encoded in Go's order,
    /// which `CodingKeys` fixes, and stored with what the solver's order book reads first, so
    /// that matching an offer reads fewer cache lines of it.
    struct Fields: Sendable, Hashable, Codable {
        var id: String
        var spec: MachineSpec
        var mode: PricingMode
        var pricing: DealPricing
        var services: ServiceConfig
        var module: ModuleConfig
        var target: TargetConfig
        var createdAt: Int
        var nonce: String
        var jobCreator: String
        var inputs: [String: String]?
        var inputFiles: InputFiles
        var executionTimeoutSeconds: UInt64

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

    private var fields: SharedBox<Fields>

    /// CIDv0 of this offer's Go JSON with `id` empty; see ``LilypadID``.
    public var id: String {
        _read { yield fields.value.id }
        set { fields = fields.updated { $0.id = newValue } }
    }
    /// Creation time, milliseconds since the Unix epoch.
    public var createdAt: Int {
        _read { yield fields.value.createdAt }
        set { fields = fields.updated { $0.createdAt = newValue } }
    }
    /// Random per offer, so two identical offers made in the same millisecond differ.
    public var nonce: String {
        _read { yield fields.value.nonce }
        set { fields = fields.updated { $0.nonce = newValue } }
    }
    /// The job creator's address.
    public var jobCreator: String {
        _read { yield fields.value.jobCreator }
        set { fields = fields.updated { $0.jobCreator = newValue } }
    }
    public var module: ModuleConfig {
        _read { yield fields.value.module }
        set { fields = fields.updated { $0.module = newValue } }
    }
    /// The minimum machine, taken from the module.
    public var spec: MachineSpec {
        _read { yield fields.value.spec }
        set { fields = fields.updated { $0.spec = newValue } }
    }
    /// The user's inputs; `nil` is Go's nil map.
    public var inputs: [String: String]? {
        _read { yield fields.value.inputs }
        set { fields = fields.updated { $0.inputs = newValue } }
    }
    public var inputFiles: InputFiles {
        _read { yield fields.value.inputFiles }
        set { fields = fields.updated { $0.inputFiles = newValue } }
    }
    public var executionTimeoutSeconds: UInt64 {
        _read { yield fields.value.executionTimeoutSeconds }
        set { fields = fields.updated { $0.executionTimeoutSeconds = newValue } }
    }
    public var mode: PricingMode {
        _read { yield fields.value.mode }
        set { fields = fields.updated { $0.mode = newValue } }
    }
    public var pricing: DealPricing {
        _read { yield fields.value.pricing }
        set { fields = fields.updated { $0.pricing = newValue } }
    }
    public var services: ServiceConfig {
        _read { yield fields.value.services }
        set { fields = fields.updated { $0.services = newValue } }
    }
    public var target: TargetConfig {
        _read { yield fields.value.target }
        set { fields = fields.updated { $0.target = newValue } }
    }

    public init(
        id: String = "", createdAt: Int, nonce: String, jobCreator: String, module: ModuleConfig, spec: MachineSpec = MachineSpec(),
        inputs: [String: String]? = nil, inputFiles: InputFiles = InputFiles(), executionTimeoutSeconds: UInt64 = 0,
        mode: PricingMode = .marketPrice, pricing: DealPricing = DealPricing(), services: ServiceConfig = ServiceConfig(),
        target: TargetConfig = TargetConfig()
    ) {
        fields = SharedBox(
            Fields(
                id: id, spec: spec, mode: mode, pricing: pricing, services: services, module: module, target: target, createdAt: createdAt,
                nonce: nonce, jobCreator: jobCreator, inputs: inputs, inputFiles: inputFiles, executionTimeoutSeconds: executionTimeoutSeconds))
    }

    public init(from decoder: any Decoder) throws { fields = SharedBox(try Fields(from: decoder)) }

    public func encode(to encoder: any Encoder) throws { try fields.value.encode(to: encoder) }

    public static func == (a: JobOffer, b: JobOffer) -> Bool { a.fields === b.fields || a.fields.value == b.fields.value }

    public func hash(into hasher: inout Hasher) { fields.value.hash(into: &hasher) }

    /// The fields, as if they were stored in the offer itself (for `dump` and test failures).
    public var customMirror: Mirror { Mirror(reflecting: fields.value) }
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
