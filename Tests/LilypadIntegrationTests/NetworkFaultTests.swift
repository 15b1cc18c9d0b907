import Foundation
import LilypadAgents
import LilypadCore
import LilypadCrypto
import LilypadExecution
import LilypadLedger
import LilypadLedgerService
import LilypadSolverService
import Logging
import Testing

/// Faults on the network, with separate processes: a provider killed mid-job, a solver killed and
/// restarted mid-job, a provider that forges its results.
@Suite("Network faults", .serialized, .enabled(if: getuid() == 0, "the sandbox needs root"))
struct NetworkFaultTests {
    let base: NetworkTests
    init() throws { base = try NetworkTests() }

    var home: String { base.home.path }
    var ledger: LedgerClient { base.ledger }

    static let sleeper = HTTPModuleServer.template(entrypoint: ["perl", "-e", "sleep 4; print qq(woke up\\n)"])

    /// Starts `lilypad run` without waiting for it.
    func startRun(_ arguments: [String], data: URL, environment: [String: String] = [:]) throws -> LilypadProcess {
        try LilypadProcess(["run"] + arguments, home: home, environment: environment.merging(["DATA_DIR": data.path]) { $1 })
    }

    func finish(_ process: LilypadProcess) -> (Int32, String) {
        let termination = process.process.waitUntilExit()
        return (termination.status, process.output)
    }

    @Test func killedProviderTimesOutAndIsSlashedThenAnotherServesTheRetry() async throws {
        // The first job outlasts its timeout by far, so however late the kill comes it is mid-job.
        let modules = try HTTPModuleServer(modules: [
            "sleeper": Self.sleeper, "long-sleeper": HTTPModuleServer.template(entrypoint: ["perl", "-e", "sleep 120"]),
        ])
        let network = try await base.devnet(["--services-only", "--timeout-execution-grace", "1"])
        defer { network.kill() }
        let provider = try LilypadProcess(
            ["resource-provider", "--slots", "1"], home: home, environment: ["WEB3_PRIVATE_KEY": DevelopmentAccounts.resourceProvider.privateKey])
        try await Task.sleep(for: .seconds(1))
        let creatorBefore = try await holdings(ledger, DevelopmentAccounts.jobCreator)
        let providerBefore = try await holdings(ledger, DevelopmentAccounts.resourceProvider)

        let job = try startRun([modules.reference("long-sleeper"), "--timeout", "10"], data: base.home.url.appendingPathComponent("d1"))
        // Killed mid-job: once it holds the deal and the deal is agreed on the ledger (so its
        // collateral is at stake), and before it could finish and offer its slot again. Waiting
        // on the provider's own progress, not on a fixed delay, keeps this true on a loaded machine.
        var dealID: String?
        for _ in 0..<1_200 {
            if dealID == nil, let held = provider.output.firstMatch(of: /deal=(\S+) module=/) { dealID = String(held.1) }
            if let dealID, (try? await ledger.deal(dealID)) != nil { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        provider.kill()
        #expect(dealID != nil, "the provider never took the job:\n\(provider.output)")
        let (status, output) = finish(job)
        #expect(status == 1, "\(output)")
        #expect(output.contains("TimeoutExecution") && output.contains("refunded"), "\(output)")
        // Refunded in full, plus the provider's timeout collateral (the job's price).
        #expect(try await holdings(ledger, DevelopmentAccounts.jobCreator) == creatorBefore.plus(.lp(1)))
        #expect(try await holdings(ledger, DevelopmentAccounts.resourceProvider) == providerBefore.minus(.lp(1)))

        // A second provider, funded by the faucet, serves the retried job.
        let second = PrivateKey.random()
        _ = try await ledger.send(.mint(to: second.address, amount: .lp(100)), key: try PrivateKey(hex: DevelopmentAccounts.admin.privateKey))
        let other = try LilypadProcess(["resource-provider", "--slots", "1"], home: home, environment: ["WEB3_PRIVATE_KEY": second.hexString])
        defer { other.kill() }
        try await Task.sleep(for: .seconds(1))
        let retry = try startRun([modules.reference("sleeper")], data: base.home.url.appendingPathComponent("d2"))
        let (retryStatus, retryOutput) = finish(retry)
        #expect(retryStatus == 0, "\(retryOutput)\nsecond provider \(second.address):\n\(other.output)\nkilled provider:\n\(provider.output)")
        #expect(retryOutput.contains("woke up"))
    }

    @Test func solverKilledAndRestartedMidJobStillCompletes() async throws {
        let modules = try HTTPModuleServer(modules: ["sleeper": Self.sleeper])
        let (ledgerPort, solverPort) = (base.ledgerPort, base.solverPort)
        let chain = try LilypadProcess(["chain", "serve", "--port", "\(ledgerPort)"], home: home)
        defer { chain.kill() }
        let solverArguments = ["solver", "--port", "\(solverPort)", "--data", home + "/solver/solver.sqlite"]
        let solverEnvironment = ["WEB3_PRIVATE_KEY": DevelopmentAccounts.solver.privateKey]
        var solver = try LilypadProcess(solverArguments, home: home, environment: solverEnvironment)
        try await waitForHealth("http://127.0.0.1:\(solverPort)")
        try await waitForHealth("http://127.0.0.1:\(ledgerPort)")
        let endpoints = ["SOLVER_URL": "http://127.0.0.1:\(solverPort)", "LEDGER_URL": "http://127.0.0.1:\(ledgerPort)"]
        let provider = try LilypadProcess(
            ["resource-provider"], home: home,
            environment: endpoints.merging(["WEB3_PRIVATE_KEY": DevelopmentAccounts.resourceProvider.privateKey]) { $1 })
        defer { provider.kill() }
        try await Task.sleep(for: .seconds(1))

        let job = try startRun(
            [modules.reference("sleeper")], data: base.home.url.appendingPathComponent("d"),
            environment: endpoints.merging(["WEB3_PRIVATE_KEY": DevelopmentAccounts.jobCreator.privateKey]) { $1 })
        for _ in 0..<200 where !job.output.contains("Deal agreed") { try await Task.sleep(for: .milliseconds(50)) }
        solver.kill()
        try await Task.sleep(for: .milliseconds(500))
        solver = try LilypadProcess(solverArguments, home: home, environment: solverEnvironment)
        defer { solver.kill() }
        let (status, output) = finish(job)
        #expect(status == 0, "\(output)\n\(provider.output)")
        #expect(output.contains("woke up") && output.contains("Results accepted"))
    }

    @Test func ctrlCWithdrawsTheWaitingOfferAndMovesNoMoney() async throws {
        // No provider: the offer waits, and the user gives up with Ctrl-C.
        let network = try await base.devnet(["--services-only"])
        defer { network.kill() }
        let creatorBefore = try await holdings(ledger, DevelopmentAccounts.jobCreator)
        let job = try startRun(["cowsay:v0.0.4", "-i", "Message=nobody serves me"], data: base.home.url.appendingPathComponent("d"))
        for _ in 0..<400 where !job.output.contains("Job submitted") { try await Task.sleep(for: .milliseconds(50)) }
        job.process.send(SIGINT)
        let (status, output) = finish(job)
        #expect(status == 130, "\(output)")
        let withdrawn = try #require(output.firstMatch(of: /job offer (\S+) withdrawn/), "\(output)")
        let solver = SolverClient(
            baseURL: "http://127.0.0.1:\(base.solverPort)", key: try PrivateKey(hex: DevelopmentAccounts.jobCreator.privateKey))
        #expect(try await solver.jobOffer(id: String(withdrawn.1)).state == .jobOfferCancelled)
        #expect(try await holdings(ledger, DevelopmentAccounts.jobCreator) == creatorBefore)
    }

    /// `ticker` prints a line every 0.1 s for 30 s: stopped early, it leaves a part of its output
    /// (the provider learns of the stop from the solver's event, or from its next output being
    /// refused). `silent` sleeps 300 s printing nothing: only the event can reach it.
    @Test(arguments: ["ticker", "silent"])
    func ctrlCOnARunningJobStopsItAndPaysForTheWorkSoFar(module: String) async throws {
        let modules = try HTTPModuleServer(modules: [
            "ticker": HTTPModuleServer.template(entrypoint: [
                "perl", "-e", "$| = 1; for (1..300) { print qq(tick $_\\n); select(undef, undef, undef, 0.1) }",
            ]),
            "silent": HTTPModuleServer.template(entrypoint: ["perl", "-e", "sleep 300"]),
        ])
        let network = try await base.devnet(["--services-only"])
        defer { network.kill() }
        let provider = try LilypadProcess(
            ["resource-provider", "--slots", "1"], home: home, environment: ["WEB3_PRIVATE_KEY": DevelopmentAccounts.resourceProvider.privateKey])
        defer { provider.kill() }
        try await Task.sleep(for: .seconds(1))
        let creatorBefore = try await holdings(ledger, DevelopmentAccounts.jobCreator)
        let providerBefore = try await holdings(ledger, DevelopmentAccounts.resourceProvider)
        let data = base.home.url.appendingPathComponent("stopped")
        let job = try startRun([modules.reference(module)], data: data)
        var dealID: String?
        for _ in 0..<1200 where dealID == nil {
            dealID = provider.output.firstMatch(of: /deal=(\S+) module=/).map { String($0.1) }
            if dealID == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        let deal = try #require(dealID, "the provider never took the job:\n\(provider.output)")
        if module == "ticker" {
            // Stopped once it has printed (read live, as its job creator): a stop that came
            // before the job started would leave nothing to pay for but the stop itself.
            let creator = SolverClient(
                baseURL: "http://127.0.0.1:\(base.solverPort)", key: try PrivateKey(hex: DevelopmentAccounts.jobCreator.privateKey))
            var seen = ""
            for try await bytes in creator.liveOutput(dealID: deal) {
                seen += String(decoding: bytes, as: UTF8.self)
                if seen.contains("tick 1\n") { break }
            }
        } else {
            for _ in 0..<1200 where !provider.output.contains("running the job") { try await Task.sleep(for: .milliseconds(50)) }
        }
        job.process.send(SIGINT)
        let (status, output) = finish(job)
        #expect(status == 130, "\(output)\n\(provider.output)")
        #expect(output.contains("asked the job to stop"), "\(output)")
        #expect(output.contains("stopped early at its job creator's request"), "\(output)")
        #expect(provider.output.contains("the job creator asked the job to stop"), "\(provider.output)")

        let downloads = data.appendingPathComponent("downloaded-files")
        let folder = downloads.appendingPathComponent(try downloadedDeal(downloads))
        let stdout = try String(contentsOf: folder.appendingPathComponent("stdout"), encoding: .utf8)
        if module == "ticker" {
            #expect(stdout.hasPrefix("tick 1\n") && !stdout.contains("tick 300"), "\(stdout)")
        } else {
            #expect(stdout.isEmpty, "\(stdout)")
        }
        #expect(try String(contentsOf: folder.appendingPathComponent("exitCode"), encoding: .utf8) == "130")
        // Settled as any result: the provider is paid the price for the work it was given.
        #expect(try await holdings(ledger, DevelopmentAccounts.jobCreator) == creatorBefore.minus(.lp(1)))
        #expect(try await holdings(ledger, DevelopmentAccounts.resourceProvider) == providerBefore.plus(.lp(1)))
    }

    @Test func cheatingProviderIsCaughtByTheMediator() async throws {
        let network = try await base.devnet(["--services-only"])
        defer { network.kill() }
        let mediator = try LilypadProcess(["mediator"], home: home, environment: ["WEB3_PRIVATE_KEY": DevelopmentAccounts.mediator.privateKey])
        defer { mediator.kill() }
        // The provider runs in this process, with an executor that forges the job's output.
        var configuration = ResourceProvider.Configuration(
            key: try PrivateKey(hex: DevelopmentAccounts.resourceProvider.privateKey),
            network: NetworkEndpoints(
                solverURL: "http://127.0.0.1:\(base.solverPort)", solverAddress: try EthereumAddress(DevelopmentAccounts.solver.address),
                ledgerURL: "http://127.0.0.1:\(base.ledgerPort)", mediators: [try EthereumAddress(DevelopmentAccounts.mediator.address)]),
            home: LilypadHome(path: home), dataDirectory: base.home.url.appendingPathComponent("cheater"),
            spec: MachineSpec(cpu: 2000, ram: 2048, disk: ByteCount(1 << 30)))
        configuration.slots = 1
        let cheater = ResourceProvider(
            configuration: configuration, executor: ForgingExecutor(inner: try SandboxExecutor()), logger: Logger(label: "cheater"))
        let running = Task { try await cheater.run() }
        defer { running.cancel() }
        try await cheater.waitUntilOffered()
        let creatorBefore = try await holdings(ledger, DevelopmentAccounts.jobCreator)
        let providerBefore = try await holdings(ledger, DevelopmentAccounts.resourceProvider)
        let mediatorBefore = try await holdings(ledger, DevelopmentAccounts.mediator)

        let output = try base.run(["cowsay:v0.0.4", "-i", "Message=honest?", "--check"], data: base.home.url.appendingPathComponent("d"))
        #expect(output.status == 1, "\(output.stdout)\n\(output.stderr)\n\(mediator.output)")
        #expect(output.stdout.contains("Results rejected"), "\(output.stdout)")
        // Refunded the payment, paid the mediation fee; the provider lost its results collateral.
        #expect(try await holdings(ledger, DevelopmentAccounts.jobCreator) == creatorBefore.minus(.lp(1)))
        #expect(try await holdings(ledger, DevelopmentAccounts.mediator) == mediatorBefore.plus(.lp(1)))
        #expect(try await holdings(ledger, DevelopmentAccounts.resourceProvider) == providerBefore.minus(.lp(2)))
    }
}

/// A test-only executor that runs the job, then replaces its output: a provider that cheats.
struct ForgingExecutor: Executor {
    let inner: SandboxExecutor
    var name: String { "forging" }

    func run(_ request: ExecutionRequest, output: (@Sendable (OutputStreamKind, [UInt8]) -> Void)?) async throws(ExecutionError) -> ExecutionResult {
        var result = try await inner.run(request, output: output)
        result.stdout = Array("forged results\n".utf8)
        return result
    }
}
