import Foundation
import LilypadCrypto
import Testing

@testable import LilypadSolver

/// Accepted request nonces kept in the solver's database (``SolverStore`` as a ``SpentNonceStore``).
@Suite("Solver request nonces", .serialized)
struct SolverNonceTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("solver-nonces-\(UUID().uuidString)").path
    var path: String { directory + "/solver.sqlite" }
    let key = PrivateKey.random()

    func sign(nonce: String, timestamp: Int64) -> (String) -> String? {
        let request = SignedRequest.sign(
            method: "POST", target: "/api/v1/job_offers", audience: "solver:8081", body: Array("{}".utf8), key: key, timestamp: timestamp,
            nonce: nonce)
        let fields = Dictionary(uniqueKeysWithValues: request.fields.map { ($0.name.lowercased(), $0.value) })
        return { fields[$0.lowercased()] }
    }

    func verify(_ verifier: RequestVerifier, _ header: (String) -> String?, now: Int64) throws(RequestAuthError) -> EthereumAddress {
        try verifier.verify(method: "POST", target: "/api/v1/job_offers", audience: "solver:8081", body: Array("{}".utf8), header: header, now: now)
    }

    @Test func replayIsRefusedByAVerifierOverTheReopenedStore() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let now: Int64 = 1_764_000_000_000
        let request = sign(nonce: "nonce-survives-restart", timestamp: now)
        #expect(try verify(RequestVerifier(store: try SolverStore(path: path)), request, now: now) == key.address)
        // A new verifier (empty memory) over a new store on the same file: the restart.
        let restarted = RequestVerifier(store: try SolverStore(path: path))
        #expect(throws: RequestAuthError.replayed) { try verify(restarted, request, now: now + 1000) }
        #expect(try verify(restarted, sign(nonce: "a-fresh-nonce-0001", timestamp: now), now: now + 1000) == key.address)
    }

    @Test func expiredNoncesArePrunedAndMayBeReused() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SolverStore(path: path)
        let address = key.address.lowercased
        #expect(try store.spend(address: address, nonce: "a", expiresAt: 1_000, now: 0))
        #expect(try store.spend(address: address, nonce: "a", expiresAt: 1_000, now: 500) == false)
        #expect(try store.spend(address: "0xother", nonce: "a", expiresAt: 1_000, now: 500))
        // Once expired, the pair may be stored again (the timestamp check refuses the old request anyway).
        #expect(try store.spend(address: address, nonce: "a", expiresAt: 50_000, now: 2_000))
        #expect(try store.storedNonceCount() == 2)
        // The next prune (10 s after the first) deletes what expired.
        #expect(try store.spend(address: address, nonce: "b", expiresAt: 90_000, now: 60_000))
        #expect(try store.storedNonceCount() == 1)
    }
}
