/// The services both parties of an offer trust (Lilypad's `ServiceConfig`, JSON key `trusted_parties`).
public struct ServiceConfig: Sendable, Hashable, Codable {
    /// The solver's address.
    public var solver: String
    /// Acceptable mediators' addresses; `nil` is Go's nil slice.
    public var mediator: [String]?
    /// The API host; part of the offer's ID.
    public var apiHost: String

    public init(solver: String = "", mediator: [String]? = nil, apiHost: String = "") {
        self.solver = solver
        self.mediator = mediator
        self.apiHost = apiHost
    }

    enum CodingKeys: String, CodingKey {
        case solver, mediator
        case apiHost = "api_host"
    }
}

/// A job aimed at one resource provider (Lilypad's `TargetConfig`); empty address for none.
public struct TargetConfig: Sendable, Hashable, Codable {
    public var address: String

    public init(address: String = "") { self.address = address }
}

/// Files a module takes as input (Lilypad's `InputFiles`); `nil` lists are Go nil slices.
public struct InputFiles: Sendable, Hashable, Codable {
    public var required: [String]?
    public var optional: [String]?

    public init(required: [String]? = nil, optional: [String]? = nil) {
        self.required = required
        self.optional = optional
    }
}
