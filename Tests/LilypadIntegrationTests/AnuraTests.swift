import Foundation
import LilypadCore
import LilypadCrypto
import LilypadLedger
import LilypadLedgerService
import LilypadSolverService
import Testing

/// Anura end to end: `lilypad devnet` and `lilypad anura` as real processes, the real model
/// modules run as jobs by the devnet's provider, and the official `openai` Python SDK as the client.
@Suite("Anura end to end", .serialized, .enabled(if: getuid() == 0, "the sandbox needs root"))
struct AnuraTests {
    let home: TemporaryDirectory
    let ledgerPort = Int.random(in: 20_000..<30_000)
    let solverPort = Int.random(in: 30_000..<40_000)
    let anuraPort = Int.random(in: 40_000..<50_000)
    var ledger: LedgerClient { LedgerClient(baseURL: "http://127.0.0.1:\(ledgerPort)") }

    init() throws {
        home = try TemporaryDirectory(prefix: "lilypad-anura")
        chmod(home.path, 0o700)
    }

    /// `lilypad anura key create …`'s secret (its last line).
    func createKey(_ extra: [String]) throws -> String {
        let output = try Oracle.lilypad(["anura", "key", "create"] + extra, environment: ["LILYPAD_HOME": home.path])
        guard output.status == 0, let secret = output.stdout.split(separator: "\n").last else {
            throw Oracle.Failure(description: "key create: \(output.stderr)")
        }
        return String(secret)
    }

    @Test func theOpenAISDKPassesAgainstModelsRunningAsJobs() async throws {
        let network = try LilypadProcess(["devnet", "--ledger-port", "\(ledgerPort)", "--solver-port", "\(solverPort)"], home: home.path)
        defer { network.kill() }
        try await waitForHealth("http://127.0.0.1:\(solverPort)")
        for _ in 0..<400 where !FileManager.default.fileExists(atPath: home.path + "/devnet/network.json") {
            try await Task.sleep(for: .milliseconds(50))
        }
        let data = home.url.appendingPathComponent("data")
        let gateway = try LilypadProcess(["anura", "--port", "\(anuraPort)", "--data-dir", data.path], home: home.path)
        defer { gateway.kill() }
        try await waitForGateway(gateway, port: anuraPort)
        let key = try createKey(["--name", "sdk"])
        let limited = try createKey(["--name", "limited", "--rate-limit", "5"])
        let creatorBefore = try await holdings(ledger, DevelopmentAccounts.jobCreator)
        let providerBefore = try await holdings(ledger, DevelopmentAccounts.resourceProvider)

        let report = try Oracle.python(
            [Oracle.directory + "/anura_openai_acceptance.py", "http://127.0.0.1:\(anuraPort)/api/v1", key, limited], modules: ["openai"])
        let measured = try #require(try JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any], "\(report)\n\(gateway.output)")
        #expect(measured["embedding_dimensions"] as? Int == 384)
        // The model modules are warm: the provider kept the chat model's process between the chats,
        // through the third chat, which the client left mid-stream: stopped early, exit code 130.
        #expect(network.output.contains("the job creator asked the job to stop"), "\(network.output.suffix(4000))")
        #expect(network.output.contains("exit_code=130"), "\(network.output.suffix(4000))")
        #expect(network.output.contains("warm_process_jobs=5"), "\(network.output.suffix(4000))")

        let solver = SolverClient(baseURL: "http://127.0.0.1:\(solverPort)", key: try PrivateKey(hex: DevelopmentAccounts.jobCreator.privateKey))
        var deals = try await solver.deals()
        // The stopped chat's deal is settled in the background: give it a moment.
        for _ in 0..<600 where !deals.allSatisfy({ $0.state == .resultsAccepted }) {
            try await Task.sleep(for: .milliseconds(100))
            deals = try await solver.deals()
        }

        // Every inference was a job the key's owner paid for, through deals the provider ran.
        let listed = try Oracle.lilypad(["anura", "key", "list", "--json"], environment: ["LILYPAD_HOME": home.path])
        let keys = try JSONDecoder().decode([[String: AnyCodableValue]].self, from: Data(listed.stdout.utf8))
        let jobs = keys.compactMap { $0["jobs"]?.int }.reduce(0, +)
        #expect(jobs == 8, "chat ×5 (one stopped), embeddings ×2, audio ×1: \(listed.stdout)")
        #expect((keys.first { $0["name"]?.string == "sdk" }?["completion_tokens"]?.int ?? 0) > 0)
        #expect(deals.count == jobs)
        #expect(
            deals.allSatisfy {
                $0.state == .resultsAccepted && $0.resourceProvider.lowercased() == DevelopmentAccounts.resourceProvider.address.lowercased()
            })
        let price = UInt256.lp(UInt64(jobs))
        #expect(try await holdings(ledger, DevelopmentAccounts.jobCreator) == creatorBefore.subtracting(price))
        #expect(try await holdings(ledger, DevelopmentAccounts.resourceProvider) == providerBefore.adding(price))
    }
}

/// Just enough JSON for `key list --json`.
enum AnyCodableValue: Decodable {
    case int(Int), string(String), null

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    var int: Int? { if case .int(let value) = self { value } else { nil } }
    var string: String? { if case .string(let value) = self { value } else { nil } }
}
