import Foundation
import HummingbirdWSClient
import LilypadCore
import LilypadCrypto
import LilypadLedger
import LilypadLedgerService
import Logging
import Synchronization
import Testing

/// `lilypad chain serve` over HTTP and WebSocket, as a separate process.
@Suite("Ledger service", .serialized)
struct LedgerServiceTests {
    let home = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-svc-\(UUID().uuidString)").path
    let port = Int.random(in: 20_000..<40_000)

    func withServer(_ body: (LedgerClient) async throws -> Void) async throws {
        let process = try Oracle.startLilypad(["chain", "serve", "--port", String(port)], home: home)
        defer {
            process.terminate()
            process.waitUntilExit()
            try? FileManager.default.removeItem(atPath: home)
        }
        let client = LedgerClient(baseURL: "http://127.0.0.1:\(port)")
        for _ in 0..<400 where (try? await client.chain()) == nil { try await Task.sleep(for: .milliseconds(25)) }
        try await body(client)
    }

    @Test func refusalsAreExplicit4xx() async throws {
        try await withServer { client in
            let key = PrivateKey.random()
            // No funds: 422 with the reason.
            do {
                _ = try await client.send(.deposit(amount: .lp(1)), key: key)
                Issue.record("an unfunded deposit was accepted")
            } catch LedgerClient.Failure.refused(let status, let body) {
                #expect(status == 422 && body.code == "insufficient_balance")
            }
            // A replayed transaction: 409.
            let jobCreator = try PrivateKey(hex: DevelopmentAccounts.jobCreator.privateKey)
            let transaction = LedgerTransaction(chainID: 412_346, nonce: 0, action: .deposit(amount: .lp(1)), key: jobCreator)
            _ = try await client.submit(transaction)
            do {
                _ = try await client.submit(transaction)
                Issue.record("a replayed transaction was accepted")
            } catch LedgerClient.Failure.refused(let status, let body) {
                #expect(status == 409 && body.code == "wrong_nonce")
            }
            // Unknown deal: 404.
            do {
                _ = try await client.deal("QmMissing")
                Issue.record("an unknown deal was found")
            } catch LedgerClient.Failure.refused(let status, _) {
                #expect(status == 404)
            }
        }
    }

    @Test func webSocketReplaysThenPushes() async throws {
        try await withServer { client in
            let jobCreator = try PrivateKey(hex: DevelopmentAccounts.jobCreator.privateKey)
            _ = try await client.send(.deposit(amount: .lp(2)), key: jobCreator)  // block 1, before we subscribe
            let received = Mutex<[LedgerAPI.EventRecord]>([])
            try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/api/v1/events/ws?after=0", logger: Logger(label: "test")) {
                inbound, outbound, _ in
                var sentLive = false
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    guard case .text(let text) = message else { continue }
                    let record = try JSONDecoder().decode(LedgerAPI.EventRecord.self, from: Data(text.utf8))
                    received.withLock { $0.append(record) }
                    if !sentLive {
                        sentLive = true
                        _ = try await client.send(.withdraw(amount: .lp(1)), key: jobCreator)  // block 2, while subscribed
                    } else {
                        try await outbound.close(.normalClosure, reason: nil)
                    }
                }
            }
            let heights = received.withLock { $0.map(\.height) }
            #expect(heights == [1, 2], "backlog then live: \(heights)")
        }
    }
}
