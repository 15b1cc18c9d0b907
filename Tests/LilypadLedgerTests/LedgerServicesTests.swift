import LilypadCrypto
import Testing

@testable import LilypadLedger

@Suite("Proof of work and service registry")
struct LedgerServicesTests {
    let operatorKey = PrivateKey.random()
    let node = PrivateKey.random()

    func makeLedger() throws -> Ledger {
        // About 1,000 hashes per proof, and a 5-block window.
        let genesis = LedgerGenesis(
            chainID: 7, protocolAccount: operatorKey.address, mintingEnabled: true, allocations: [:], timestamp: 1,
            pow: PowSettings(difficulty: UInt256.max.quotientAndRemainder(dividingBy: 1000).quotient, windowBlocks: 5))
        return try Ledger.open(genesis: genesis, path: nil)
    }

    func send(_ ledger: Ledger, _ key: PrivateKey, _ action: LedgerAction) async throws -> Ledger.Outcome {
        let nonce = await ledger.state.nextNonce(of: key.address)
        let outcome = try await ledger.submit([LedgerTransaction(chainID: 7, nonce: nonce, action: action, key: key)])
        return outcome[0]
    }

    func accepted(_ outcome: Ledger.Outcome) -> [LedgerEvent]? {
        if case .accepted(_, _, let events) = outcome { events } else { nil }
    }

    func refusal(_ outcome: Ledger.Outcome) -> LedgerError? {
        if case .refused(let error) = outcome { error } else { nil }
    }

    @Test func minedProofVerifiesOnceInsideTheWindow() async throws {
        let ledger = try makeLedger()
        #expect(refusal(try await send(ledger, node, .powNewRound))?.description.contains("only the protocol account") == true)
        #expect(accepted(try await send(ledger, operatorKey, .powNewRound)) != nil)
        let events = try #require(accepted(try await send(ledger, node, .powChallenge(nodeID: "gpu-box-1"))))
        guard case .powChallenge(_, _, let challengeHex, let difficulty) = events.first else { Issue.record("no challenge event"); return }
        let challenge = try #require(Hex.decode(challengeHex))
        let nonce = try #require(LedgerState.mine(challenge: challenge, difficulty: difficulty, limit: 1_000_000))
        #expect(LedgerState.powHash(challenge: challenge, nonce: nonce) < difficulty)

        // A nonce that does not meet the difficulty is refused (find one by searching a little).
        var bad = UInt256.zero
        while LedgerState.powHash(challenge: challenge, nonce: bad) < difficulty { bad = bad.adding(1) ?? .zero }
        #expect(
            refusal(try await send(ledger, node, .powSubmit(nodeID: "gpu-box-1", nonce: bad)))?.description.contains("not below the difficulty")
                == true)

        #expect(accepted(try await send(ledger, node, .powSubmit(nodeID: "gpu-box-1", nonce: nonce))) != nil)
        #expect(await ledger.state.powSubmissions[node.address] == 1)
        // Replayed: the challenge is used up.
        #expect(
            refusal(try await send(ledger, node, .powSubmit(nodeID: "gpu-box-1", nonce: nonce)))?.description.contains("no open challenge") == true)
    }

    @Test func staleProofIsRefused() async throws {
        let ledger = try makeLedger()
        _ = try await send(ledger, operatorKey, .powNewRound)
        let events = try #require(accepted(try await send(ledger, node, .powChallenge(nodeID: "n"))))
        guard case .powChallenge(_, _, let challengeHex, let difficulty) = events.first else { return }
        let challenge = try #require(Hex.decode(challengeHex))
        let nonce = try #require(LedgerState.mine(challenge: challenge, difficulty: difficulty, limit: 1_000_000))
        // Let the window pass: other transactions make blocks.
        for amount in 1...6 { _ = try await send(ledger, operatorKey, .mint(to: operatorKey.address, amount: UInt256(UInt64(amount)))) }
        #expect(
            refusal(try await send(ledger, node, .powSubmit(nodeID: "n", nonce: nonce))).map { if case .tooLate = $0 { true } else { false } } == true
        )
        // A new round invalidates the old challenge too.
        _ = try await send(ledger, operatorKey, .powNewRound)
        #expect(refusal(try await send(ledger, node, .powSubmit(nodeID: "n", nonce: nonce))) != nil)
    }

    @Test func usersRegistry() async throws {
        let ledger = try makeLedger()
        #expect(
            accepted(try await send(ledger, node, .registerUser(url: "http://127.0.0.1:8081", roles: [.solver, .solver], metadataCID: ""))) != nil)
        #expect(await ledger.state.users[node.address]?.roles == [.solver])
        #expect(await ledger.state.users[node.address]?.url == "http://127.0.0.1:8081")
        #expect(refusal(try await send(ledger, node, .registerUser(url: "ftp://x", roles: [], metadataCID: ""))) != nil)
    }
}
