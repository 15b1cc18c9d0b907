import LilypadCrypto

/// Where a network's services are, and whom they trust: what every role needs to take part.
public struct NetworkEndpoints: Sendable, Hashable, Codable {
    /// The solver's base URL, e.g. `http://127.0.0.1:8081`.
    public var solverURL: String
    /// The solver's address (offers must name it).
    public var solverAddress: EthereumAddress
    /// The ledger's base URL, e.g. `http://127.0.0.1:8547`.
    public var ledgerURL: String
    /// The mediators this party trusts.
    public var mediators: [EthereumAddress]

    public init(solverURL: String, solverAddress: EthereumAddress, ledgerURL: String, mediators: [EthereumAddress]) {
        self.solverURL = solverURL
        self.solverAddress = solverAddress
        self.ledgerURL = ledgerURL
        self.mediators = mediators
    }
}
