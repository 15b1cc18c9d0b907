/// A resource provider's signed offer of one slot of its machine (Lilypad's `ResourceOffer`).
///
/// Field order is Go's declaration order: it determines the offer's ID.
public struct ResourceOffer: Sendable, Hashable, Codable, ContentAddressed {
    /// CIDv0 of this offer's Go JSON with `id` empty; see ``LilypadID``.
    public var id: String
    /// Creation time, milliseconds since the Unix epoch.
    public var createdAt: Int
    /// The resource provider's address.
    public var resourceProvider: String
    /// The slot number on the provider's machine.
    public var index: Int
    /// The slot's capacity.
    public var spec: MachineSpec
    /// Modules the provider accepts (`name:ref`), `nil` or empty for all.
    public var modules: [String]?
    public var mode: PricingMode
    public var defaultPricing: DealPricing
    /// Per-module prices; `nil` is Go's nil map.
    public var modulePricing: [String: DealPricing]?
    public var services: ServiceConfig

    public init(
        id: String = "", createdAt: Int, resourceProvider: String, index: Int = 0, spec: MachineSpec = MachineSpec(), modules: [String]? = nil,
        mode: PricingMode = .fixedPrice, defaultPricing: DealPricing = .defaults, modulePricing: [String: DealPricing]? = nil,
        services: ServiceConfig = ServiceConfig()
    ) {
        self.id = id
        self.createdAt = createdAt
        self.resourceProvider = resourceProvider
        self.index = index
        self.spec = spec
        self.modules = modules
        self.mode = mode
        self.defaultPricing = defaultPricing
        self.modulePricing = modulePricing
        self.services = services
    }

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
