import Foundation
import GRDB
import LilypadCore

extension SolverStore {
    /// A party's job offers (`creator` lower-cased) passing `query`, in arrival order.
    public func jobOffers(of creator: String, query: JobOfferQuery) throws -> [JobOfferContainer] {
        var conditions = ["job_creator = ?"]
        if query.notMatched { conditions.append("deal_id = ''") }
        if query.active { conditions.append("state IN \(Self.list(AgreementState.allCases.filter(\.isActiveJobOffer)))") }
        if let cancelled = query.cancelled {
            conditions.append("state \(cancelled ? "" : "NOT ")IN \(Self.list(AgreementState.allCases.filter(\.isCancelled)))")
        }
        return try database.read { db in
            try Data.fetchAll(db, sql: "SELECT body FROM job_offer WHERE \(conditions.joined(separator: " AND ")) ORDER BY seq", arguments: [creator])
        }.map { try JSONDecoder().decode(JobOfferContainer.self, from: $0) }
    }

    /// A provider's resource offers (`provider` lower-cased) passing `query`, in arrival order.
    public func resourceOffers(of provider: String, query: ResourceOfferQuery) throws -> [ResourceOfferContainer] {
        var conditions = ["resource_provider = ?"]
        if query.notMatched { conditions.append("deal_id = ''") }
        if query.active { conditions.append("state IN \(Self.list(AgreementState.allCases.filter(\.isActiveResourceOffer)))") }
        return try database.read { db in
            try Data.fetchAll(
                db, sql: "SELECT body FROM resource_offer WHERE \(conditions.joined(separator: " AND ")) ORDER BY seq", arguments: [provider])
        }.map { try JSONDecoder().decode(ResourceOfferContainer.self, from: $0) }
    }

    /// Deals in which `party` (lower-cased) is the job creator or the provider, passing `query`, in match order.
    public func deals(of party: String, query: DealQuery) throws -> [DealContainer] {
        var conditions = ["(job_creator = ? OR resource_provider = ?)"]
        var arguments: [any DatabaseValueConvertible] = [party, party]
        if let creator = query.jobCreator {
            conditions.append("job_creator = ?")
            arguments.append(creator.lowercased)
        }
        if let provider = query.resourceProvider {
            conditions.append("resource_provider = ?")
            arguments.append(provider.lowercased)
        }
        if let state = query.state {
            conditions.append("state = ?")
            arguments.append(Int(state.rawValue))
        }
        return try database.read { db in
            try Data.fetchAll(
                db, sql: "SELECT body FROM deal WHERE \(conditions.joined(separator: " AND ")) ORDER BY seq",
                arguments: StatementArguments(arguments))
        }.map { try JSONDecoder().decode(DealContainer.self, from: $0) }
    }

    /// How many deals are in each state.
    public func dealCountsByState() throws -> [AgreementState: Int] {
        try database.read { db in
            var counts: [AgreementState: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM deal GROUP BY state") {
                let raw: Int = row["state"]
                if let state = AgreementState(rawValue: UInt8(clamping: raw)) { counts[state] = row["n"] }
            }
            return counts
        }
    }

    /// `(0, 1, 2)` for a set of states (numbers only: safe to splice into SQL).
    static func list(_ states: [AgreementState]) -> String {
        "(" + states.map { String($0.rawValue) }.joined(separator: ", ") + ")"
    }
}
