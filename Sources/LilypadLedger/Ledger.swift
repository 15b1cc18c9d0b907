import Foundation
import LilypadCrypto

/// The settlement ledger: the state machine, its chain of blocks and its store.
///
/// ```swift
/// let ledger = try await Ledger.open(genesis: genesis, path: home + "/ledger.sqlite")
/// let outcome = try await ledger.submit([transaction])
/// ```
public actor Ledger {
    public private(set) var state: LedgerState
    public private(set) var head: LedgerBlock
    private let store: LedgerStore?
    /// Events of an in-memory ledger (a stored ledger reads them from its store).
    private var memoryEvents: [(height: UInt64, event: LedgerEvent)] = []
    private var subscribers: [UInt64: AsyncStream<(height: UInt64, event: LedgerEvent)>.Continuation] = [:]
    private var nextSubscriber: UInt64 = 0

    /// The outcome of one submitted transaction.
    public enum Outcome: Sendable {
        case accepted(height: UInt64, transactionHash: String, events: [LedgerEvent])
        case refused(LedgerError)
    }

    /// Why a stored chain does not verify.
    public struct VerificationError: Error, CustomStringConvertible, Sendable {
        public var height: UInt64
        public var problem: String
        public var description: String { "the ledger does not verify at block \(height): \(problem)" }
    }

    /// Opens the ledger at `path`, creating it from `genesis` if new, and replays and verifies
    /// every stored block. A database made from another genesis is refused.
    public static func open(genesis: LedgerGenesis, path: String?) throws -> Ledger {
        guard let path else { return try Ledger(genesis: genesis, store: nil, blocks: []) }
        let store = try LedgerStore(path: path)
        if let existing = try store.genesis() {
            guard existing == genesis else {
                throw VerificationError(height: 0, problem: "the database at \(path) was created from another genesis")
            }
        } else {
            try store.saveGenesis(genesis)
        }
        return try Ledger(genesis: genesis, store: store, blocks: try store.blocks())
    }

    /// Replays the chain stored at `path` from its genesis, checking every hash and transaction.
    /// Returns the number of blocks after genesis and the head.
    public static func verify(path: String) throws -> (blocks: Int, head: LedgerBlock, state: LedgerState) {
        let store = try LedgerStore(path: path)
        guard let genesis = try store.genesis() else { throw VerificationError(height: 0, problem: "no genesis: this is not a ledger database") }
        let blocks = try store.blocks()
        let (state, head) = try replay(genesis: genesis, blocks: blocks)
        return (blocks.count, head, state)
    }

    private init(genesis: LedgerGenesis, store: LedgerStore?, blocks: [LedgerBlock]) throws {
        (state, head) = try Self.replay(genesis: genesis, blocks: blocks)
        self.store = store
    }

    /// The state and head after applying `blocks` to `genesis`, checking every link, hash and transaction.
    private static func replay(genesis: LedgerGenesis, blocks: [LedgerBlock]) throws -> (LedgerState, LedgerBlock) {
        var (state, head) = try genesis.start()
        for block in blocks {
            guard block.height == head.height + 1 else {
                throw VerificationError(height: block.height, problem: "expected height \(head.height + 1)")
            }
            guard block.previousHash == head.hash else {
                throw VerificationError(height: block.height, problem: "it does not link to block \(head.height)")
            }
            guard block.isHashValid else { throw VerificationError(height: block.height, problem: "its hash does not match its contents") }
            let context = LedgerState.BlockContext(timestamp: block.timestamp, previousBlockHash: Hex.decode(head.hash) ?? [], height: block.height)
            for transaction in block.transactions {
                do {
                    _ = try state.applyKeepingJournal(transaction, context: context)
                } catch {
                    throw VerificationError(height: block.height, problem: "transaction \(transaction.hash) is invalid: \(error)")
                }
            }
            guard state.journalStateHash(previous: head.stateHash) == block.stateHash else {
                throw VerificationError(height: block.height, problem: "the state hash differs")
            }
            state.commitJournal()
            head = block
        }
        return (state, head)
    }

    /// Applies the transactions that are valid, in order, as one new block, stores it, and
    /// reports each transaction's outcome. Nothing is stored when none is valid.
    public func submit(_ transactions: [LedgerTransaction], timestamp: UInt64? = nil) throws -> [Outcome] {
        let time = max(timestamp ?? UInt64(Date().timeIntervalSince1970), head.timestamp)
        let context = LedgerState.BlockContext(timestamp: time, previousBlockHash: Hex.decode(head.hash) ?? [], height: head.height + 1)
        var included: [LedgerTransaction] = []
        var events: [LedgerEvent] = []
        var outcomes: [Outcome] = []
        for transaction in transactions {
            do {
                let produced = try state.applyKeepingJournal(transaction, context: context)
                included.append(transaction)
                events += produced
                outcomes.append(.accepted(height: head.height + 1, transactionHash: transaction.hash, events: produced))
            } catch {
                outcomes.append(.refused(error))
            }
        }
        guard !included.isEmpty else { return outcomes }
        let block = LedgerBlock(
            height: head.height + 1, timestamp: time, previousHash: head.hash, transactions: included,
            stateHash: state.journalStateHash(previous: head.stateHash))
        do {
            try store?.append(block, events: events)  // durable before anyone hears about it
        } catch {
            state.rollback(to: 0)  // not stored, so it never happened
            throw error
        }
        state.commitJournal()
        head = block
        if store == nil { memoryEvents += events.map { (block.height, $0) } }
        for subscriber in subscribers.values {
            for event in events { subscriber.yield((block.height, event)) }
        }
        return outcomes
    }

    /// Events of blocks after `height`, oldest first.
    public func events(after height: UInt64, limit: Int = 10_000) throws -> [(height: UInt64, event: LedgerEvent)] {
        if let store { return try store.events(after: height, limit: limit) }
        return Array(memoryEvents.drop { $0.height <= height }.prefix(limit))
    }

    /// Every event of blocks after `height`: first those already recorded, then each new one as
    /// its block is made, until the consumer stops iterating.
    public func subscribe(after height: UInt64) throws -> AsyncStream<(height: UInt64, event: LedgerEvent)> {
        let backlog = try events(after: height, limit: .max)
        let (stream, continuation) = AsyncStream.makeStream(of: (height: UInt64, event: LedgerEvent).self, bufferingPolicy: .bufferingNewest(100_000))
        for item in backlog { continuation.yield(item) }
        let id = nextSubscriber
        nextSubscriber += 1
        subscribers[id] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { await self?.unsubscribe(id) }
        }
        return stream
    }

    private func unsubscribe(_ id: UInt64) { subscribers[id] = nil }
}
