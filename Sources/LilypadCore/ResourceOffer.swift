/// A resource provider's signed offer of one slot of its machine (Lilypad's `ResourceOffer`).
///
/// Field order is Go's declaration order: it determines the offer's ID.
///
/// Like ``JobOffer``, the fields live in one shared immutable box, read in place: a copy is one
/// reference count. Setting a field replaces the box.
public struct ResourceOffer: Sendable, Hashable, Codable, ContentAddressed, CustomReflectable {
    /// The stored fields; their Codable encoding (in Go's order, fixed by `CodingKeys`) is the offer's.
    struct Fields: Sendable, Hashable, Codable {
        var id: String
        var createdAt: Int
        var resourceProvider: String
        var index: Int
        var spec: MachineSpec
        var modules: [String]?
        var mode: PricingMode
        var defaultPricing: DealPricing
        var modulePricing: [String: DealPricing]?
        var services: ServiceConfig

        enum CodingKeys: String, CodingKey {
            case id
            case createdAt = "created_at"
            case resourceProvider = "resource_provider"
            case index, spec, modules, mode
            case defaultPricing = "default_pricing"
            case modulePricing = "module_pricing"
            case services = "trusted_parties"
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
    /// The resource provider's address.
    public var resourceProvider: String {
        _read { yield fields.value.resourceProvider }
        set { fields = fields.updated { $0.resourceProvider = newValue } }
    }
    /// The slot number on the provider's machine.
    public var index: Int {
        _read { yield fields.value.index }
        set { fields = fields.updated { $0.index = newValue } }
    }
    /// The slot's capacity.
    public var spec: MachineSpec {
        _read { yield fields.value.spec }
        set { fields = fields.updated { $0.spec = newValue } }
    }
    /// Modules the provider accepts (`name:ref`), `nil` or empty for all.
    public var modules: [String]? {
        _read { yield fields.value.modules }
        set { fields = fields.updated { $0.modules = newValue } }
    }
    public var mode: PricingMode {
        _read { yield fields.value.mode }
        set { fields = fields.updated { $0.mode = newValue } }
    }
    public var defaultPricing: DealPricing {
        _read { yield fields.value.defaultPricing }
        set { fields = fields.updated { $0.defaultPricing = newValue } }
    }
    /// Per-module prices; `nil` is Go's nil map.
    public var modulePricing: [String: DealPricing]? {
        _read { yield fields.value.modulePricing }
        set { fields = fields.updated { $0.modulePricing = newValue } }
    }
    public var services: ServiceConfig {
        _read { yield fields.value.services }
        set { fields = fields.updated { $0.services = newValue } }
    }

    public init(
        id: String = "", createdAt: Int, resourceProvider: String, index: Int = 0, spec: MachineSpec = MachineSpec(), modules: [String]? = nil,
        mode: PricingMode = .fixedPrice, defaultPricing: DealPricing = .defaults, modulePricing: [String: DealPricing]? = nil,
        services: ServiceConfig = ServiceConfig()
    ) {
        fields = SharedBox(
            Fields(
                id: id, createdAt: createdAt, resourceProvider: resourceProvider, index: index, spec: spec, modules: modules, mode: mode,
                defaultPricing: defaultPricing, modulePricing: modulePricing, services: services))
    }

    public init(from decoder: any Decoder) throws { fields = SharedBox(try Fields(from: decoder)) }

    public func encode(to encoder: any Encoder) throws { try fields.value.encode(to: encoder) }

    public static func == (a: ResourceOffer, b: ResourceOffer) -> Bool { a.fields === b.fields || a.fields.value == b.fields.value }

    public func hash(into hasher: inout Hasher) { fields.value.hash(into: &hasher) }

    /// The fields, as if they were stored in the offer itself (for `dump` and test failures).
    public var customMirror: Mirror { Mirror(reflecting: fields.value) }
}

/// The solver's record of a resource offer (Lilypad's `ResourceOfferContainer`).
public struct ResourceOfferContainer: Sendable, Hashable, Codable {
    public var id: String
    public var dealID: String
    public var resourceProvider: String
    public var state: AgreementState
    public var resourceOffer: ResourceOffer

    public init(id: String, dealID: String = "", resourceProvider: String, state: AgreementState = .dealNegotiating, resourceOffer: ResourceOffer) {
        self.id = id
        self.dealID = dealID
        self.resourceProvider = resourceProvider
        self.state = state
        self.resourceOffer = resourceOffer
    }

    /// A new container for `offer`, unmatched.
    public init(offer: ResourceOffer) {
        self.init(id: offer.id, resourceProvider: offer.resourceProvider, resourceOffer: offer)
    }

    enum CodingKeys: String, CodingKey {
        case id
        case dealID = "deal_id"
        case resourceProvider = "resource_provider"
        case state
        case resourceOffer = "resource_offer"
    }
}
