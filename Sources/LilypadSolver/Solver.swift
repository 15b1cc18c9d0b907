import Foundation
import LilypadCore
import LilypadCrypto

/// The solver's rules and state: it checks and stores offers, matches them as they arrive, and
/// records each deal atomically with both offers moved into it.
///
/// It recomputes every ID itself (Lilypad's rule), never matches a resource offer twice (see
/// ``OrderBook``), and after a restart rebuilds its book from the offers still open in its store,
/// so an acknowledged offer is never lost.
public actor Solver {
    /// Settings, with Lilypad's defaults.
    public struct Configuration: Sendable {
        /// This solver's address: offers must name it.
        public var address: EthereumAddress
        /// How far an offer's `created_at` may be from the solver's clock (Lilypad: 30 s).
        public var timestampWindowMilliseconds: Int = 30_000
        /// Waiting job offers above which new ones are refused with 503 (Lilypad: 1000).
        public var maximumWaitingJobOffers: Int = 1000

        public init(address: EthereumAddress) { self.address = address }
    }

    public let configuration: Configuration
    let store: SolverStore
    private var book = OrderBook()

    /// Opens the solver over `store`, putting every open offer back into the book in arrival order.
    public init(store: SolverStore, configuration: Configuration) throws {
        self.store = store
        self.configuration = configuration
        let open = try store.openOffers()
        var book = OrderBook()
        // Normally no open pair can match: each match is committed as it happens. But a crash after
        // an offer was stored and before its match was committed leaves such a pair; it is matched
        // and recorded now instead of being lost.
        let now = Int(Date().timeIntervalSince1970 * 1000)
        for container in open.resources {
            if let match = try book.add(resource: container.resourceOffer) { _ = try Self.record(match, now: now, in: store) }
        }
        for container in open.jobs {
            switch try book.add(job: container.jobOffer) {
            case .matched(let match): _ = try Self.record(match, now: now, in: store)
            case .cancelled:
                var cancelled = container
                cancelled.state = .jobOfferCancelled
                try store.update(cancelled)
            case .waiting: break
            }
        }
        self.book = book
    }

    /// Accepts a job offer signed by `signer` at server time `now` (ms).
    public func post(jobOffer offer: JobOffer, signer: EthereumAddress, now: Int) throws(SolverError) -> JobOfferContainer {
        try checkParty(offer.jobCreator, signer: signer)
        try checkCommon(createdAt: offer.createdAt, services: offer.services, now: now)
        guard book.waitingJobOfferCount < configuration.maximumWaitingJobOffers else { throw .busy(waiting: book.waitingJobOfferCount) }
        let (identified, json) = try wrap { try offer.identified() }
        var container = JobOfferContainer(offer: identified)
        guard (try wrap { try store.jobOffer(id: identified.id) }) == nil else {
            throw .invalidOffer("an identical job offer \(identified.id) was already posted")
        }
        try wrap { try store.insert(container) }
        switch try wrap({ try book.add(job: identified, json: json) }) {
        case .matched(let match):
            container = try commit(match, now: now).job
        case .waiting:
            break
        case .cancelled:
            container.state = .jobOfferCancelled
            try wrap { try store.update(container) }
        }
        return container
    }

    /// Accepts a resource offer signed by `signer` at server time `now` (ms).
    public func post(resourceOffer offer: ResourceOffer, signer: EthereumAddress, now: Int) throws(SolverError) -> ResourceOfferContainer {
        try checkParty(offer.resourceProvider, signer: signer)
        try checkCommon(createdAt: offer.createdAt, services: offer.services, now: now)
        guard offer.mode == .fixedPrice else { throw .invalidOffer("resource offers must use FixedPrice pricing") }
        let provider = offer.resourceProvider.lowercased()
        if let existing = try wrap({ try store.activeResourceOffers(of: provider) }).first(where: { $0.resourceOffer.index == offer.index }) {
            throw .duplicateResourceOffer(provider: offer.resourceProvider, index: offer.index, existing: existing.id)
        }
        let (identified, json) = try wrap { try offer.identified() }
        var container = ResourceOfferContainer(offer: identified)
        try wrap { try store.insert(container) }
        if let match = try wrap({ try book.add(resource: identified, json: json) }) {
            container = try commit(match, now: now).resource
        }
        return container
    }

    /// A deal, for its parties and mediators only.
    public func deal(id: String, requester: EthereumAddress) throws(SolverError) -> DealContainer {
        guard let deal = try wrap({ try store.deal(id: id) }) else { throw .notFound("deal \(id)") }
        let allowed = [deal.jobCreator, deal.resourceProvider] + (deal.deal.members.mediators ?? [])
        guard allowed.contains(where: { $0.lowercased() == requester.lowercased }) else {
            throw .forbidden("only the deal's job creator, resource provider and mediators can read it")
        }
        return deal
    }

    /// The requester's own deals.
    public func deals(of requester: EthereumAddress) throws(SolverError) -> [DealContainer] {
        try wrap { try store.deals(of: requester.lowercased) }
    }

    /// A job offer, for its job creator only (it carries the job's inputs).
    public func jobOffer(id: String, requester: EthereumAddress) throws(SolverError) -> JobOfferContainer {
        guard let offer = try wrap({ try store.jobOffer(id: id) }) else { throw .notFound("job offer \(id)") }
        guard offer.jobCreator.lowercased() == requester.lowercased else { throw .forbidden("only the job creator can read its job offer") }
        return offer
    }

    /// The provider reports a deal's result: data (`data_id`, the results folder's CID) or the
    /// job's failure (`error`, the provider's own text, which reaches the job creator as such).
    /// Only once, only by the deal's provider, only while the deal is running.
    public func post(result: JobResult, dealID: String, signer: EthereumAddress, now: Int) throws(SolverError) -> DealContainer {
        var deal = try existingDeal(dealID)
        guard deal.resourceProvider.lowercased() == signer.lowercased else {
            throw .notYourOffer(signer: signer.checksummed, party: deal.resourceProvider)
        }
        guard deal.state == .dealAgreed || deal.state == .uploading else {
            throw .wrongState(deal: dealID, state: deal.state.name, action: "post a result for")
        }
        guard !result.dataID.isEmpty || !result.error.isEmpty else {
            throw .invalidOffer("a result needs data_id (the results' CID) or error (why the job failed)")
        }
        var stored = result
        stored.dealID = dealID
        if deal.uploadAt == 0 { deal.uploadAt = now }
        return try advance(deal, to: .resultsSubmitted, result: stored)
    }

    /// A deal's result, for its parties and mediators only.
    public func result(dealID: String, requester: EthereumAddress) throws(SolverError) -> JobResult {
        _ = try deal(id: dealID, requester: requester)
        guard let result = try wrap({ try store.result(dealID: dealID) }) else { throw .notFound("result of deal \(dealID)") }
        return result
    }

    /// A party records its settlement transactions on a deal (Lilypad's `/deals/{id}/txs/…`). The
    /// job creator's `accept_result` completes the deal: only after results were submitted.
    public func post(transactions update: DealTransactions, dealID: String, signer: EthereumAddress, now: Int) throws(SolverError) -> DealContainer {
        var deal = try existingDeal(dealID)
        let isJobCreator = deal.jobCreator.lowercased() == signer.lowercased
        let isProvider = deal.resourceProvider.lowercased() == signer.lowercased
        let isMediator = !deal.mediator.isEmpty && deal.mediator.lowercased() == signer.lowercased
        let touches = (creator: update.jobCreator != .init(), provider: update.resourceProvider != .init(), mediator: update.mediator != .init())
        guard (!touches.creator || isJobCreator) && (!touches.provider || isProvider) && (!touches.mediator || isMediator) else {
            throw .forbidden("each party may record only its own transactions on a deal")
        }
        deal.transactions.merge(update)
        if !update.jobCreator.acceptResult.isEmpty {
            guard deal.state == .resultsSubmitted || deal.state == .downloading else {
                throw .wrongState(deal: dealID, state: deal.state.name, action: "accept the result of")
            }
            if deal.downloadAt == 0 { deal.downloadAt = now }
            return try advance(deal, to: .resultsAccepted)
        }
        return try advance(deal, to: deal.state)
    }

    private func existingDeal(_ id: String) throws(SolverError) -> DealContainer {
        guard let deal = try wrap({ try store.deal(id: id) }) else { throw .notFound("deal \(id)") }
        return deal
    }

    public var waitingJobOffers: Int { book.waitingJobOfferCount }
    public var freeResourceOffers: Int { book.freeResourceOfferCount }

    // MARK: - Steps

    private func commit(_ match: OrderBook.Match, now: Int) throws(SolverError) -> (job: JobOfferContainer, resource: ResourceOfferContainer) {
        try wrap { try Self.record(match, now: now, in: store) }
    }

    /// Stores a match: the new deal, and both offers moved into it, in one transaction.
    private static func record(
        _ match: OrderBook.Match, now: Int, in store: SolverStore
    ) throws -> (job: JobOfferContainer, resource: ResourceOfferContainer) {
        let deal = DealContainer(deal: match.deal, createdAt: now)
        let job = JobOfferContainer(id: match.job.id, dealID: deal.id, jobCreator: match.job.jobCreator, state: .dealAgreed, jobOffer: match.job)
        let resource = ResourceOfferContainer(
            id: match.resource.id, dealID: deal.id, resourceProvider: match.resource.resourceProvider, state: .dealAgreed,
            resourceOffer: match.resource)
        try store.commit(deal: deal, job: job, resource: resource, isNew: true)
        return (job, resource)
    }

    /// Moves a deal and both its offers to `state`, with an optional result, in one transaction.
    private func advance(_ deal: DealContainer, to state: AgreementState, result: JobResult? = nil) throws(SolverError) -> DealContainer {
        var deal = deal
        deal.state = state
        guard var job = try wrap({ try store.jobOffer(id: deal.jobOffer) }),
            var resource = try wrap({ try store.resourceOffer(id: deal.resourceOffer) })
        else {
            throw .storage("deal \(deal.id) refers to missing offers")
        }
        job.state = state
        resource.state = state
        try wrap { try store.commit(deal: deal, job: job, resource: resource, result: result, isNew: false) }
        return deal
    }

    private func checkParty(_ party: String, signer: EthereumAddress) throws(SolverError) {
        guard let address = try? EthereumAddress(party) else { throw .invalidOffer("\"\(party)\" is not an address") }
        guard address == signer else { throw .notYourOffer(signer: signer.checksummed, party: address.checksummed) }
    }

    private func checkCommon(createdAt: Int, services: ServiceConfig, now: Int) throws(SolverError) {
        let skew = createdAt - now
        guard abs(skew) <= configuration.timestampWindowMilliseconds else {
            throw .staleTimestamp(skewMilliseconds: skew, windowMilliseconds: configuration.timestampWindowMilliseconds)
        }
        guard (try? EthereumAddress(services.solver)) == configuration.address else {
            throw .wrongSolver(expected: configuration.address.checksummed, got: services.solver)
        }
        guard let mediators = services.mediator, !mediators.isEmpty else {
            throw .invalidOffer("trusted_parties.mediator must name at least one mediator")
        }
    }

    private func wrap<T>(_ body: () throws -> T) throws(SolverError) -> T {
        do { return try body() } catch let error as SolverError { throw error } catch { throw .storage("\(error)") }
    }
}
