import Foundation
import GRDB
import LilypadCrypto
import Testing

@testable import LilypadLedger

@Suite("Ledger chain and store", .serialized)
struct LedgerChainTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-\(UUID().uuidString)").path
    let alice = PrivateKey.random()
    let bob = PrivateKey.random()

    var genesis: LedgerGenesis {
        LedgerGenesis(
            chainID: 412_346, protocolAccount: .zero, mintingEnabled: false, allocations: [alice.address: .lp(100)], timestamp: 1_700_000_000)
    }

    func transfer(_ amount: UInt64, nonce: UInt64) -> LedgerTransaction {
        LedgerTransaction(chainID: 412_346, nonce: nonce, action: .transfer(to: bob.address, amount: .lp(amount)), key: alice)
    }

    @Test func blocksPersistAndReplay() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/ledger.sqlite"
        let ledger = try Ledger.open(genesis: genesis, path: path)
        let outcomes = try await ledger.submit([transfer(10, nonce: 0), transfer(5, nonce: 0), transfer(1, nonce: 1)], timestamp: 1_700_000_100)
        guard case .accepted(let height, _, _) = outcomes[0], case .refused(.wrongNonce) = outcomes[1], case .accepted = outcomes[2] else {
            Issue.record("unexpected outcomes \(outcomes)")
            return
        }
        #expect(height == 1)
        _ = try await ledger.submit([transfer(2, nonce: 2)], timestamp: 1_700_000_200)
        let head = await ledger.head
        let state = await ledger.state

        let reopened = try Ledger.open(genesis: genesis, path: path)
        #expect(await reopened.head == head)
        #expect(await reopened.state == state)
        #expect(state.balance(of: bob.address) == .lp(13))
        let verified = try Ledger.verify(path: path)
        #expect(verified.blocks == 2 && verified.head == head)
        #expect(try LedgerStore(path: path).events(after: 1).count == 1)
        // Refused-only submissions make no block.
        _ = try await reopened.submit([transfer(1, nonce: 0)])
        #expect(await reopened.head == head)
    }

    @Test func anotherGenesisIsRefused() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/ledger.sqlite"
        _ = try Ledger.open(genesis: genesis, path: path)
        var other = genesis
        other.chainID = 1
        #expect(throws: Ledger.VerificationError.self) { try Ledger.open(genesis: other, path: path) }
    }

    @Test(arguments: ["amount", "state", "order"])
    func tamperingIsDetected(kind: String) async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/ledger.sqlite"
        let ledger = try Ledger.open(genesis: genesis, path: path)
        _ = try await ledger.submit([transfer(10, nonce: 0)], timestamp: 1_700_000_100)
        _ = try await ledger.submit([transfer(20, nonce: 1)], timestamp: 1_700_000_200)
        let database = try DatabaseQueue(path: path)
        try await database.write { db in
            switch kind {
            case "amount":  // rewrite a signed transaction's amount
                try db.execute(
                    sql: "UPDATE block SET body = replace(body, ?, ?) WHERE height = 1",
                    arguments: [UInt256.lp(10).description, UInt256.lp(90).description])
            case "state":  // claim another state
                try db.execute(
                    sql:
                        "UPDATE block SET body = replace(body, substr(body, instr(body, '\"stateHash\"'), 20), '\"stateHash\":\"0x00') WHERE height = 2"
                )
            default:  // drop a block
                try db.execute(sql: "DELETE FROM block WHERE height = 1")
            }
        }
        let error = #expect(throws: Ledger.VerificationError.self) { try Ledger.verify(path: path) }
        #expect(error?.height == 1 || error?.height == 2)
    }
}
