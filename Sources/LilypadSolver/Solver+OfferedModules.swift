import Foundation
import GRDB
import LilypadCore

/// What one active resource offer is willing to run: its provider and its module allowlist.
///
/// Published without authentication (it holds no job data), so that gateways such as Anura can
/// list exactly the models that providers currently offer.
public struct OfferedModules: Sendable, Hashable, Codable {
    public var resourceProvider: String
    /// The modules the offer accepts (`name:ref` or repository URLs); `nil` when it accepts any.
    public var modules: [String]?

    public init(resourceProvider: String, modules: [String]?) {
        self.resourceProvider = resourceProvider
        self.modules = modules
    }

    enum CodingKeys: String, CodingKey {
        case resourceProvider = "resource_provider"
        case modules
    }
}

extension Solver {
    /// The providers and module allowlists of every active resource offer (free or matched).
    public func offeredModules() throws(SolverError) -> [OfferedModules] {
        try wrapStore { try store.activeResourceOffers() }.map {
            OfferedModules(resourceProvider: $0.resourceProvider, modules: $0.resourceOffer.modules)
        }
    }
}

extension SolverStore {
    /// Every resource offer in an active state, in arrival order.
    public func activeResourceOffers() throws -> [ResourceOfferContainer] {
        try database.read { db in
            try Data.fetchAll(
                db,
                sql:
                    "SELECT body FROM resource_offer WHERE state IN \(Self.list(AgreementState.allCases.filter(\.isActiveResourceOffer))) ORDER BY seq"
            )
        }.map { try JSONDecoder().decode(ResourceOfferContainer.self, from: $0) }
    }
}
