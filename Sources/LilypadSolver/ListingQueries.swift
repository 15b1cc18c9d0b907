import LilypadCore
import LilypadCrypto

/// A listing's query string that cannot be understood: answered with 400 and this text.
public struct ListingQueryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong and how to write it instead.
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// Reading and writing the query parameters the listings share.
enum ListingQueryParser {
    /// Checks that every parameter is one of `allowed` and appears once.
    static func check(_ items: [(name: String, value: String)], allowed: [String], listing: String) throws(ListingQueryError) {
        var seen: Set<String> = []
        for item in items {
            guard allowed.contains(item.name) else {
                throw ListingQueryError(
                    "unknown filter \"\(item.name)\" for \(listing): use \(allowed.joined(separator: ", "))")
            }
            guard seen.insert(item.name).inserted else { throw ListingQueryError("the filter \"\(item.name)\" is given twice") }
        }
    }

    static func value(_ name: String, in items: [(name: String, value: String)]) -> String? {
        items.first { $0.name == name }?.value
    }

    static func address(_ name: String, in items: [(name: String, value: String)]) throws(ListingQueryError) -> EthereumAddress? {
        guard let text = value(name, in: items) else { return nil }
        do { return try EthereumAddress(text) } catch {
            throw ListingQueryError("\(name)=\(text) is not an address: \(error)")
        }
    }

    /// `true` or `false`, as Go's `strconv.ParseBool` spells them most often.
    static func flag(_ name: String, in items: [(name: String, value: String)]) throws(ListingQueryError) -> Bool? {
        guard let text = value(name, in: items) else { return nil }
        switch text.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: throw ListingQueryError("\(name)=\(text) is not a boolean: use \(name)=true or \(name)=false")
        }
    }
}

/// Filters of `GET /api/v1/job_offers` (Lilypad's `job_creator`, `not_matched`, `active`,
/// `cancelled`). The listing holds only the signer's own job offers; these narrow it.
public struct JobOfferQuery: Sendable, Equatable {
    /// Must be the signer if given (a job offer carries its creator's inputs).
    public var jobCreator: EthereumAddress?
    /// Only offers not yet in a deal.
    public var notMatched = false
    /// Only offers still in play: DealNegotiating, DealAgreed or ResultsSubmitted.
    public var active = false
    /// `true`: only offers that ended without a result (cancelled or timed out); `false`: none of
    /// those; `nil`: either.
    public var cancelled: Bool?

    public init(jobCreator: EthereumAddress? = nil, notMatched: Bool = false, active: Bool = false, cancelled: Bool? = nil) {
        self.jobCreator = jobCreator
        self.notMatched = notMatched
        self.active = active
        self.cancelled = cancelled
    }

    static let names = ["job_creator", "not_matched", "active", "cancelled"]

    /// Reads the query parameters (`not_matched=false` and `active=false` mean no filter, as in Lilypad).
    public init(parameters items: [(name: String, value: String)]) throws(ListingQueryError) {
        try ListingQueryParser.check(items, allowed: Self.names, listing: "job offers")
        jobCreator = try ListingQueryParser.address("job_creator", in: items)
        notMatched = try ListingQueryParser.flag("not_matched", in: items) ?? false
        active = try ListingQueryParser.flag("active", in: items) ?? false
        cancelled = try ListingQueryParser.flag("cancelled", in: items)
    }

    /// The query parameters, in Lilypad's spelling.
    public var parameters: [(name: String, value: String)] {
        var items: [(name: String, value: String)] = []
        if let jobCreator { items.append(("job_creator", jobCreator.checksummed)) }
        if notMatched { items.append(("not_matched", "true")) }
        if active { items.append(("active", "true")) }
        if let cancelled { items.append(("cancelled", String(cancelled))) }
        return items
    }

    /// Whether `offer` passes the state filters.
    public func admits(_ offer: JobOfferContainer) -> Bool {
        if notMatched, !offer.dealID.isEmpty { return false }
        if active, !offer.state.isActiveJobOffer { return false }
        if let cancelled, offer.state.isCancelled != cancelled { return false }
        return true
    }
}

/// Filters of `GET /api/v1/resource_offers` (Lilypad's `resource_provider`, `active`, `not_matched`).
/// The listing holds only the signer's own resource offers; these narrow it.
public struct ResourceOfferQuery: Sendable, Equatable {
    /// Must be the signer if given.
    public var resourceProvider: EthereumAddress?
    /// Only offers still in play: DealNegotiating or DealAgreed.
    public var active = false
    /// Only offers not yet in a deal.
    public var notMatched = false

    public init(resourceProvider: EthereumAddress? = nil, active: Bool = false, notMatched: Bool = false) {
        self.resourceProvider = resourceProvider
        self.active = active
        self.notMatched = notMatched
    }

    static let names = ["resource_provider", "active", "not_matched"]

    /// Reads the query parameters (`false` means no filter, as in Lilypad).
    public init(parameters items: [(name: String, value: String)]) throws(ListingQueryError) {
        try ListingQueryParser.check(items, allowed: Self.names, listing: "resource offers")
        resourceProvider = try ListingQueryParser.address("resource_provider", in: items)
        active = try ListingQueryParser.flag("active", in: items) ?? false
        notMatched = try ListingQueryParser.flag("not_matched", in: items) ?? false
    }

    /// The query parameters, in Lilypad's spelling.
    public var parameters: [(name: String, value: String)] {
        var items: [(name: String, value: String)] = []
        if let resourceProvider { items.append(("resource_provider", resourceProvider.checksummed)) }
        if active { items.append(("active", "true")) }
        if notMatched { items.append(("not_matched", "true")) }
        return items
    }

    /// Whether `offer` passes the state filters.
    public func admits(_ offer: ResourceOfferContainer) -> Bool {
        if notMatched, !offer.dealID.isEmpty { return false }
        if active, !offer.state.isActiveResourceOffer { return false }
        return true
    }
}

/// Filters of `GET /api/v1/deals` (Lilypad's `job_creator`, `resource_provider`, `state`). The
/// listing holds only deals the signer is a party of; these narrow it.
public struct DealQuery: Sendable, Equatable {
    public var jobCreator: EthereumAddress?
    public var resourceProvider: EthereumAddress?
    /// Only deals in this state.
    public var state: AgreementState?

    public init(jobCreator: EthereumAddress? = nil, resourceProvider: EthereumAddress? = nil, state: AgreementState? = nil) {
        self.jobCreator = jobCreator
        self.resourceProvider = resourceProvider
        self.state = state
    }

    static let names = ["job_creator", "resource_provider", "state"]

    /// Reads the query parameters; `state` is a Go state name (`DealAgreed`) or its number (1).
    /// An unknown state is refused (Lilypad silently read it as DealNegotiating).
    public init(parameters items: [(name: String, value: String)]) throws(ListingQueryError) {
        try ListingQueryParser.check(items, allowed: Self.names, listing: "deals")
        jobCreator = try ListingQueryParser.address("job_creator", in: items)
        resourceProvider = try ListingQueryParser.address("resource_provider", in: items)
        if let text = ListingQueryParser.value("state", in: items) {
            if let state = AgreementState(name: text) ?? UInt8(text).flatMap(AgreementState.init(rawValue:)) {
                self.state = state
            } else {
                throw ListingQueryError(
                    "state=\(text) is not an agreement state: use one of \(AgreementState.allCases.map(\.name).joined(separator: ", ")) or its number 0–16"
                )
            }
        }
    }

    /// The query parameters, in Lilypad's spelling.
    public var parameters: [(name: String, value: String)] {
        var items: [(name: String, value: String)] = []
        if let jobCreator { items.append(("job_creator", jobCreator.checksummed)) }
        if let resourceProvider { items.append(("resource_provider", resourceProvider.checksummed)) }
        if let state { items.append(("state", state.name)) }
        return items
    }

    /// Whether `deal` passes the filters.
    public func admits(_ deal: DealContainer) -> Bool {
        if let jobCreator, deal.jobCreator.lowercased() != jobCreator.lowercased { return false }
        if let resourceProvider, deal.resourceProvider.lowercased() != resourceProvider.lowercased { return false }
        if let state, deal.state != state { return false }
        return true
    }
}

extension Solver {
    /// The requester's own job offers that pass `query`, in arrival order.
    public func jobOffers(_ query: JobOfferQuery, requester: EthereumAddress) throws(SolverError) -> [JobOfferContainer] {
        if let creator = query.jobCreator, creator != requester {
            throw .forbidden("job offers are listed only to their creator: drop job_creator or set it to your own address \(requester.checksummed)")
        }
        return try wrapStore { try store.jobOffers(of: requester.lowercased, query: query) }
    }

    /// The requester's own resource offers that pass `query`, in arrival order.
    public func resourceOffers(_ query: ResourceOfferQuery, requester: EthereumAddress) throws(SolverError) -> [ResourceOfferContainer] {
        if let provider = query.resourceProvider, provider != requester {
            throw .forbidden(
                "resource offers are listed only to their provider: drop resource_provider or set it to your own address \(requester.checksummed)")
        }
        return try wrapStore { try store.resourceOffers(of: requester.lowercased, query: query) }
    }

    /// Deals in which the requester is the job creator or the provider, passing `query`, in match order.
    public func deals(_ query: DealQuery, requester: EthereumAddress) throws(SolverError) -> [DealContainer] {
        try wrapStore { try store.deals(of: requester.lowercased, query: query) }
    }

    /// How many deals are in each state (for metrics).
    public func dealCountsByState() throws(SolverError) -> [AgreementState: Int] {
        try wrapStore { try store.dealCountsByState() }
    }

    func wrapStore<T>(_ body: () throws -> T) throws(SolverError) -> T {
        do { return try body() } catch let error as SolverError { throw error } catch { throw .storage("\(error)") }
    }
}
