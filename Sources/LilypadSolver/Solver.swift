import Foundation
import LilypadCore
import LilypadCrypto

/// The solver's rules and state: it checks and stores offers, matches them as they arrive, drives
/// each deal through its lifecycle, enforces its timeouts on time, and tells each party what
/// happened to its own offers and deals.
///
/// It recomputes every ID itself (Lilypad's rule), never matches a resource offer twice (see
/// ``OrderBook``), writes every state change together with its events in one transaction, and
/// after a restart rebuilds its book and its deadlines from the store, so an acknowledged offer,
/// deal or result is never lost.
public actor Solver {
    /// Settings, with Lilypad's defaults.
    public struct Configuration: Sendable {
        /// This solver's address: offers must name it.
        public var address: EthereumAddress
        /// How far an offer's `created_at` may be from the solver's clock (Lilypad: 30 s).
        public var timestampWindowMilliseconds: Int = 30_000
        /// Waiting job offers above which new ones are refused with 503 (Lilypad: 1000).
        public var maximumWaitingJobOffers: Int = 1000
        /// The deal lifecycle's timeouts.
        public var timeouts = Timeouts()

        public init(address: EthereumAddress) { self.address = address }
    }

    /// How long each step may take (Lilypad's `TIMEOUT_*` settings), in seconds.
    public struct Timeouts: Sendable, Hashable {
        /// A job offer not matched this long after the solver received it ends in TimeoutMatch.
        public var matchSeconds = 30
        /// Execution timeout of a job that names none; a deal with no result by its job's execution
        /// timeout (plus ``executionGraceSeconds``) ends in TimeoutExecution.
        public var executionSeconds = 900
        /// Time the provider gets after the execution timeout to upload and report.
        public var executionGraceSeconds = 15
        /// Results not downloaded or judged this long after submission end in TimeoutDownload.
        public var downloadSeconds = 3600
        /// A job offer still active this long after it was received ends in JobTimedOut.
        public var totalSeconds = 7200

        public init() {}
    }

    public let configuration: Configuration
    let store: any SolverStorage
    private var book = OrderBook()
    private var deadlines = DeadlineQueue()
    private var timer: Task<Void, Never>?
    private var subscribers: [String: [UUID: AsyncStream<SolverEvent>.Continuation]] = [:]

    /// Opens the solver over `store`, putting every open offer back into the book in arrival order.
    public init(store: any SolverStorage, configuration: Configuration) throws {
        self.store = store
        self.configuration = configuration
        let open = try store.openOffers()
        // Room for the waiting job offers the solver accepts (bounded: the cap may be set very high).
        var book = OrderBook(jobs: min(configuration.maximumWaitingJobOffers, 100_000), resources: 0)
        // Normally no open pair can match: each match is committed as it happens. But a crash after
        // an offer was stored and before its match was committed leaves such a pair; it is matched
        // and recorded now instead of being lost.
        let now = Self.clock()
        for container in open.resources {
            if let match = try book.add(resource: container.resourceOffer) { _ = try Self.record(match, now: now, in: store) }
        }
        for container in open.jobs {
            switch try book.add(job: container.jobOffer) {
            case .matched(let match): _ = try Self.record(match, now: now, in: store)
            case .cancelled:
                var cancelled = container
                cancelled.state = .jobOfferCancelled
                try store.update(cancelled, events: [SolverEvent(kind: .jobOfferStateUpdated, jobOffer: cancelled)])
            case .waiting: break
            }
        }
        self.book = book
        // Re-arm every pending deadline; those already past fire at once.
        for (id, receivedAt) in try store.activeJobOfferArrivals() {
            deadlines.push(.init(at: receivedAt + configuration.timeouts.totalSeconds * 1000, kind: .total, id: id))
            if book.isWaiting(jobOffer: id) {
                deadlines.push(.init(at: receivedAt + configuration.timeouts.matchSeconds * 1000, kind: .match, id: id))
            }
        }
        for deal in try store.activeDeals() { deadlines.push(contentsOf: Self.deadlines(for: deal, timeouts: configuration.timeouts)) }
    }

    /// Starts enforcing timeouts (call once, after init); until then deadlines are only recorded.
    public func start() {
        started = true
        rearm()
    }

    private var started = false

    /// Stops the timer and ends every event stream.
    public func stop() {
        timer?.cancel()
        timer = nil
        for continuation in subscribers.values.flatMap(\.values) { continuation.finish() }
        subscribers = [:]
    }

    /// Milliseconds since the Unix epoch.
    public static func clock() -> Int { Int(Date().timeIntervalSince1970 * 1000) }

    // MARK: - Offers

    /// Accepts a job offer signed by `signer` at server time `now` (ms); `inputDigest` is the
    /// SHA-256 (hex) of its inputs archive, already in ``SolverFiles`` (`""`: the job has none).
    public func post(jobOffer offer: JobOffer, signer: EthereumAddress, now: Int, inputDigest: String = "") throws(SolverError) -> JobOfferContainer {
        try checkParty(offer.jobCreator, signer: signer)
        try checkCommon(createdAt: offer.createdAt, services: offer.services, now: now)
        guard book.waitingJobOfferCount < configuration.maximumWaitingJobOffers else { throw .busy(waiting: book.waitingJobOfferCount) }
        let (identified, json) = try wrap { try offer.identified() }
        var container = JobOfferContainer(offer: identified)
        guard !(try wrap { try store.hasJobOffer(id: identified.id) }) else {
            throw .invalidOffer("an identical job offer \(identified.id) was already posted")
        }
        let added = SolverEvent(kind: .jobOfferAdded, jobOffer: container)
        // Matched first, stored after: the offer and its deal (or the waiting offer) in one
        // transaction. If storing fails, the offer leaves the book again: it was never acknowledged.
        switch try wrap({ try book.add(job: identified, json: json) }) {
        case .matched(let match):
            container = try commit(match, now: now, inserting: .job(receivedAt: now, inputDigest: inputDigest, added: added)).job
        case .waiting:
            do throws(SolverError) {
                publish(try wrap { try store.insert(container, receivedAt: now, inputDigest: inputDigest, events: [added]) })
            } catch {
                book.removeJob(id: container.id)
                throw error
            }
            schedule(.init(at: now + configuration.timeouts.matchSeconds * 1000, kind: .match, id: container.id))
        case .cancelled:
            container.state = .jobOfferCancelled
            let cancelled = SolverEvent(kind: .jobOfferStateUpdated, jobOffer: container)
            publish(try wrap { try store.insert(container, receivedAt: now, inputDigest: inputDigest, events: [added, cancelled]) })
        }
        schedule(.init(at: now + configuration.timeouts.totalSeconds * 1000, kind: .total, id: container.id))
        return container
    }

    /// Accepts a resource offer signed by `signer` at server time `now` (ms).
    public func post(resourceOffer offer: ResourceOffer, signer: EthereumAddress, now: Int) throws(SolverError) -> ResourceOfferContainer {
        try checkParty(offer.resourceProvider, signer: signer)
        try checkCommon(createdAt: offer.createdAt, services: offer.services, now: now)
        guard offer.mode == .fixedPrice else { throw .invalidOffer("resource offers must use FixedPrice pricing") }
        let provider = offer.resourceProvider.lowercased()
        if let existing = try wrap({ try store.activeResourceOfferID(of: provider, slot: offer.index) }) {
            throw .duplicateResourceOffer(provider: offer.resourceProvider, index: offer.index, existing: existing)
        }
        let (identified, json) = try wrap { try offer.identified() }
        var container = ResourceOfferContainer(offer: identified)
        let added = SolverEvent(kind: .resourceOfferAdded, resourceOffer: container)
        // As for job offers: matched first, then stored with its deal in one transaction.
        if let match = try wrap({ try book.add(resource: identified, json: json) }) {
            container = try commit(match, now: now, inserting: .resource(added: added)).resource
        } else {
            do throws(SolverError) { publish(try wrap { try store.insert(container, events: [added]) }) } catch {
                book.removeResource(id: container.id)
                throw error
            }
        }
        return container
    }

    /// The job creator withdraws a job offer that is still waiting for a match (Ctrl-C in `lilypad run`).
    public func withdraw(jobOffer id: String, signer: EthereumAddress) throws(SolverError) -> JobOfferContainer {
        var offer = try jobOffer(id: id, requester: signer)
        guard offer.state == .dealNegotiating, book.isWaiting(jobOffer: id) else {
            throw .wrongState(deal: offer.dealID.isEmpty ? id : offer.dealID, state: offer.state.name, action: "withdraw the job offer of")
        }
        book.removeJob(id: id)
        offer.state = .jobOfferCancelled
        publish(try wrap { try store.update(offer, events: [SolverEvent(kind: .jobOfferStateUpdated, jobOffer: offer)]) })
        return offer
    }

    /// The provider withdraws a resource offer that is not matched (draining, or leaving the network).
    public func withdraw(resourceOffer id: String, signer: EthereumAddress) throws(SolverError) -> ResourceOfferContainer {
        guard var offer = try wrap({ try store.resourceOffer(id: id) }) else { throw .notFound("resource offer \(id)") }
        guard offer.resourceProvider.lowercased() == signer.lowercased else { throw .forbidden("only the provider can withdraw its resource offer") }
        guard offer.state == .dealNegotiating, book.isFree(resourceOffer: id) else {
            throw .wrongState(deal: offer.dealID.isEmpty ? id : offer.dealID, state: offer.state.name, action: "withdraw the resource offer of")
        }
        book.removeResource(id: id)
        offer.state = .jobOfferCancelled
        publish(try wrap { try store.update(offer, events: [SolverEvent(kind: .resourceOfferRemoved, resourceOffer: offer)]) })
        return offer
    }

    // MARK: - Reads

    /// A deal, for its parties and mediators only.
    public func deal(id: String, requester: EthereumAddress) throws(SolverError) -> DealContainer {
        let deal = try existingDeal(id)
        guard Self.canRead(deal, requester) else {
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

    /// A deal's result, for its parties and mediators only.
    public func result(dealID: String, requester: EthereumAddress) throws(SolverError) -> JobResult {
        _ = try deal(id: dealID, requester: requester)
        guard let result = try wrap({ try store.result(dealID: dealID) }) else { throw .notFound("result of deal \(dealID)") }
        return result
    }

    /// The SHA-256 (hex) of a deal's inputs archive, for its parties and mediators only; not found
    /// when the job has no input files.
    public func inputDigest(dealID: String, requester: EthereumAddress) throws(SolverError) -> String {
        let deal = try deal(id: dealID, requester: requester)
        guard let digest = try wrap({ try store.inputDigest(jobOfferID: deal.jobOffer) }), !digest.isEmpty else {
            throw .notFound("\(SolverError.noInputFilesPrefix) \(dealID)")
        }
        return digest
    }

    public var waitingJobOffers: Int { book.waitingJobOfferCount }
    public var freeResourceOffers: Int { book.freeResourceOfferCount }
    /// Event streams open now: WebSockets, and long polls waiting for an event.
    public var eventStreams: Int { subscribers.values.reduce(0) { $0 + $1.count } }

    static func canRead(_ deal: DealContainer, _ requester: EthereumAddress) -> Bool {
        let allowed = [deal.jobCreator, deal.resourceProvider] + (deal.deal.members.mediators ?? [])
        return allowed.contains { $0.lowercased() == requester.lowercased }
    }

    // MARK: - Lifecycle

    /// Records that `requester`, the deal's job creator, asked the deal's running job to stop: a
    /// `DealStopRequested` event for the deal's parties, durable like every event, so the provider
    /// learns of it at once (even from a job that prints nothing) and after a restart too.
    public func requestStop(dealID: String, requester: EthereumAddress) throws(SolverError) {
        let deal = try existingDeal(dealID)
        guard deal.jobCreator.lowercased() == requester.lowercased else { throw .forbidden("only the deal's job creator stops its job") }
        guard deal.state.jobMayBeRunning else { throw .wrongState(deal: deal.id, state: deal.state.name, action: "stop the job of") }
        publish(try wrap { try store.append([SolverEvent(kind: .dealStopRequested, deal: deal)]) })
    }

    /// The provider starts uploading a deal's results folder (Lilypad's `POST /deals/{id}/files`):
    /// checks it may, and moves the deal to Uploading.
    public func beginUpload(dealID: String, signer: EthereumAddress, now: Int) throws(SolverError) -> DealContainer {
        var deal = try existingDeal(dealID)
        guard deal.resourceProvider.lowercased() == signer.lowercased else {
            throw .forbidden("only the deal's resource provider uploads its results")
        }
        switch deal.state {
        case .dealAgreed:
            deal.uploadAt = now
            return try advance(deal, to: .uploading)
        case .uploading: return deal
        default: throw .wrongState(deal: dealID, state: deal.state.name, action: "upload results for")
        }
    }

    /// The job creator (or a mediator) starts downloading a deal's results; the job creator's
    /// first download moves the deal to Downloading.
    public func beginDownload(dealID: String, requester: EthereumAddress) throws(SolverError) -> DealContainer {
        let deal = try deal(id: dealID, requester: requester)
        guard deal.jobCreator.lowercased() == requester.lowercased, deal.state == .resultsSubmitted else { return deal }
        return try advance(deal, to: .downloading)
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
        let advanced = try advance(deal, to: .resultsSubmitted, result: stored)
        schedule(.init(at: now + configuration.timeouts.downloadSeconds * 1000, kind: .download, id: dealID))
        return advanced
    }

    /// A party records its settlement transactions on a deal (Lilypad's `/deals/{id}/txs/…`).
    ///
    /// - The job creator's `accept_result` completes the deal; its `check_result` asks for mediation.
    /// - A mediator's `mediation_accept_result` / `mediation_reject_result` ends a checked deal.
    /// - `agree` carries each party's consent signature to the deal's ledger terms.
    public func post(transactions update: DealTransactions, dealID: String, signer: EthereumAddress, now: Int) throws(SolverError) -> DealContainer {
        var deal = try existingDeal(dealID)
        let isJobCreator = deal.jobCreator.lowercased() == signer.lowercased
        let isProvider = deal.resourceProvider.lowercased() == signer.lowercased
        let isMediator = (deal.deal.members.mediators ?? []).contains { $0.lowercased() == signer.lowercased }
        let touches = (creator: update.jobCreator != .init(), provider: update.resourceProvider != .init(), mediator: update.mediator != .init())
        guard (!touches.creator || isJobCreator) && (!touches.provider || isProvider) && (!touches.mediator || isMediator) else {
            throw .forbidden("each party may record only its own transactions on a deal")
        }
        var kinds: [SolverEvent.Kind] = []
        if touches.creator { kinds.append(.jobCreatorTransactionsUpdated) }
        if touches.provider { kinds.append(.resourceProviderTransactionsUpdated) }
        if touches.mediator { kinds.append(.mediatorTransactionsUpdated) }
        var target = deal.state
        if !update.jobCreator.acceptResult.isEmpty || !update.jobCreator.checkResult.isEmpty {
            guard deal.state == .resultsSubmitted || deal.state == .downloading else {
                throw .wrongState(deal: dealID, state: deal.state.name, action: "judge the result of")
            }
            if deal.downloadAt == 0 { deal.downloadAt = now }
            target = update.jobCreator.checkResult.isEmpty ? .resultsAccepted : .resultsChecked
        }
        if touches.mediator {
            guard deal.state == .resultsChecked else { throw .wrongState(deal: dealID, state: deal.state.name, action: "rule on") }
            let accepted = !update.mediator.mediationAcceptResult.isEmpty, rejected = !update.mediator.mediationRejectResult.isEmpty
            guard accepted != rejected else { throw .invalidOffer("a mediator's ruling either accepts or rejects the result") }
            target = accepted ? .mediationAccepted : .mediationRejected
            deal.mediator = signer.checksummed
            kinds.append(.dealMediatorUpdated)
        }
        deal.transactions.merge(update)
        return try advance(deal, to: target, extra: kinds)
    }

    private func existingDeal(_ id: String) throws(SolverError) -> DealContainer {
        guard let deal = try wrap({ try store.deal(id: id) }) else { throw .notFound("deal \(id)") }
        return deal
    }

    // MARK: - Events

    /// Events for `party`: first every stored one after `seq`, then each new one as it happens.
    /// The stream ends when the solver stops; a client reconnects with the last `seq` it saw.
    public func subscribe(party: EthereumAddress, after seq: Int) throws(SolverError) -> AsyncStream<SolverEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: SolverEvent.self, bufferingPolicy: .bufferingNewest(100_000))
        var last = seq
        while true {
            let backlog = try wrap { try store.events(for: party.lowercased, after: last, limit: 1000) }
            for event in backlog { continuation.yield(event) }
            guard let newest = backlog.last, backlog.count == 1000 else { break }
            last = newest.seq
        }
        let id = UUID()
        subscribers[party.lowercased, default: [:]][id] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { await self?.unsubscribe(party.lowercased, id) }
        }
        return stream
    }

    /// Stored events for `party` after `seq` (at most `limit`), for clients that poll.
    public func events(party: EthereumAddress, after seq: Int, limit: Int) throws(SolverError) -> [SolverEvent] {
        try wrap { try store.events(for: party.lowercased, after: seq, limit: limit) }
    }

    /// The newest event `party` can see, to start listening from now.
    public func lastEvent(party: EthereumAddress) throws(SolverError) -> Int {
        try wrap { try store.lastEventSeq(for: party.lowercased) }
    }

    private func unsubscribe(_ party: String, _ id: UUID) {
        subscribers[party]?[id] = nil
        if subscribers[party]?.isEmpty == true { subscribers[party] = nil }
    }

    private func publish(_ events: [SolverEvent]) {
        for event in events {
            for party in event.audience {
                guard let continuations = subscribers[party]?.values else { continue }
                for continuation in continuations { continuation.yield(event) }
            }
        }
    }

    // MARK: - Steps

    /// The offer that arrived and made a match, stored in the match's transaction (with the event of its arrival).
    private enum Arrival {
        case job(receivedAt: Int, inputDigest: String, added: SolverEvent)
        case resource(added: SolverEvent)
    }

    private func commit(
        _ match: OrderBook.Match, now: Int, inserting arrival: Arrival
    ) throws(SolverError) -> (job: JobOfferContainer, resource: ResourceOfferContainer) {
        let stored: (job: JobOfferContainer, resource: ResourceOfferContainer, events: [SolverEvent])
        do throws(SolverError) { stored = try wrap { try Self.record(match, now: now, in: store, inserting: arrival) } } catch {
            // Nothing was stored: the arrival is refused, and its counterpart waits in the book again.
            switch arrival {
            case .job: _ = try? book.add(resource: match.resource)
            case .resource: _ = try? book.add(job: match.job)
            }
            throw error
        }
        publish(stored.events)
        if let deal = stored.events.first(where: { $0.kind == .dealAdded })?.deal {
            for deadline in Self.deadlines(for: deal, timeouts: configuration.timeouts) { schedule(deadline) }
        }
        return (stored.job, stored.resource)
    }

    /// Stores a match: the new deal, and both offers moved into it (the one that just arrived
    /// inserted, when given), in one transaction.
    private static func record(
        _ match: OrderBook.Match, now: Int, in store: any SolverStorage, inserting arrival: Arrival? = nil
    ) throws -> (job: JobOfferContainer, resource: ResourceOfferContainer, events: [SolverEvent]) {
        let deal = DealContainer(deal: match.deal, createdAt: now)
        let job = JobOfferContainer(id: match.job.id, dealID: deal.id, jobCreator: match.job.jobCreator, state: .dealAgreed, jobOffer: match.job)
        let resource = ResourceOfferContainer(
            id: match.resource.id, dealID: deal.id, resourceProvider: match.resource.resourceProvider, state: .dealAgreed,
            resourceOffer: match.resource)
        var events = [
            SolverEvent(kind: .dealAdded, deal: deal), SolverEvent(kind: .jobOfferStateUpdated, jobOffer: job),
            SolverEvent(kind: .resourceOfferStateUpdated, resourceOffer: resource),
        ]
        let newOffer: NewlyStoredOffer?
        switch arrival {
        case .job(let receivedAt, let inputDigest, let added)?:
            newOffer = .job(receivedAt: receivedAt, inputDigest: inputDigest)
            events.insert(added, at: 0)
        case .resource(let added)?:
            newOffer = .resource
            events.insert(added, at: 0)
        case nil:
            newOffer = nil
        }
        let stored = try store.commit(deal: deal, job: job, resource: resource, result: nil, isNew: true, inserting: newOffer, events: events)
        return (job, resource, stored)
    }

    /// Moves a deal and both its offers to `state`, with an optional result, in one transaction.
    private func advance(
        _ deal: DealContainer, to state: AgreementState, result: JobResult? = nil, extra: [SolverEvent.Kind] = []
    ) throws(SolverError) -> DealContainer {
        var deal = deal
        let changed = deal.state != state
        deal.state = state
        guard var job = try wrap({ try store.jobOffer(id: deal.jobOffer) }),
            var resource = try wrap({ try store.resourceOffer(id: deal.resourceOffer) })
        else {
            throw .storage("deal \(deal.id) refers to missing offers")
        }
        job.state = state
        resource.state = state
        var events = extra.map { SolverEvent(kind: $0, deal: deal) }
        if changed {
            events += [
                SolverEvent(kind: .dealStateUpdated, deal: deal), SolverEvent(kind: .jobOfferStateUpdated, jobOffer: job),
                SolverEvent(kind: .resourceOfferStateUpdated, resourceOffer: resource),
            ]
        }
        let stored = try wrap {
            try store.commit(deal: deal, job: job, resource: resource, result: result, isNew: false, inserting: nil, events: events)
        }
        publish(stored)
        return deal
    }

    // MARK: - Timeouts

    private static func deadlines(for deal: DealContainer, timeouts: Timeouts) -> [DeadlineQueue.Entry] {
        switch deal.state {
        case .dealAgreed, .uploading:
            let seconds = deal.deal.jobOffer.executionTimeoutSeconds > 0 ? Int(deal.deal.jobOffer.executionTimeoutSeconds) : timeouts.executionSeconds
            return [.init(at: deal.createdAt + (seconds + timeouts.executionGraceSeconds) * 1000, kind: .execution, id: deal.id)]
        case .resultsSubmitted, .downloading:
            return [.init(at: deal.uploadAt + timeouts.downloadSeconds * 1000, kind: .download, id: deal.id)]
        default:
            return []
        }
    }

    private func schedule(_ entry: DeadlineQueue.Entry) {
        let earliest = deadlines.earliest
        deadlines.push(entry)
        if started, timer == nil || earliest.map({ entry.at < $0 }) ?? true { rearm() }
    }

    /// Sleeps until the earliest deadline (one timer for all of them), then fires what is due.
    private func rearm() {
        timer?.cancel()
        guard let next = deadlines.earliest else {
            timer = nil
            return
        }
        let delay = max(0, next - Self.clock())
        timer = Task { [weak self] in
            if delay > 0 { try? await Task.sleep(for: .milliseconds(delay)) }
            guard !Task.isCancelled else { return }
            await self?.fireDue()
        }
    }

    private func fireDue() {
        let now = Self.clock()
        while let entry = deadlines.popDue(now: now) {
            // A failed step is retried a moment later rather than lost.
            do throws(SolverError) { try expire(entry, now: now) } catch { deadlines.push(.init(at: now + 1000, kind: entry.kind, id: entry.id)) }
        }
        timer = nil
        rearm()
    }

    /// Applies one deadline if what it guards is still pending.
    private func expire(_ entry: DeadlineQueue.Entry, now: Int) throws(SolverError) {
        switch entry.kind {
        case .match:
            guard var offer = try wrap({ try store.jobOffer(id: entry.id) }), offer.state == .dealNegotiating else { return }
            book.removeJob(id: entry.id)
            offer.state = .timeoutMatch
            publish(try wrap { try store.update(offer, events: [SolverEvent(kind: .jobOfferStateUpdated, jobOffer: offer)]) })
        case .total:
            guard var offer = try wrap({ try store.jobOffer(id: entry.id) }), !offer.state.isTerminal else { return }
            if offer.dealID.isEmpty {
                book.removeJob(id: entry.id)
                offer.state = .jobTimedOut
                publish(try wrap { try store.update(offer, events: [SolverEvent(kind: .jobOfferStateUpdated, jobOffer: offer)]) })
            } else {
                _ = try advance(try existingDeal(offer.dealID), to: .jobTimedOut)
            }
        case .execution:
            let deal = try existingDeal(entry.id)
            guard deal.state == .dealAgreed || deal.state == .uploading else { return }
            _ = try advance(deal, to: .timeoutExecution)
        case .download:
            let deal = try existingDeal(entry.id)
            guard deal.state == .resultsSubmitted || deal.state == .downloading else { return }
            _ = try advance(deal, to: .timeoutDownload)
        }
    }

    // MARK: - Checks

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
