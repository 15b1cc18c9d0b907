import LilypadCore
import LilypadCrypto

/// What the solver keeps durably: offers, deals, results, its event log and spent request nonces.
/// ``SolverStore`` keeps them in SQLite; a solver on another database (PostgreSQL, say, for
/// solvers sharing one) implements the same contract:
///
/// - A write and the events it is given are committed together, in one transaction, or not at
///   all; the events come back with their `seq`, assigned in commit order, strictly increasing
///   and never reused, so a client resuming after `seq` misses nothing.
/// - A write is durable when it returns: the solver acknowledges a request only then, and a
///   restart at any moment loses nothing acknowledged.
/// - Parties are named by lower-cased address; records read back equal to what was written.
public protocol SolverStorage: SpentNonceStore {
    // MARK: Writes

    /// Stores a new job offer received at `receivedAt` (ms), with the SHA-256 (hex) of its inputs
    /// archive (`""`: none), and its events.
    @discardableResult
    func insert(_ offer: JobOfferContainer, receivedAt: Int, inputDigest: String, events: [SolverEvent]) throws -> [SolverEvent]

    /// Stores a new resource offer, with its events.
    @discardableResult
    func insert(_ offer: ResourceOfferContainer, events: [SolverEvent]) throws -> [SolverEvent]

    /// Records a deal and both its offers (and its result, when given) in one transaction: a new
    /// match when `isNew`, else a step of its lifecycle. The offer named by `newOffer` is inserted
    /// rather than updated (it matched on arrival).
    @discardableResult
    func commit(
        deal: DealContainer, job: JobOfferContainer, resource: ResourceOfferContainer, result: JobResult?, isNew: Bool,
        inserting newOffer: NewlyStoredOffer?, events: [SolverEvent]
    ) throws -> [SolverEvent]

    /// Replaces a stored job offer (its state changed), with its events.
    @discardableResult
    func update(_ offer: JobOfferContainer, events: [SolverEvent]) throws -> [SolverEvent]

    /// Replaces a stored resource offer (its state changed), with its events.
    @discardableResult
    func update(_ offer: ResourceOfferContainer, events: [SolverEvent]) throws -> [SolverEvent]

    /// Appends events that change no record (a stop request).
    @discardableResult
    func append(_ events: [SolverEvent]) throws -> [SolverEvent]

    // MARK: Records

    func jobOffer(id: String) throws -> JobOfferContainer?
    func hasJobOffer(id: String) throws -> Bool
    /// The SHA-256 (hex) of a job offer's inputs archive (`""`: none; nil: no such offer).
    func inputDigest(jobOfferID id: String) throws -> String?
    func resourceOffer(id: String) throws -> ResourceOfferContainer?
    func result(dealID: String) throws -> JobResult?
    func deal(id: String) throws -> DealContainer?

    // MARK: Events

    /// Events `party` may see, after `seq`, oldest first, at most `limit`.
    func events(for party: String, after seq: Int, limit: Int) throws -> [SolverEvent]
    /// The highest event number `party` can see (0 if none): where a new client starts listening.
    func lastEventSeq(for party: String) throws -> Int

    // MARK: What a restart rebuilds

    /// When the solver received each still-active job offer (ms), to re-arm its timeouts.
    func activeJobOfferArrivals() throws -> [String: Int]
    /// Deals not in a terminal state, to re-arm their timeouts.
    func activeDeals() throws -> [DealContainer]
    /// Unmatched offers that can still match, in arrival order, to rebuild the order book.
    func openOffers() throws -> (jobs: [JobOfferContainer], resources: [ResourceOfferContainer])
    /// Every resource offer in an active state (free or matched), in arrival order.
    func activeResourceOffers() throws -> [ResourceOfferContainer]

    // MARK: Parties and listings

    /// Deals in which `party` is the job creator or the provider.
    func deals(of party: String) throws -> [DealContainer]
    /// The ID of a provider's active resource offer for `slot` (the duplicate check), if any.
    func activeResourceOfferID(of provider: String, slot: Int) throws -> String?
    func jobOffers(of creator: String, query: JobOfferQuery) throws -> [JobOfferContainer]
    func resourceOffers(of provider: String, query: ResourceOfferQuery) throws -> [ResourceOfferContainer]
    func deals(of party: String, query: DealQuery) throws -> [DealContainer]
    /// How many deals are in each state (for metrics).
    func dealCountsByState() throws -> [AgreementState: Int]
}

/// An offer stored for the first time in a match's transaction (it matched on arrival).
public enum NewlyStoredOffer: Sendable, Hashable {
    /// The job offer, received at `receivedAt` (ms), with its inputs archive's SHA-256 (or "").
    case job(receivedAt: Int, inputDigest: String)
    case resource
}
