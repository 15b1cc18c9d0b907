import AsyncHTTPClient
import Foundation
import LilypadCore
import LilypadCrypto
import LilypadLedger
import LilypadLedgerService
import Synchronization
import Testing

/// `lilypad chain serve` killed with SIGKILL in the middle of a stream of transactions.
@Suite("Ledger crash safety", .serialized)
struct LedgerCrashTests {
    let home = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-crash-\(UUID().uuidString)").path
    let port = Int.random(in: 20_000..<40_000)

    func startServer() throws -> ChildProcess {
        try Oracle.startLilypad(["chain", "serve", "--port", String(port)], home: home)
    }

    func waitUntilUp(_ client: LedgerClient) async throws {
        for _ in 0..<400 {
            if (try? await client.chain()) != nil { return }
            try await Task.sleep(for: .milliseconds(25))
        }
        Issue.record("the ledger did not come up")
    }

    @Test func acknowledgedTransactionsSurviveSIGKILL() async throws {
        defer { try? FileManager.default.removeItem(atPath: home) }
        let client = LedgerClient(baseURL: "http://127.0.0.1:\(port)")
        let sender = try PrivateKey(hex: DevelopmentAccounts.jobCreator.privateKey)
        let recipient = try EthereumAddress(DevelopmentAccounts.resourceProvider.address)
        var acknowledged: Set<String> = []  // amounts in wei, unique per transaction
        var counter: UInt64 = 0
        for round in 0..<4 {
            let server = try startServer()
            try await waitUntilUp(client)
            // Stream transactions; once this round has made progress, kill the server at a random
            // moment while requests are in flight.
            let acknowledgedThisRound = Mutex(0)
            let killer = Task {
                while acknowledgedThisRound.withLock({ $0 }) < 5 { try await Task.sleep(for: .milliseconds(5)) }
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...200)))
                server.send(SIGKILL)
            }
            while true {
                counter += 1
                do {
                    _ = try await client.send(.transfer(to: recipient, amount: UInt256(counter)), key: sender)
                    acknowledged.insert(String(counter))
                    acknowledgedThisRound.withLock { $0 += 1 }
                } catch {
                    break  // the server died under us
                }
            }
            _ = try await killer.value
            server.waitUntilExit()
            let verify = try Oracle.lilypad(["chain", "verify", "--data", home + "/ledger/ledger.sqlite"])
            #expect(verify.status == 0, "round \(round): \(verify.stderr)")
        }
        let server = try startServer()
        defer { server.terminate() }
        try await waitUntilUp(client)
        var stored: Set<String> = []
        for record in try await client.events(after: 0) {
            if case .transfer(_, _, let amount) = record.event { stored.insert(amount.description) }
        }
        #expect(acknowledged.count >= 20, "the stream made progress (\(acknowledged.count) acknowledged)")
        #expect(acknowledged.isSubset(of: stored), "lost: \(acknowledged.subtracting(stored).sorted())")
        let verify = try Oracle.lilypad(["chain", "verify", "--data", home + "/ledger/ledger.sqlite"])
        #expect(verify.status == 0)
    }
}
