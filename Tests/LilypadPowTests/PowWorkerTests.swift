import Foundation
import LilypadCore
import LilypadCrypto
import LilypadLedger
import LilypadLedgerService
import Logging
import ServiceLifecycle
import Testing

@testable import LilypadPow

/// The worker against a real ledger service on loopback, in this process.
@Suite("Proof-of-work worker", .serialized, .timeLimit(.minutes(3)))
struct PowWorkerTests {
    let admin: PrivateKey
    let provider: PrivateKey
    let ledger: Ledger

    init() throws {
        admin = try PrivateKey(hex: DevelopmentAccounts.admin.privateKey)
        provider = try PrivateKey(hex: DevelopmentAccounts.resourceProvider.privateKey)
        var genesis = LedgerGenesis.development
        genesis.pow = PowSettings(difficulty: UInt256.max.quotientAndRemainder(dividingBy: 5_000).quotient, windowBlocks: 30)
        ledger = try Ledger.open(genesis: genesis, path: nil)
    }

    /// Serves `ledger` on `port` until the returned task is cancelled.
    func serve(port: Int) async throws -> Task<Void, any Error> {
        var logger = Logger(label: "test.ledger")
        logger.logLevel = .warning
        let app = LedgerServer.application(ledger: ledger, host: "127.0.0.1", port: port, logger: logger)
        let task = Task { try await ServiceGroup(services: [app], logger: logger).run() }
        let client = LedgerClient(baseURL: "http://127.0.0.1:\(port)")
        for _ in 0..<400 {
            if (try? await client.chain()) != nil { break }
            try await Task.sleep(for: .milliseconds(25))
        }
        return task
    }

    func worker(port: Int) -> PowWorker {
        var logger = Logger(label: "test.pow")
        logger.logLevel = .debug
        return PowWorker(
            ledger: LedgerClient(baseURL: "http://127.0.0.1:\(port)"), key: provider, nodeID: "node-1", miner: PowMiner(workerCount: 2),
            configuration: .init(minReconnectDelay: .milliseconds(20), maxReconnectDelay: .milliseconds(200)), logger: logger)
    }

    /// Opens a round directly on the ledger (the service may be down).
    @discardableResult
    func openRound() async throws -> UInt64 {
        let nonce = await ledger.state.nextNonce(of: admin.address)
        let transaction = LedgerTransaction(chainID: 412_346, nonce: nonce, action: .powNewRound, key: admin)
        guard case .accepted(_, _, let events) = try await ledger.submit([transaction])[0],
            case .powRoundStarted(let round, _) = events.first
        else { throw TestFailure("powNewRound was refused") }
        return round
    }

    /// The rounds the ledger accepted the provider's work for.
    func acceptedRounds() async throws -> [UInt64] {
        try await ledger.events(after: 0).compactMap { item in
            guard case .powWorkAccepted(let address, let node, let round) = item.event, address == provider.address.checksummed, node == "node-1"
            else { return nil }
            return round
        }
    }

    /// Waits (polling the ledger) until work was accepted for `rounds`.
    func waitForAcceptedRounds(_ rounds: [UInt64]) async throws {
        for _ in 0..<2_400 {
            if try await acceptedRounds() == rounds { break }
            try await Task.sleep(for: .milliseconds(25))
        }
        #expect(try await acceptedRounds() == rounds)
    }

    @Test func joinsTheOpenRoundThenMinesEachNewOne() async throws {
        let port = Int.random(in: 20_000..<40_000)
        let server = try await serve(port: port)
        defer { server.cancel() }
        try await openRound()  // round 1, open before the worker starts
        let worker = Task { await self.worker(port: port).work() }
        try await waitForAcceptedRounds([1])
        try await openRound()  // round 2, announced by an event
        try await waitForAcceptedRounds([1, 2])
        worker.cancel()
        await worker.value  // returns: cancellation stops the event stream and the miner
    }

    @Test func waitsWhenNoRoundIsOpen() async throws {
        let port = Int.random(in: 20_000..<40_000)
        let server = try await serve(port: port)
        defer { server.cancel() }
        let worker = Task { await self.worker(port: port).work() }
        // The join attempt is refused (no round yet); the worker keeps waiting and mines round 1.
        try await Task.sleep(for: .milliseconds(200))
        try await openRound()
        try await waitForAcceptedRounds([1])
        worker.cancel()
        await worker.value
    }

    @Test func resumesAfterTheLedgerRestartsWithoutMissingARound() async throws {
        let port = Int.random(in: 20_000..<40_000)
        let first = try await serve(port: port)
        let worker = Task { await self.worker(port: port).work() }
        try await openRound()
        try await waitForAcceptedRounds([1])
        // The service goes away; a round opens while the worker cannot hear it.
        first.cancel()
        _ = await first.result
        try await openRound()
        let second = try await serve(port: port)
        defer { second.cancel() }
        try await waitForAcceptedRounds([1, 2])
        worker.cancel()
        await worker.value
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
