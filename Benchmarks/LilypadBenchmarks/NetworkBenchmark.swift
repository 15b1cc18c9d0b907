import Foundation
import LilypadAgents
import LilypadCore
import LilypadCrypto
import LilypadExecution
import LilypadLedger
import LilypadLedgerService
import Logging

extension LilypadBenchmarks {
    /// cowsay end to end on a local network (ledger, solver and providers in this process, talking
    /// HTTP on loopback; jobs in the sandbox): offer → match → consent → agree → run → upload →
    /// download + CID check → accept.
    ///
    /// - Latency: sequential jobs of one creator with one provider, p50/p95 from `JobCreator.run`
    ///   to the accepted, verified results folder; then the same through the `lilypad run` process
    ///   (banner, key, network discovery included) when the `lilypad` executable is built beside
    ///   this one.
    /// - Throughput: eight creators submitting at once to 1, 2 and 4 providers of one slot each.
    ///
    /// Needs root (the sandbox). `LILYPAD_BENCH=network` runs only this.
    static func networkBenchmark() async {
        if let only = ProcessInfo.processInfo.environment["LILYPAD_BENCH"], !"network".contains(only) { return }
        guard getuid() == 0 else {
            print("  network end to end: skipped (the sandbox needs root)")
            return
        }
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("lilypad-bench-network-\(getpid())")
        defer { try? FileManager.default.removeItem(at: home) }
        var configuration = LocalNetwork.Configuration(home: LilypadHome(path: home.path)) { try SandboxExecutor() }
        configuration.ledgerPort = 0
        configuration.solverPort = 0
        configuration.agents = false
        let logger = {
            var logger = Logger(label: "bench")
            logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
            return logger
        }()
        let network = LocalNetwork(configuration: configuration, logger: logger)
        do {
            try await network.run(signals: false) { endpoints in
                do { try await networkFigures(endpoints: endpoints, home: home, logger: logger) } catch {
                    print("  network end to end: failed: \(error)")
                }
            }
        } catch {
            print("  network end to end: failed: \(error)")
        }
    }

    private static func networkFigures(endpoints: NetworkEndpoints, home: URL, logger: Logger) async throws {
        let ledger = LedgerClient(baseURL: endpoints.ledgerURL)
        let admin = try PrivateKey(hex: DevelopmentAccounts.admin.privateKey)
        let lilypadHome = LilypadHome(path: home.path)
        var providers: [Task<Void, any Error>] = []
        defer { for provider in providers { provider.cancel() } }
        func startProvider() async throws {
            let key = PrivateKey.random()
            _ = try await ledger.send(.mint(to: key.address, amount: .lp(10_000)), key: admin)
            var configuration = ResourceProvider.Configuration(
                key: key, network: endpoints, home: lilypadHome, dataDirectory: home.appendingPathComponent("provider-\(providers.count)"),
                spec: MachineSpec(cpu: 1000, ram: 1024, disk: ByteCount(1 << 30)))
            configuration.slots = 1
            let provider = ResourceProvider(configuration: configuration, executor: try SandboxExecutor(), logger: logger)
            providers.append(Task { try await provider.run() })
            try await provider.waitUntilOffered()
        }
        func creator() async throws -> JobCreator {
            let key = PrivateKey.random()
            _ = try await ledger.send(.mint(to: key.address, amount: .lp(10_000)), key: admin)
            return JobCreator(key: key, network: endpoints, home: lilypadHome, downloads: home.appendingPathComponent("downloads"), logger: logger)
        }
        func job(_ number: Int) -> JobCreator.Job { JobCreator.Job(module: "cowsay:v0.0.4", inputs: ["Message": "benchmark \(number)"]) }
        func check(_ outcome: JobCreator.Outcome) throws {
            guard outcome.exitCode == 0 else { throw LocalNetworkError("a benchmark job failed: \(outcome.error)") }
        }

        try await startProvider()
        let single = try await creator()
        // Warm-up: builds the cowsay image and fetches the module once.
        for number in 0..<3 { try check(try await single.run(job(number)) { _ in }) }

        let clock = ContinuousClock()
        var samples: [Duration] = []
        for number in 0..<40 {
            let start = clock.now
            try check(try await single.run(job(number)) { _ in })
            samples.append(clock.now - start)
        }
        print("  cowsay end to end, JobCreator.run, 1 provider    \(percentiles(samples)) (\(samples.count) jobs)")

        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("lilypad")
        if FileManager.default.isExecutableFile(atPath: binary.path) {
            var processSamples: [Duration] = []
            for number in 0..<20 {
                let start = clock.now
                let status = try runProcess(binary, ["run", "cowsay:v0.0.4", "-i", "Message=process \(number)"], home: home)
                guard status == 0 else { throw LocalNetworkError("lilypad run exited with \(status)") }
                processSamples.append(clock.now - start)
            }
            print("  cowsay end to end, `lilypad run` process         \(percentiles(processSamples)) (\(processSamples.count) runs)")
        } else {
            print("  cowsay end to end, `lilypad run` process         skipped: build the lilypad product in the same configuration")
        }

        let creators = try await (0..<8).asyncMap { _ in try await creator() }
        for providerCount in [1, 2, 4] {
            while providers.count < providerCount { try await startProvider() }
            let perCreator = 6
            let start = clock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, creator) in creators.enumerated() {
                    group.addTask {
                        for round in 0..<perCreator { try check(try await creator.run(job(index * 100 + round)) { _ in }) }
                    }
                }
                try await group.waitForAll()
            }
            let seconds = (clock.now - start).seconds
            let jobs = creators.count * perCreator
            print(
                "  cowsay throughput, \(providerCount) provider(s) × 1 slot, 8 creators  "
                    + String(format: "%.1f jobs/s (%d jobs in %.1f s)", Double(jobs) / seconds, jobs, seconds))
        }
    }

    /// `p50 … ms, p95 … ms, min … ms` of `samples`.
    static func percentiles(_ samples: [Duration]) -> String {
        let sorted = samples.sorted()
        func milliseconds(_ q: Double) -> String {
            String(format: "%.0f", sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))].seconds * 1e3)
        }
        return "p50 \(milliseconds(0.5)) ms, p95 \(milliseconds(0.95)) ms, min \(milliseconds(0)) ms"
    }

    /// Runs `binary arguments` with `LILYPAD_HOME` = `home` (where the local network's record is),
    /// output discarded; its exit status.
    static func runProcess(_ binary: URL, _ arguments: [String], home: URL) throws -> Int32 {
        let environment = ProcessInfo.processInfo.environment.merging([
            "LILYPAD_HOME": home.path, "DATA_DIR": home.appendingPathComponent("cli").path,
        ]) { $1 }
        return try ChildProcess(binary.path, arguments, environment: environment, stdout: .null, stderr: .null).waitUntilExit().status
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
