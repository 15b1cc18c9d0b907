import Foundation
import LilypadCrypto
import LilypadLedger
import LilypadLedgerService
import Logging
import ServiceLifecycle
import Synchronization

/// The resource provider's proof-of-work service: it follows the ledger's events and, for every
/// proof-of-work round, asks for its node's challenge, mines it and submits the nonce.
///
/// It joins a round that is already open when it starts, and a newer round supersedes the one
/// being mined. It never throws and never stops the provider: a failure is logged and it waits for
/// the next round. The event stream resumes from the last height seen after a reconnect, with
/// exponential backoff and jitter.
///
/// ```swift
/// let worker = PowWorker(ledger: LedgerClient(baseURL: url), key: key, nodeID: "node-1", logger: logger)
/// try await ServiceGroup(services: [worker], logger: logger).run()   // or `await worker.run()`
/// ```
public struct PowWorker: Service {
    /// How the worker paces itself.
    public struct Configuration: Sendable {
        /// The first reconnect delay; it doubles after each failure, up to ``maxReconnectDelay``.
        public var minReconnectDelay: Duration
        /// The longest reconnect delay.
        public var maxReconnectDelay: Duration
        /// Tries for each transaction when the ledger is unreachable or another transaction of the
        /// same account took its nonce.
        public var transactionAttempts: Int
        /// At most one hash-rate line per this interval while mining.
        public var progressLogInterval: Duration

        public init(
            minReconnectDelay: Duration = .milliseconds(500), maxReconnectDelay: Duration = .seconds(30), transactionAttempts: Int = 5,
            progressLogInterval: Duration = .seconds(10)
        ) {
            self.minReconnectDelay = minReconnectDelay
            self.maxReconnectDelay = maxReconnectDelay
            self.transactionAttempts = max(transactionAttempts, 1)
            self.progressLogInterval = progressLogInterval
        }
    }

    /// The ledger the rounds and proofs go through.
    public let ledger: LedgerClient
    /// The account that asks for challenges and submits proofs.
    public let key: PrivateKey
    /// The node the proofs are for (Lilypad: the Bacalhau node ID).
    public let nodeID: String
    public let miner: PowMiner
    public let configuration: Configuration
    let logger: Logger

    public init(
        ledger: LedgerClient, key: PrivateKey, nodeID: String, miner: PowMiner = PowMiner(), configuration: Configuration = Configuration(),
        logger: Logger
    ) {
        self.ledger = ledger
        self.key = key
        self.nodeID = nodeID
        self.miner = miner
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "node"] = "\(nodeID)"
        self.logger = logger
    }

    /// Runs until the task is cancelled or, in a service group, until graceful shutdown.
    public func run() async throws {
        await cancelWhenGracefulShutdown { await self.work() }
    }

    /// What starts an attempt at a proof.
    enum Trigger: Sendable, Equatable {
        /// On start: a round may already be open.
        case joinOpenRound
        /// A round started in the block at `startHeight`.
        case round(UInt64, startHeight: UInt64)
    }

    /// Follows the events and mines each round, until cancelled.
    func work() async {
        logger.info(
            "proof-of-work worker started",
            metadata: ["address": "\(key.address.checksummed)", "workers": "\(miner.workerCount)", "ledger": "\(ledger.baseURL)"])
        let (triggers, continuation) = AsyncStream.makeStream(of: Trigger.self)
        await withDiscardingTaskGroup { group in
            group.addTask {
                await self.follow(continuation)
                continuation.finish()
            }
            group.addTask { await self.mine(triggers) }
        }
        logger.info("proof-of-work worker stopped")
    }

    /// One attempt in progress, and the height of the block that gave it its challenge (0 until then).
    struct Attempt {
        let task: Task<Void, Never>
        let challengeHeight: ChallengeHeight
    }

    /// Consumes triggers: one attempt at a time, a newer round cancelling the attempt in progress
    /// unless that attempt's challenge already belongs to the newer round.
    func mine(_ triggers: AsyncStream<Trigger>) async {
        var current: Attempt?
        var latestRound: UInt64 = 0
        for await trigger in triggers {
            switch trigger {
            case .joinOpenRound:
                guard current == nil else { continue }
                current = start(round: nil)
            case .round(let round, let startHeight):
                guard round > latestRound else { continue }  // replayed after a reconnect
                latestRound = round
                if let running = current {
                    // A challenge from a block after the round started is this round's: keep it
                    // (this is how the attempt that joined an open round at start is recognised).
                    if running.challengeHeight.value.load(ordering: .relaxed) > startHeight { continue }
                    running.task.cancel()
                    await running.task.value
                }
                current = start(round: round)
            }
        }
        current?.task.cancel()
        await current?.task.value
    }

    func start(round: UInt64?) -> Attempt {
        let height = ChallengeHeight()
        return Attempt(task: Task { await self.attempt(round: round, challengeHeight: height) }, challengeHeight: height)
    }

    /// Subscribes to the ledger's events until cancelled, reconnecting with backoff, and turns
    /// round starts into triggers.
    func follow(_ triggers: AsyncStream<Trigger>.Continuation) async {
        let progress = FollowProgress()
        var failures = 0
        var joined = false
        while !Task.isCancelled {
            do {
                if !joined {
                    // Only new events from here: a round already open is joined by asking for a challenge.
                    progress.lastHeight.store(try await ledger.chain().height, ordering: .relaxed)
                    joined = true
                    triggers.yield(.joinOpenRound)
                }
                let seen = progress.lastHeight.load(ordering: .relaxed)
                // Resume one block early: the block last seen may not have been read in full; a
                // round seen twice is ignored.
                let after = seen > 0 ? seen - 1 : 0
                progress.connected.store(false, ordering: .relaxed)
                try await ledger.followEvents(
                    after: after, logger: logger,
                    connected: { [logger] in
                        progress.connected.store(true, ordering: .relaxed)
                        logger.debug("following the ledger's events", metadata: ["after": "\(after)"])
                    },
                    onEvent: { record in
                        progress.lastHeight.store(max(progress.lastHeight.load(ordering: .relaxed), record.height), ordering: .relaxed)
                        if case .powRoundStarted(let round, let start) = record.event { triggers.yield(.round(round, startHeight: start)) }
                    })
                if Task.isCancelled { break }
                logger.warning("the ledger closed the event stream; reconnecting")
            } catch {
                logger.warning("cannot follow the ledger's events: \(error)")
            }
            failures = progress.connected.load(ordering: .relaxed) ? 1 : failures + 1
            let delay = Self.backoff(failures: failures, min: configuration.minReconnectDelay, max: configuration.maxReconnectDelay)
            logger.info("reconnecting to the ledger", metadata: ["in": "\(delay)", "after": "\(progress.lastHeight.load(ordering: .relaxed))"])
            do { try await Task.sleep(for: delay) } catch { break }
        }
    }

    /// Exponential backoff with jitter: a random delay between half and all of
    /// `min × 2^(failures − 1)`, capped at `max`.
    static func backoff<Random: RandomNumberGenerator>(failures: Int, min: Duration, max: Duration, using random: inout Random) -> Duration {
        let exponent = Swift.min(Swift.max(failures - 1, 0), 30)
        let ceiling = Swift.min(min * (1 << exponent), max)
        return ceiling * Double.random(in: 0.5...1, using: &random)
    }

    static func backoff(failures: Int, min: Duration, max: Duration) -> Duration {
        var random = SystemRandomNumberGenerator()
        return backoff(failures: failures, min: min, max: max, using: &random)
    }

    /// Why an attempt at a round's proof failed.
    enum AttemptError: Error, CustomStringConvertible {
        case ledger(LedgerClient.Failure)
        case miner(PowMinerError)
        case unexpectedAnswer(String)

        var description: String {
            switch self {
            case .ledger(let failure): failure.description
            case .miner(let error): error.description
            case .unexpectedAnswer(let detail): "unexpected answer from the ledger: \(detail)"
            }
        }
    }

    /// One proof: challenge, mine, submit. `round` is `nil` when joining whatever round is open.
    func attempt(round: UInt64?, challengeHeight: ChallengeHeight) async {
        var logger = self.logger
        if let round { logger[metadataKey: "round"] = "\(round)" }
        do throws(AttemptError) {
            let (challenge, difficulty, height) = try await requestChallenge()
            challengeHeight.value.store(height, ordering: .relaxed)
            logger.info("mining proof of work", metadata: ["challenge": "\(Hex.encode(challenge, prefix: true))", "workers": "\(miner.workerCount)"])
            let solution = try await mine(challenge: challenge, difficulty: difficulty, logger: logger)
            logger.info(
                "proof of work found",
                metadata: [
                    "nonce": "\(solution.nonce)", "hashes": "\(solution.hashes)", "seconds": "\(Self.format(seconds: solution.duration))",
                    "hashrate": "\(Self.format(hashRate: solution.hashRate))",
                ])
            let accepted: LedgerAPI.Accepted
            do { accepted = try await send(.powSubmit(nodeID: nodeID, nonce: solution.nonce)) } catch { throw .ledger(error) }
            let acceptedRound = accepted.events.lazy.compactMap { event -> UInt64? in
                if case .powWorkAccepted(_, _, let round) = event { return round }
                return nil
            }.first
            logger.info(
                "proof of work accepted",
                metadata: [
                    "round": "\(acceptedRound.map(String.init) ?? "?")", "height": "\(accepted.height)",
                    "hashrate": "\(Self.format(hashRate: solution.hashRate))",
                ])
        } catch .ledger(.refused(_, let body)) where round == nil && body.code == "too_late" {
            logger.info("no proof-of-work round is open; waiting for the next")
        } catch .miner(.cancelled) {
            logger.debug("proof-of-work attempt stopped")
        } catch {
            if Task.isCancelled {
                logger.debug("proof-of-work attempt stopped: \(error)")
            } else {
                logger.error("proof of work failed: \(error); waiting for the next round")
            }
        }
    }

    /// Asks the ledger for this node's challenge in the open round.
    func requestChallenge() async throws(AttemptError) -> (challenge: [UInt8], difficulty: UInt256, height: UInt64) {
        let accepted: LedgerAPI.Accepted
        do { accepted = try await send(.powChallenge(nodeID: nodeID)) } catch { throw .ledger(error) }
        for event in accepted.events {
            guard case .powChallenge(let address, let node, let hex, let difficulty) = event, address == key.address.checksummed, node == nodeID
            else { continue }
            guard let challenge = Hex.decode(hex), challenge.count == 32 else {
                throw .unexpectedAnswer("the challenge \"\(hex)\" is not 32 bytes of hex")
            }
            return (challenge, difficulty, accepted.height)
        }
        throw .unexpectedAnswer("the powChallenge transaction was accepted without a challenge event")
    }

    /// Mines, logging the hash rate at most every ``Configuration/progressLogInterval``.
    func mine(challenge: [UInt8], difficulty: UInt256, logger: Logger) async throws(AttemptError) -> PowSolution {
        let started = ContinuousClock.now
        let interval = configuration.progressLogInterval
        let lastLog = LastLog(started)
        do {
            return try await miner.mine(challenge: challenge, difficulty: difficulty) { hashes in
                let now = ContinuousClock.now
                let due = lastLog.time.withLock { last in
                    guard now - last >= interval else { return false }
                    last = now
                    return true
                }
                if due {
                    logger.info(
                        "mining proof of work",
                        metadata: [
                            "hashes": "\(hashes)", "hashrate": "\(Self.format(hashRate: PowMiner.rate(hashes: hashes, duration: now - started)))",
                        ])
                }
            }
        } catch {
            throw .miner(error)
        }
    }

    /// Signs and sends `action`, trying again when the ledger is unreachable or another
    /// transaction of this account took the nonce.
    func send(_ action: LedgerAction) async throws(LedgerClient.Failure) -> LedgerAPI.Accepted {
        var attempt = 1
        while true {
            do {
                return try await ledger.send(action, key: key)
            } catch {
                let retry: Bool =
                    switch error {
                    case .refused(_, let body): body.code == "wrong_nonce"
                    case .unreachable: true
                    case .unexpected: false
                    }
                guard retry, attempt < configuration.transactionAttempts, !Task.isCancelled else { throw error }
                logger.debug("retrying \(action.name): \(error)")
                let delay = Self.backoff(failures: attempt, min: configuration.minReconnectDelay, max: configuration.maxReconnectDelay)
                do { try await Task.sleep(for: delay) } catch { throw .unreachable(url: ledger.baseURL, reason: "cancelled") }
                attempt += 1
            }
        }
    }

    static func format(hashRate: Double) -> String { String(format: "%.3f MH/s", hashRate / 1e6) }
    static func format(seconds duration: Duration) -> String {
        String(format: "%.2f", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }

    /// The height of the block that answered an attempt's challenge, 0 until then.
    final class ChallengeHeight: Sendable {
        let value = Atomic<UInt64>(0)
    }

    /// When the hash rate was last logged, shared with the miner's threads.
    final class LastLog: Sendable {
        let time: Mutex<ContinuousClock.Instant>
        init(_ time: ContinuousClock.Instant) { self.time = Mutex(time) }
    }

    /// What ``follow(_:)`` shares with its event callbacks.
    final class FollowProgress: Sendable {
        let lastHeight = Atomic<UInt64>(0)
        let connected = Atomic<Bool>(false)
    }
}

extension PowWorker: CustomStringConvertible {
    public var description: String { "PowWorker(node: \(nodeID), account: \(key.address.checksummed))" }
}
