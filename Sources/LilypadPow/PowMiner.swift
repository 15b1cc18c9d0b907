import Foundation
import LilypadCrypto
import LilypadLedger
import Synchronization

/// A nonce that proves work on a challenge, and what finding it cost.
public struct PowSolution: Sendable, Hashable {
    /// `keccak256(challenge ‖ nonce) < difficulty`, with the nonce as 32 big-endian bytes.
    public var nonce: UInt256
    /// `keccak256(challenge ‖ nonce)` as a number.
    public var hash: UInt256
    /// The worker that found it (0-based).
    public var worker: Int
    /// Hashes tried by all workers together.
    public var hashes: UInt64
    /// From the start of the search until every worker had stopped.
    public var duration: Duration

    /// Hashes per second over the search.
    public var hashRate: Double { PowMiner.rate(hashes: hashes, duration: duration) }
}

/// Why ``PowMiner/mine(challenge:difficulty:progress:)`` returned no solution.
public enum PowMinerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A challenge is 32 bytes (a `bytes32`).
    case invalidChallenge(byteCount: Int)
    /// The task was cancelled; the workers stopped after trying `hashes` nonces.
    case cancelled(hashes: UInt64)
    /// Every worker tried its limit of nonces (``PowMiner/hashLimitPerWorker``) without a solution.
    case exhausted(hashes: UInt64)

    public var description: String {
        switch self {
        case .invalidChallenge(let count): "a proof-of-work challenge is 32 bytes, not \(count)"
        case .cancelled(let hashes): "proof-of-work search cancelled after \(hashes) hashes"
        case .exhausted(let hashes): "no proof of work in the \(hashes) nonces searched"
        }
    }
}

/// A CPU proof-of-work miner, as Lilypad's resource providers run: it searches for a nonce with
/// `keccak256(challenge(32 bytes) ‖ nonce(32 bytes big-endian)) < difficulty` on several threads.
///
/// The nonce space is split evenly: worker `i` of `n` starts at `i × ⌊(2^256 − 1) / n⌋` and counts
/// up. The first solution stops every worker. Workers are dedicated threads, not Swift tasks, so a
/// search never occupies the cooperative thread pool the rest of the provider runs on.
///
/// ```swift
/// let miner = PowMiner(workerCount: 4)
/// let solution = try await miner.mine(challenge: challenge, difficulty: difficulty)
/// print(solution.nonce, solution.hashRate / 1e6, "MH/s")
/// ```
public struct PowMiner: Sendable {
    /// Worker threads per search (1…4096).
    public var workerCount: Int
    /// At most this many nonces per worker and search (tests and benchmarks); `nil`: no limit
    /// short of 2^64 − 1, far below a worker's share of the space.
    public var hashLimitPerWorker: UInt64?
    /// Whether the worker threads run at the lowest CPU priority (nice 19), so that a provider's
    /// jobs get the CPU first and mining takes only what is left.
    public var lowPriority: Bool

    /// The largest number of workers: each worker's share of the nonce space stays far above 2^64.
    public static let maxWorkerCount = 4096

    /// A miner with `workerCount` threads (default: ``defaultWorkerCount(environment:)``).
    public init(workerCount: Int? = nil, hashLimitPerWorker: UInt64? = nil, lowPriority: Bool = false) {
        self.workerCount = min(max(workerCount ?? Self.defaultWorkerCount(), 1), Self.maxWorkerCount)
        self.hashLimitPerWorker = hashLimitPerWorker
        self.lowPriority = lowPriority
    }

    /// `NUM_WORKER` when set to a positive number (as in Lilypad), else the number of CPUs.
    public static func defaultWorkerCount(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
        if let text = environment["NUM_WORKER"], let count = Int(text.trimmingCharacters(in: .whitespaces)), count > 0 {
            return min(count, maxWorkerCount)
        }
        return max(ProcessInfo.processInfo.activeProcessorCount, 1)
    }

    /// Where each of `workerCount` workers starts: `i × ⌊(2^256 − 1) / workerCount⌋`.
    public static func startNonces(workerCount: Int) -> [UInt256] {
        let count = min(max(workerCount, 1), maxWorkerCount)
        let share = UInt256.max.quotientAndRemainder(dividingBy: UInt64(count)).quotient
        // Never overflows: index < count, so index × share < 2^256 − 1.
        return (0..<count).map { share.multiplied(by: UInt64($0)) ?? .max }
    }

    /// Searches until a worker finds a nonce below `difficulty`, the task is cancelled, or every
    /// worker reached ``hashLimitPerWorker``.
    ///
    /// - Parameter progress: called from the worker threads, every few thousand hashes, with the
    ///   hashes tried so far by all workers; it must return quickly.
    public func mine(
        challenge: [UInt8], difficulty: UInt256, progress: (@Sendable (UInt64) -> Void)? = nil
    ) async throws(PowMinerError) -> PowSolution {
        guard challenge.count == 32 else { throw .invalidChallenge(byteCount: challenge.count) }
        let search = Search(workerCount: workerCount)
        let target = Target(difficulty)
        let starts = Self.startNonces(workerCount: workerCount).map(\.bigEndianBytes)
        let limit = hashLimitPerWorker ?? .max
        let started = ContinuousClock.now
        let outcome: Search.Outcome = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                search.begin(continuation)
                for worker in 0..<workerCount {
                    let start = starts[worker]
                    let lowPriority = self.lowPriority
                    let thread = Thread {
                        // On Linux a nice value is per thread (who 0: the calling thread): this worker alone yields.
                        if lowPriority { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19) }
                        Self.work(
                            search: search, worker: worker, challenge: challenge, start: start, limit: limit, target: target, progress: progress)
                    }
                    thread.name = "pow-worker-\(worker)"
                    thread.start()
                }
            }
        } onCancel: {
            search.stop.store(true, ordering: .relaxed)
        }
        let duration = ContinuousClock.now - started
        switch outcome {
        case .found(let nonce, let worker, let hashes):
            let nonce = UInt256(bigEndianBytes: nonce)
            return PowSolution(
                nonce: nonce, hash: LedgerState.powHash(challenge: challenge, nonce: nonce), worker: worker, hashes: hashes, duration: duration)
        case .stopped(let hashes):
            throw .cancelled(hashes: hashes)
        case .exhausted(let hashes):
            throw .exhausted(hashes: hashes)
        }
    }

    /// Hashes per second.
    static func rate(hashes: UInt64, duration: Duration) -> Double {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return seconds > 0 ? Double(hashes) / seconds : 0
    }

    /// Hashes a worker tries between looks at the stop flag and updates of the shared count.
    static let batchSize: UInt64 = 4096

    /// One worker's loop: hash, compare, increment the nonce in place; no allocation per hash.
    private static func work(
        search: Search, worker: Int, challenge: [UInt8], start: [UInt8], limit: UInt64, target: Target,
        progress: (@Sendable (UInt64) -> Void)?
    ) {
        let input = UnsafeMutableRawBufferPointer.allocate(byteCount: 64, alignment: 8)
        let digest = UnsafeMutableRawBufferPointer.allocate(byteCount: 32, alignment: 8)
        defer {
            input.deallocate()
            digest.deallocate()
        }
        input.copyBytes(from: challenge)
        UnsafeMutableRawBufferPointer(rebasing: input[32..<64]).copyBytes(from: start)
        let message = UnsafeRawBufferPointer(input)
        var remaining = limit
        while remaining > 0, !search.stop.load(ordering: .relaxed) {
            let batch = min(remaining, batchSize)
            for tried in 1...batch {
                Keccak256.hash(message, into: digest)
                if target.accepts(digest) {
                    search.finish(worker: worker, nonce: Array(input[32..<64]), hashes: tried)
                    return
                }
                incrementNonce(input)
            }
            remaining -= batch
            let total = search.hashes.add(batch, ordering: .relaxed).newValue
            progress?(total)
        }
        search.finish(worker: worker, nonce: nil, hashes: 0)
    }

    /// Adds one to the big-endian nonce in bytes 32..<64, 64 bits at a time.
    @inline(__always)
    private static func incrementNonce(_ input: UnsafeMutableRawBufferPointer) {
        var offset = 56
        while offset >= 32 {
            let value = UInt64(bigEndian: input.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            let (next, overflow) = value.addingReportingOverflow(1)
            input.storeBytes(of: next.bigEndian, toByteOffset: offset, as: UInt64.self)
            if !overflow { return }
            offset -= 8
        }
    }

    /// The difficulty as four 64-bit words, most significant first, for comparing digests in place.
    struct Target: Sendable {
        let words: (UInt64, UInt64, UInt64, UInt64)

        init(_ difficulty: UInt256) {
            let bytes = difficulty.bigEndianBytes
            func word(_ index: Int) -> UInt64 { bytes[(index * 8)..<(index * 8 + 8)].reduce(0) { $0 << 8 | UInt64($1) } }
            words = (word(0), word(1), word(2), word(3))
        }

        /// Whether the 32-byte big-endian `digest` is below the difficulty.
        @inline(__always)
        func accepts(_ digest: UnsafeMutableRawBufferPointer) -> Bool {
            let first = UInt64(bigEndian: digest.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
            if first != words.0 { return first < words.0 }
            let second = UInt64(bigEndian: digest.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            if second != words.1 { return second < words.1 }
            let third = UInt64(bigEndian: digest.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
            if third != words.2 { return third < words.2 }
            return UInt64(bigEndian: digest.loadUnaligned(fromByteOffset: 24, as: UInt64.self)) < words.3
        }
    }

    /// What the workers of one search share.
    final class Search: Sendable {
        enum Outcome: Sendable {
            case found(nonce: [UInt8], worker: Int, hashes: UInt64)
            case stopped(hashes: UInt64)
            case exhausted(hashes: UInt64)
        }

        private struct State {
            var continuation: CheckedContinuation<Outcome, Never>?
            var running: Int
            var solution: (nonce: [UInt8], worker: Int)?
        }

        /// Set by the first solution or by cancellation; every worker stops at its next batch.
        let stop = Atomic<Bool>(false)
        /// Hashes tried by all workers, updated once per batch.
        let hashes = Atomic<UInt64>(0)
        private let state: Mutex<State>

        init(workerCount: Int) { state = Mutex(State(continuation: nil, running: workerCount, solution: nil)) }

        func begin(_ continuation: CheckedContinuation<Outcome, Never>) {
            state.withLock { $0.continuation = continuation }
        }

        /// A worker has stopped, with the nonce it found (if any) and its hashes not yet counted.
        /// The last worker to stop reports the outcome.
        func finish(worker: Int, nonce: [UInt8]?, hashes extra: UInt64) {
            if extra > 0 { hashes.add(extra, ordering: .relaxed) }
            if nonce != nil { stop.store(true, ordering: .relaxed) }
            let resume: (CheckedContinuation<Outcome, Never>, Outcome)? = state.withLock { state in
                if let nonce, state.solution == nil { state.solution = (nonce, worker) }
                state.running -= 1
                guard state.running == 0, let continuation = state.continuation else { return nil }
                state.continuation = nil
                let total = hashes.load(ordering: .relaxed)
                if let solution = state.solution { return (continuation, .found(nonce: solution.nonce, worker: solution.worker, hashes: total)) }
                // No solution: stopped early only by cancellation, otherwise every worker used its limit.
                return (continuation, stop.load(ordering: .relaxed) ? .stopped(hashes: total) : .exhausted(hashes: total))
            }
            if let (continuation, outcome) = resume { continuation.resume(returning: outcome) }
        }
    }
}
