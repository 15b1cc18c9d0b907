import Foundation
import LilypadCore
import LilypadCrypto
import LilypadLedger
import LilypadLedgerService
import Testing

/// `lilypad chain serve`, `lilypad pow mine` and `lilypad pow-signal` as separate processes.
@Suite("Proof of work, end to end", .serialized, .timeLimit(.minutes(5)))
struct PowProcessTests {
    let home = FileManager.default.temporaryDirectory.appendingPathComponent("pow-e2e-\(UUID().uuidString)").path
    let port = Int.random(in: 20_000..<40_000)
    var ledgerURL: String { "http://127.0.0.1:\(port)" }

    /// The development chain with proofs of about 5,000 hashes (debug builds hash slowly).
    func writeEasyGenesis() throws -> String {
        let printed = try Oracle.lilypad(["chain", "genesis"])
        try #require(printed.status == 0, "chain genesis: \(printed.stderr)")
        var genesis = try JSONDecoder().decode(LedgerGenesis.self, from: Data(printed.stdout.utf8))
        genesis.pow.difficulty = UInt256.max.quotientAndRemainder(dividingBy: 5_000).quotient
        let path = home + "/genesis.json"
        try JSONEncoder().encode(genesis).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Starts `lilypad arguments…` with its stderr kept in `<home>/<log>`.
    func start(_ arguments: [String], log: String, environment: [String: String] = [:]) throws -> ChildProcess {
        try ChildProcess(
            Oracle.lilypadBinary, arguments,
            environment: ProcessInfo.processInfo.environment.merging(environment.merging(["LILYPAD_HOME": home]) { $1 }) { $1 }, stdout: .null,
            stderr: .file(home + "/" + log))
    }

    func log(_ name: String) -> String { (try? String(contentsOfFile: home + "/" + name, encoding: .utf8)) ?? "" }

    @Test func aMinerProvesWorkForARoundSignalledByTheAdmin() async throws {
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: home) }
        let genesis = try writeEasyGenesis()
        let server = try start(["chain", "serve", "--port", String(port), "--genesis", genesis], log: "ledger.log")
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        let client = LedgerClient(baseURL: ledgerURL)
        for _ in 0..<800 {
            if (try? await client.chain()) != nil { break }
            try await Task.sleep(for: .milliseconds(25))
        }
        try #require(try await client.chain().chainID == 412_346, "the ledger did not start: \(log("ledger.log"))")

        let provider = DevelopmentAccounts.resourceProvider
        let providerAddress = try EthereumAddress(provider.address).checksummed
        let miner = try start(
            ["pow", "mine", "--ledger", ledgerURL, "--private-key", provider.privateKey, "--node-id", "node-e2e", "--workers", "2"], log: "miner.log")
        defer { if miner.isRunning { miner.terminate() } }

        // Only the protocol account may open a round.
        let refused = try Oracle.lilypad(["pow-signal", "--ledger", ledgerURL, "--web3-private-key", provider.privateKey])
        #expect(refused.status != 0 && refused.stderr.contains("may not powNewRound"), "\(refused.stderr)")

        let signal = try Oracle.lilypad(["pow-signal", "--ledger", ledgerURL, "--web3-private-key", DevelopmentAccounts.admin.privateKey])
        #expect(signal.status == 0, "\(signal.stderr)")
        #expect(signal.stdout.hasPrefix("Proof-of-work round 1 started at block "), "\(signal.stdout)")

        func acceptedRounds() async throws -> [UInt64] {
            try await client.events(after: 0).compactMap { record in
                guard case .powWorkAccepted(let address, let node, let round) = record.event, address == providerAddress, node == "node-e2e"
                else { return nil }
                return round
            }
        }
        for _ in 0..<4_800 {
            if try await !acceptedRounds().isEmpty { break }
            try await Task.sleep(for: .milliseconds(25))
        }
        #expect(try await acceptedRounds() == [1], "miner log:\n\(log("miner.log"))")

        // SIGTERM is a graceful shutdown: the miner stops its workers and exits cleanly.
        miner.terminate()
        #expect(miner.waitUntilExit() == .exited(0), "miner log:\n\(log("miner.log"))")
        #expect(log("miner.log").contains("proof of work accepted"))
    }

    @Test func aResourceProviderMinesUnderItsNodeIDUnlessDisabled() async throws {
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: home) }
        let genesis = try writeEasyGenesis()
        let ledgerServer = try start(["chain", "serve", "--port", String(port), "--genesis", genesis], log: "ledger.log")
        let solverPort = port + 1
        let solverServer = try start(
            ["solver", "--port", String(solverPort), "--data", home + "/solver.sqlite", "--private-key", DevelopmentAccounts.solver.privateKey],
            log: "solver.log")
        let endpoints = ["SOLVER_URL": "http://127.0.0.1:\(solverPort)", "LEDGER_URL": ledgerURL]
        // One provider mines; a second one (another account) has proof of work turned off.
        let miner = try start(
            ["resource-provider", "--private-key", DevelopmentAccounts.resourceProvider.privateKey, "--data-dir", home + "/rp1"], log: "rp1.log",
            environment: endpoints.merging(["NUM_WORKER": "2"]) { $1 })
        let idle = PrivateKey.random()
        let bystander = try start(
            ["resource-provider", "--private-key", idle.hexString, "--data-dir", home + "/rp2"], log: "rp2.log",
            environment: endpoints.merging(["DISABLE_POW": "true"]) { $1 })
        defer {
            for process in [bystander, miner, solverServer, ledgerServer] where process.isRunning {
                process.send(SIGKILL)
                process.waitUntilExit()
            }
        }
        let client = LedgerClient(baseURL: ledgerURL)
        for _ in 0..<800 where (try? await client.chain()) == nil { try await Task.sleep(for: .milliseconds(25)) }
        // The provider's node ID is created on first start and kept under its home.
        let idFile = home + "/resource-provider/node-id-" + (try EthereumAddress(DevelopmentAccounts.resourceProvider.address)).lowercased
        for _ in 0..<400 where !FileManager.default.fileExists(atPath: idFile) { try await Task.sleep(for: .milliseconds(25)) }
        let nodeID = try String(contentsOfFile: idFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(nodeID.hasPrefix("n-") && nodeID.count == 38, "\(nodeID)")

        let signal = try Oracle.lilypad(["pow-signal", "--ledger", ledgerURL, "--web3-private-key", DevelopmentAccounts.admin.privateKey])
        #expect(signal.status == 0, "\(signal.stderr)")
        func accepted() async throws -> [(String, String)] {
            try await client.events(after: 0).compactMap { record in
                guard case .powWorkAccepted(let address, let node, _) = record.event else { return nil }
                return (address, node)
            }
        }
        for _ in 0..<4_800 where try await accepted().isEmpty { try await Task.sleep(for: .milliseconds(25)) }
        let proofs = try await accepted()
        let providerAddress = try EthereumAddress(DevelopmentAccounts.resourceProvider.address).checksummed
        #expect(proofs.count == 1 && proofs.first?.0 == providerAddress && proofs.first?.1 == nodeID, "\(proofs)\n\(log("rp1.log"))")
        #expect(log("rp2.log").contains("proof of work disabled"), "\(log("rp2.log"))")
        #expect(!FileManager.default.fileExists(atPath: home + "/resource-provider/node-id-" + idle.address.lowercased))
    }
}
