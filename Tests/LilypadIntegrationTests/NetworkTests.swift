import Foundation
import LilypadAgents
import LilypadCore
import LilypadCrypto
import LilypadLedger
import LilypadLedgerService
import Logging
import Testing

/// The whole network as separate processes on loopback: `lilypad devnet` (ledger, solver, a
/// resource provider, a mediator) or its parts, and `lilypad run` as a user runs it.
@Suite("Network end to end", .serialized, .enabled(if: getuid() == 0, "the sandbox needs root"))
struct NetworkTests {
    let home: TemporaryDirectory
    let ledgerPort = Int.random(in: 20_000..<30_000)
    let solverPort = Int.random(in: 30_000..<40_000)
    var ledger: LedgerClient { LedgerClient(baseURL: "http://127.0.0.1:\(ledgerPort)") }

    init() throws {
        home = try TemporaryDirectory(prefix: "lilypad-network")
        chmod(home.path, 0o700)
    }

    func devnet(_ extra: [String] = []) async throws -> LilypadProcess {
        let process = try LilypadProcess(
            ["devnet", "--ledger-port", "\(ledgerPort)", "--solver-port", "\(solverPort)"] + extra, home: home.path)
        try await waitForHealth("http://127.0.0.1:\(solverPort)")
        try await waitForHealth("http://127.0.0.1:\(ledgerPort)")
        // The provider posts its offers right after the services come up.
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: home.path + "/devnet/network.json") {
            try await Task.sleep(for: .milliseconds(50))
        }
        return process
    }

    func run(_ arguments: [String], data: URL, environment: [String: String] = [:]) throws -> Oracle.Output {
        try Oracle.run(
            Oracle.lilypadBinary, ["run"] + arguments,
            environment: ProcessInfo.processInfo.environment.merging(
                environment.merging(["LILYPAD_HOME": home.path, "DATA_DIR": data.path]) { $1 }
            ) { $1 })
    }

    @Test func happyPathPaysExactlyThePrice() async throws {
        let network = try await devnet(["--services-only"])
        let provider = try LilypadProcess(
            ["resource-provider"], home: home.path, environment: ["WEB3_PRIVATE_KEY": DevelopmentAccounts.resourceProvider.privateKey])
        defer { provider.kill(); network.kill() }
        try await Task.sleep(for: .seconds(1))
        let creatorBefore = try await holdings(ledger, DevelopmentAccounts.jobCreator)
        let providerBefore = try await holdings(ledger, DevelopmentAccounts.resourceProvider)

        let data = home.url.appendingPathComponent("data")
        let output = try run(["cowsay:v0.0.4", "-i", "Message=hello network"], data: data)
        #expect(output.status == 0, "\(output.stdout)\n\(output.stderr)\n\(provider.output)")
        let lines = output.stdout.split(separator: "\n").map(String.init)
        let order = ["Job submitted", "Deal agreed", "Results submitted", "Results accepted"].map { step in
            lines.firstIndex { $0.contains(step) } ?? -1
        }
        #expect(!order.contains(-1) && order == order.sorted(), "progress lines in lifecycle order: \(output.stdout)")

        let downloads = data.appendingPathComponent("downloaded-files")
        let deal = try downloadedDeal(downloads)
        let folder = downloads.appendingPathComponent(deal)
        #expect(try String(contentsOf: folder.appendingPathComponent("stdout"), encoding: .utf8).contains("< hello network >"))
        #expect(try String(contentsOf: folder.appendingPathComponent("exitCode"), encoding: .utf8) == "0")
        let cid = try Oracle.lilypad(["cid", folder.path]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(output.stdout.contains("Data ID: \(cid)"))

        let record = try await ledger.deal(deal)
        #expect(record.state == .resultsAccepted)
        #expect(record.dataID == cid)
        let price = UInt256.lp(1)
        #expect(try await holdings(ledger, DevelopmentAccounts.jobCreator) == creatorBefore.minus(price))
        #expect(try await holdings(ledger, DevelopmentAccounts.resourceProvider) == providerBefore.plus(price))
    }

    @Test func failingModulesReachTheJobCreatorWithTheProvidersText() async throws {
        let modules = try HTTPModuleServer(modules: [
            "exits-3": HTTPModuleServer.template(entrypoint: ["perl", "-e", "print STDERR qq(boom\\n); exit 3"]),
            "bad-image": HTTPModuleServer.template(entrypoint: ["true"], image: "lilypad.local/no-such-image:1"),
            // Asks for 64 MiB and then takes 400 MiB: the sandbox's memory limit kills it.
            "out-of-memory": HTTPModuleServer.template(
                entrypoint: ["perl", "-e", "my $x = q(a) x (400 * 1024 * 1024); print length $x"], memory: "64Mi"),
        ])
        let network = try await devnet()
        defer { network.kill() }
        let creatorBefore = try await holdings(ledger, DevelopmentAccounts.jobCreator)

        // A job that runs and fails: its results come back, the exit code says failure, the provider is paid.
        let data = home.url.appendingPathComponent("data-exit")
        let failed = try run([modules.reference("exits-3")], data: data)
        #expect(failed.status == 1, "\(failed.stdout)\n\(failed.stderr)")
        #expect(failed.stderr.contains("the job exited with code 3"), "\(failed.stderr)")
        let folder = data.appendingPathComponent("downloaded-files").appendingPathComponent(
            try downloadedDeal(data.appendingPathComponent("downloaded-files")))
        #expect(try String(contentsOf: folder.appendingPathComponent("stderr"), encoding: .utf8) == "boom\n")
        #expect(try String(contentsOf: folder.appendingPathComponent("exitCode"), encoding: .utf8) == "3")
        let paid = try await holdings(ledger, DevelopmentAccounts.jobCreator)
        #expect(paid == creatorBefore.minus(.lp(1)))

        // A job that cannot run at all: the provider's error text, and a full refund.
        let badData = home.url.appendingPathComponent("data-image")
        let bad = try run([modules.reference("bad-image")], data: badData)
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("the job failed on the provider") && bad.stderr.contains("no-such-image"), "\(bad.stderr)")
        #expect(!bad.stderr.contains("timed out"))
        #expect(try await holdings(ledger, DevelopmentAccounts.jobCreator) == paid)

        // A job that runs past its own memory limit: killed, reported as such with its results
        // (exit code 137), and paid like any job that ran — the limit is the creator's own.
        let oomData = home.url.appendingPathComponent("data-oom")
        let oom = try run([modules.reference("out-of-memory")], data: oomData)
        #expect(oom.status == 1, "\(oom.stdout)\n\(oom.stderr)")
        #expect(oom.stderr.contains("ran out of memory"), "\(oom.stderr)")
        let oomFolder = oomData.appendingPathComponent("downloaded-files").appendingPathComponent(
            try downloadedDeal(oomData.appendingPathComponent("downloaded-files")))
        #expect(try String(contentsOf: oomFolder.appendingPathComponent("exitCode"), encoding: .utf8) == "137")
        #expect(try await holdings(ledger, DevelopmentAccounts.jobCreator) == paid.minus(.lp(1)))
    }
}

/// `lilypad run --inputs-path`: the folder reaches the job, read-only at `/inputs`, through the solver.
@Suite("Network input files", .serialized, .enabled(if: getuid() == 0, "the sandbox needs root"))
struct NetworkInputFilesTests {
    @Test func inputsPathReachesTheJobReadOnly() async throws {
        let tests = try NetworkTests()
        let modules = try HTTPModuleServer(modules: [
            "cat-inputs": HTTPModuleServer.template(entrypoint: [
                "perl", "-e",
                "open(F, q(/inputs/notes/hello.txt)) or die qq(no input: $!); print <F>; print(open(G, q(>/inputs/x)) ? qq(writable\\n) : qq(read-only\\n))",
            ])
        ])
        let network = try await tests.devnet()
        defer { network.kill() }
        let inputs = tests.home.url.appendingPathComponent("my-inputs")
        try FileManager.default.createDirectory(at: inputs.appendingPathComponent("notes"), withIntermediateDirectories: true)
        try Data("hello from the job creator\n".utf8).write(to: inputs.appendingPathComponent("notes/hello.txt"))
        chmod(inputs.appendingPathComponent("notes/hello.txt").path, 0o600)  // the provider makes it readable for the job
        let data = tests.home.url.appendingPathComponent("data-inputs")
        let output = try tests.run([modules.reference("cat-inputs"), "--inputs-path", inputs.path], data: data)
        #expect(output.status == 0, "\(output.stdout)\n\(output.stderr)")
        let downloads = data.appendingPathComponent("downloaded-files")
        let folder = downloads.appendingPathComponent(try downloadedDeal(downloads))
        let stdout = try String(contentsOf: folder.appendingPathComponent("stdout"), encoding: .utf8)
        #expect(stdout == "hello from the job creator\nread-only\n", "\(stdout)")
        // Lilypad's environment variable works the same way.
        let viaEnvironment = try tests.run([modules.reference("cat-inputs")], data: data, environment: ["INPUTS_PATH": inputs.path])
        #expect(viaEnvironment.status == 0, "\(viaEnvironment.stdout)\n\(viaEnvironment.stderr)")
    }
}

extension UInt256 {
    func minus(_ other: UInt256) -> UInt256 { subtracting(other) ?? .zero }
    func plus(_ other: UInt256) -> UInt256 { adding(other) ?? .max }
}

/// Many jobs through two providers on the local network.
@Suite("Network load", .serialized, .enabled(if: getuid() == 0, "the sandbox needs root"))
struct NetworkLoadTests {
    @Test func twoHundredJobsThroughTwoProvidersAllComplete() async throws {
        let base = try NetworkTests()
        let network = try await base.devnet(["--slots", "2"])
        defer { network.kill() }
        let admin = try PrivateKey(hex: DevelopmentAccounts.admin.privateKey)
        let secondKey = PrivateKey.random()
        _ = try await base.ledger.send(.mint(to: secondKey.address, amount: .lp(1000)), key: admin)
        let second = try LilypadProcess(
            ["resource-provider", "--slots", "2"], home: base.home.path, environment: ["WEB3_PRIVATE_KEY": secondKey.hexString])
        defer { second.kill() }
        // Several job creators, each funded, submitting concurrently.
        let creators = (0..<8).map { _ in PrivateKey.random() }
        for creator in creators { _ = try await base.ledger.send(.mint(to: creator.address, amount: .lp(1000)), key: admin) }
        try await Task.sleep(for: .seconds(1))
        let endpoints = NetworkEndpoints(
            solverURL: "http://127.0.0.1:\(base.solverPort)", solverAddress: try EthereumAddress(DevelopmentAccounts.solver.address),
            ledgerURL: "http://127.0.0.1:\(base.ledgerPort)", mediators: [try EthereumAddress(DevelopmentAccounts.mediator.address)])
        let downloads = base.home.url.appendingPathComponent("downloads")
        let outcomes = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for (index, creator) in creators.enumerated() {
                group.addTask {
                    let jobCreator = JobCreator(
                        key: creator, network: endpoints, home: LilypadHome(path: base.home.path), downloads: downloads, logger: Logger(label: "load")
                    )
                    var completed: [(Int, String)] = []
                    for round in 0..<25 {
                        let number = index * 25 + round
                        let outcome = try await jobCreator.run(JobCreator.Job(module: "cowsay:v0.0.4", inputs: ["Message": "job \(number)"])) { _ in }
                        completed.append((number, try String(contentsOf: outcome.folder.appendingPathComponent("stdout"), encoding: .utf8)))
                    }
                    return completed.last ?? (-1, "")
                }
            }
            var results: [(Int, String)] = []
            for try await result in group { results.append(result) }
            return results
        }
        #expect(outcomes.count == 8)
        for (number, stdout) in outcomes { #expect(stdout.contains("< job \(number) >")) }
        let folders = try FileManager.default.contentsOfDirectory(atPath: downloads.path).filter { !$0.hasPrefix(".") }
        #expect(folders.count == 200)
        // Both providers served jobs.
        #expect(second.output.contains("results submitted"))
    }
}
