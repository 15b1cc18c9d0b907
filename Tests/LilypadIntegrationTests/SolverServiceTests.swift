import AsyncHTTPClient
import Foundation
import LilypadCore
import LilypadCrypto
import NIOCore
import Synchronization
import Testing

@testable import LilypadSolverService

/// `lilypad solver` as a separate process, driven by signed clients.
@Suite("Solver service", .serialized)
struct SolverServiceTests {
    let home = FileManager.default.temporaryDirectory.appendingPathComponent("solver-svc-\(UUID().uuidString)").path
    let port = Int.random(in: 20_000..<40_000)
    let solverKey = PrivateKey.random()
    let jobCreator = PrivateKey.random()
    let provider = PrivateKey.random()
    let mediator = PrivateKey.random().address.checksummed
    var url: String { "http://127.0.0.1:\(port)" }

    func withSolver(_ body: () async throws -> Void) async throws {
        let process = try Oracle.startLilypad(["solver", "--port", String(port)], home: home, environment: ["WEB3_PRIVATE_KEY": solverKey.hexString])
        defer { try? FileManager.default.removeItem(atPath: home) }
        try await SolverProcessFixture.stopping(process, home: home) {
            for _ in 0..<400 {
                var request = HTTPClientRequest(url: url + "/api/v1/health")
                request.method = .GET
                if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(1)), response.status == .ok { break }
                try await Task.sleep(for: .milliseconds(25))
            }
            try await body()
        }
    }

    func jobOffer() -> JobOffer {
        JobOffer(
            createdAt: Int(Date().timeIntervalSince1970 * 1000), nonce: UUID().uuidString, jobCreator: jobCreator.address.checksummed,
            module: ModuleConfig(name: "cowsay:v0.0.4", repo: "https://github.com/Lilypad-Tech/lilypad-module-cowsay", hash: "v0.0.4"),
            spec: MachineSpec(cpu: 1000, ram: 100), inputs: ["Message": "\"private input\""],
            services: ServiceConfig(solver: solverKey.address.checksummed, mediator: [mediator]))
    }

    func resourceOffer() -> ResourceOffer {
        ResourceOffer(
            createdAt: Int(Date().timeIntervalSince1970 * 1000), resourceProvider: provider.address.checksummed,
            spec: MachineSpec(cpu: 2000, ram: 4096),
            services: ServiceConfig(solver: solverKey.address.checksummed, mediator: [mediator]))
    }

    func status(_ error: any Error) -> Int {
        if case .refused(let status, _)? = error as? SolverClient.Failure { status } else { -1 }
    }

    @Test func signedOffersMakeADealOnlyItsPartiesCanRead() async throws {
        try await withSolver {
            let creatorClient = SolverClient(baseURL: url, key: jobCreator)
            let providerClient = SolverClient(baseURL: url, key: provider)
            let posted = try await creatorClient.post(jobOffer: jobOffer())
            #expect(posted.state == .dealNegotiating)
            let matched = try await providerClient.post(resourceOffer: resourceOffer())
            #expect(matched.state == .dealAgreed)
            let deal = try await creatorClient.deal(id: matched.dealID)
            #expect(deal.jobOffer == posted.id)
            #expect(try await providerClient.deals().map(\.id) == [deal.id])
            // A stranger sees neither the deal nor the job's inputs.
            let stranger = SolverClient(baseURL: url, key: PrivateKey.random())
            do {
                _ = try await stranger.deal(id: deal.id)
                Issue.record("a stranger read the deal")
            } catch { #expect(status(error) == 403) }
            do {
                _ = try await stranger.jobOffer(id: posted.id)
                Issue.record("a stranger read the job offer")
            } catch { #expect(status(error) == 403) }
            #expect(try await stranger.deals().isEmpty)
            // The provider reports the result; the job creator reads and accepts it.
            _ = try await providerClient.post(
                result: JobResult(dealID: deal.id, dataID: "QmWjueeHuHM1B7xYV7Hzt4278fEYardqg6qXqawkGvwqsj"), dealID: deal.id)
            #expect(try await creatorClient.result(dealID: deal.id).dataID == "QmWjueeHuHM1B7xYV7Hzt4278fEYardqg6qXqawkGvwqsj")
            do {
                _ = try await stranger.result(dealID: deal.id)
                Issue.record("a stranger read the result")
            } catch { #expect(status(error) == 403) }
            let accepted = try await creatorClient.acceptResult(dealID: deal.id)
            #expect(accepted.state == .resultsAccepted)
            do {
                _ = try await providerClient.post(result: JobResult(dealID: deal.id, error: "late"), dealID: deal.id)
                Issue.record("a result was accepted after the deal ended")
            } catch { #expect(status(error) == 409) }
            // Signing someone else's offer is refused.
            do {
                _ = try await stranger.post(jobOffer: jobOffer())
                Issue.record("an offer signed by another key was accepted")
            } catch { #expect(status(error) == 403) }
        }
    }

    @Test func onlyTheJobCreatorStopsARunningJobAndTheProviderHearsItAs410() async throws {
        try await withSolver {
            let creatorClient = SolverClient(baseURL: url, key: jobCreator)
            let providerClient = SolverClient(baseURL: url, key: provider)
            _ = try await creatorClient.post(jobOffer: jobOffer())
            let deal = try await providerClient.post(resourceOffer: resourceOffer()).dealID
            try await providerClient.postLiveOutput(Array("data: 1\n".utf8), dealID: deal, done: false)
            for client in [providerClient, SolverClient(baseURL: url, key: PrivateKey.random())] {
                do {
                    try await client.stop(dealID: deal)
                    Issue.record("someone other than the job creator stopped the job")
                } catch { #expect(status(error) == 403) }
            }
            try await providerClient.postLiveOutput(Array("data: 2\n".utf8), dealID: deal, done: false)
            try await creatorClient.stop(dealID: deal)
            try await creatorClient.stop(dealID: deal)  // asking again is harmless
            do {
                try await providerClient.postLiveOutput(Array("data: 3\n".utf8), dealID: deal, done: false)
                Issue.record("the provider's output was taken after the stop")
            } catch { #expect(status(error) == 410) }
            // The forwarder tells its provider.
            let told = OnceFlag()
            let forwarder = LiveOutputForwarder(client: providerClient, dealID: deal) { told.set() }
            forwarder.send(Array("data: 4\n".utf8))
            await forwarder.finish()
            #expect(told.isSet)
            // What the job creator reads ends with what came before the stop.
            var relayed: [UInt8] = []
            for try await bytes in creatorClient.liveOutput(dealID: deal) { relayed += bytes }
            #expect(String(decoding: relayed, as: UTF8.self) == "data: 1\ndata: 2\n")
            // Once the results are in, there is nothing left to stop.
            _ = try await providerClient.post(result: JobResult(dealID: deal, dataID: "QmWjueeHuHM1B7xYV7Hzt4278fEYardqg6qXqawkGvwqsj"), dealID: deal)
            do {
                try await creatorClient.stop(dealID: deal)
                Issue.record("a finished job was stopped")
            } catch { #expect(status(error) == 409) }
        }
    }

    @Test func replayedTamperedAndUnsignedRequestsAreRefused() async throws {
        try await withSolver {
            let client = SolverClient(baseURL: url, key: jobCreator)
            let body = try GoJSONEncoder().encode(jobOffer())
            let signed = SignedRequest.sign(method: "POST", target: "/api/v1/job_offers", audience: "127.0.0.1:\(port)", body: body, key: jobCreator)
            let first: JobOfferContainer = try await client.send("POST", "/api/v1/job_offers", body: body, signed: signed)
            #expect(first.state == .dealNegotiating)
            do {
                let _: JobOfferContainer = try await client.send("POST", "/api/v1/job_offers", body: body, signed: signed)
                Issue.record("a replayed request was accepted")
            } catch { #expect(status(error) == 401) }
            // The same signature over another body.
            let other = try GoJSONEncoder().encode(jobOffer())
            let fresh = SignedRequest.sign(method: "POST", target: "/api/v1/job_offers", audience: "127.0.0.1:\(port)", body: body, key: jobCreator)
            do {
                let _: JobOfferContainer = try await client.send("POST", "/api/v1/job_offers", body: other, signed: fresh)
                Issue.record("a tampered request was accepted")
            } catch { #expect(status(error) == 401) }
            // A request signed for another service, replayed here with that service's Host header, is refused.
            let elsewhere = SignedRequest.sign(
                method: "POST", target: "/api/v1/job_offers", audience: "other-solver.example:8081", body: other, key: jobCreator)
            var replayed = HTTPClientRequest(url: url + "/api/v1/job_offers")
            replayed.method = .POST
            replayed.headers.replaceOrAdd(name: "Host", value: "other-solver.example:8081")
            for (name, value) in elsewhere.fields { replayed.headers.add(name: name, value: value) }
            replayed.body = .bytes(ByteBuffer(bytes: other))
            let refused = try await HTTPClient.shared.execute(replayed, timeout: .seconds(5))
            #expect(refused.status.code == 401)
            let reason = String(buffer: try await refused.body.collect(upTo: 1 << 16))
            #expect(reason.contains("signed for"), "\(reason)")
            // No signature at all, and Lilypad v2's static headers (off by default).
            var request = HTTPClientRequest(url: url + "/api/v1/deals")
            let legacy = LegacyAuthHeaders(signingWith: jobCreator)
            request.headers.add(name: LegacyAuthHeaders.userHeader, value: legacy.user)
            request.headers.add(name: LegacyAuthHeaders.signatureHeader, value: legacy.signature)
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
            #expect(response.status.code == 401)
            // A stale offer is a 400 with the reason, not a 500.
            var stale = jobOffer()
            stale.createdAt -= 120_000
            do {
                _ = try await client.post(jobOffer: stale)
                Issue.record("a stale offer was accepted")
            } catch {
                #expect(status(error) == 400)
                #expect("\(error)".contains("clock"))
            }
        }
    }
}

private final class OnceFlag: Sendable {
    private let flag = Mutex(false)
    func set() { flag.withLock { $0 = true } }
    var isSet: Bool { flag.withLock { $0 } }
}
