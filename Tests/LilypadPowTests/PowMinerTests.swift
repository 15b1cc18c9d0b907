import LilypadLedger
import Testing

@testable import LilypadPow

@Suite("Proof-of-work miner")
struct PowMinerTests {
    /// A fixed challenge: the tests do not depend on chance.
    let challenge: [UInt8] = (0..<32).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }

    /// About one hash in `expected` is a proof.
    func difficulty(expected: UInt64) -> UInt256 { UInt256.max.quotientAndRemainder(dividingBy: expected).quotient }

    @Test func findsANonceTheLedgerAccepts() async throws {
        let difficulty = difficulty(expected: 2_000)
        let solution = try await PowMiner(workerCount: 2).mine(challenge: challenge, difficulty: difficulty)
        #expect(LedgerState.powHash(challenge: challenge, nonce: solution.nonce) < difficulty)
        #expect(solution.hash == LedgerState.powHash(challenge: challenge, nonce: solution.nonce))
        #expect(solution.hashes >= 1)
        #expect((0..<2).contains(solution.worker))
    }

    @Test func oneWorkerFindsTheFirstNonceFromZero() async throws {
        let difficulty = difficulty(expected: 5_000)
        let solution = try await PowMiner(workerCount: 1).mine(challenge: challenge, difficulty: difficulty)
        let reference = try #require(LedgerState.mine(challenge: challenge, difficulty: difficulty, limit: 1_000_000))
        #expect(solution.nonce == reference)
        // Every nonce from 0 up to the solution was tried, and none after it.
        #expect(solution.hashes == UInt64(reference.description).map { $0 + 1 })
    }

    @Test func workersSplitTheNonceSpaceEvenly() {
        let share = UInt256.max.quotientAndRemainder(dividingBy: 4).quotient
        let starts = PowMiner.startNonces(workerCount: 4)
        #expect(starts == [UInt256.zero, share, share.multiplied(by: 2), share.multiplied(by: 3)].compactMap { $0 })
        #expect(PowMiner.startNonces(workerCount: 1) == [.zero])
    }

    /// Worker 1 of 2 starts at 0x7fff…ff: its first increment carries through all 256 bits.
    @Test func eachWorkerSearchesItsOwnShare() async throws {
        let difficulty = difficulty(expected: 3_000)
        let starts = PowMiner.startNonces(workerCount: 2)
        let firsts = starts.compactMap { LedgerState.mine(challenge: challenge, difficulty: difficulty, start: $0, limit: 1_000_000) }
        #expect(firsts.count == 2)
        let solution = try await PowMiner(workerCount: 2).mine(challenge: challenge, difficulty: difficulty)
        #expect(solution.nonce == firsts[solution.worker])
    }

    @Test func exhaustsEveryWorkersLimit() async {
        let miner = PowMiner(workerCount: 3, hashLimitPerWorker: 10_000)
        await #expect(throws: PowMinerError.exhausted(hashes: 30_000)) {
            _ = try await miner.mine(challenge: challenge, difficulty: .zero)  // nothing is below zero
        }
    }

    @Test func cancellationStopsEveryWorker() async {
        let (running, signal) = AsyncStream.makeStream(of: Void.self)
        let miner = PowMiner(workerCount: 2)
        let task = Task {
            try await miner.mine(challenge: challenge, difficulty: .zero) { _ in signal.yield() }
        }
        for await _ in running { break }  // the workers are hashing
        task.cancel()
        let result = await task.result
        guard case .failure(let error) = result, case .cancelled(let hashes) = error as? PowMinerError else {
            Issue.record("expected a cancelled search, got \(result)")
            return
        }
        #expect(hashes >= PowMiner.batchSize)
    }

    @Test func aCancelledTaskDoesNotSearch() async {
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await PowMiner(workerCount: 2).mine(challenge: challenge, difficulty: .zero)
        }
        let result = await task.result
        guard case .failure(let error) = result, case .cancelled = error as? PowMinerError else {
            Issue.record("expected a cancelled search, got \(result)")
            return
        }
    }

    @Test func refusesAChallengeThatIsNot32Bytes() async {
        await #expect(throws: PowMinerError.invalidChallenge(byteCount: 31)) {
            _ = try await PowMiner(workerCount: 1).mine(challenge: Array(challenge.prefix(31)), difficulty: .max)
        }
    }

    @Test func workerCountComesFromNUM_WORKER() {
        #expect(PowMiner.defaultWorkerCount(environment: ["NUM_WORKER": "3"]) == 3)
        #expect(PowMiner.defaultWorkerCount(environment: ["NUM_WORKER": "zero"]) >= 1)
        #expect(PowMiner.defaultWorkerCount(environment: ["NUM_WORKER": "0"]) >= 1)
        #expect(PowMiner(workerCount: 0).workerCount == 1)
        #expect(PowMiner(workerCount: 1_000_000).workerCount == PowMiner.maxWorkerCount)
    }

    @Test func backoffGrowsWithJitterUpToItsCap() {
        var random = SystemRandomNumberGenerator()
        for failures in 1...40 {
            let delay = PowWorker.backoff(failures: failures, min: .milliseconds(100), max: .seconds(5), using: &random)
            let ceiling = min(Duration.milliseconds(100) * (1 << min(failures - 1, 30)), .seconds(5))
            #expect(delay >= ceiling / 2 && delay <= ceiling, "failure \(failures): \(delay)")
        }
    }
}
