import AsyncHTTPClient
import Foundation
import Hummingbird
import LilypadCore
import LilypadCrypto
import LilypadExecution
import LilypadLedger
import LilypadLedgerService
import LilypadSolver
import LilypadSolverService
import Logging
import ServiceLifecycle

/// A whole Lilypad network on loopback: ledger, solver (with its results store), a resource
/// provider and a mediator, with the funded development keys. `lilypad devnet` runs it in the
/// foreground; `lilypad run` starts one inside itself when none is running.
///
/// While it runs, `<home>/devnet/network.json` says where it is, so other commands find it.
public struct LocalNetwork: Sendable {
    /// Settings.
    public struct Configuration: Sendable {
        public var home: LilypadHome
        /// 0 picks a free port.
        public var ledgerPort = 8547
        public var solverPort = 8081
        /// Resource provider slots (jobs at once).
        public var slots = 2
        /// The provider's and mediator's executor.
        public var executor: @Sendable () throws -> any Executor
        public var timeouts = Solver.Timeouts()
        /// Run a resource provider and a mediator (off: only ledger and solver).
        public var agents = true

        public init(home: LilypadHome, executor: @escaping @Sendable () throws -> any Executor) {
            self.home = home
            self.executor = executor
            // Jobs on a local network queue behind few slots: give them time to be matched.
            timeouts.matchSeconds = 600
        }
    }

    /// Where a running local network is (`<home>/devnet/network.json`).
    public struct Record: Codable, Sendable, Hashable {
        public var endpoints: NetworkEndpoints
        public var pid: Int32
    }

    public let configuration: Configuration
    public var logger: Logger

    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public var folder: String { configuration.home.path + "/devnet" }
    static func recordPath(_ home: LilypadHome) -> String { home.path + "/devnet/network.json" }

    /// The local network running on this machine, if its record is there and its solver answers.
    public static func running(home: LilypadHome) async -> NetworkEndpoints? {
        guard let data = FileManager.default.contents(atPath: recordPath(home)),
            let record = try? JSONDecoder().decode(Record.self, from: data), kill(record.pid, 0) == 0
        else { return nil }
        guard await isHealthy(record.endpoints.solverURL), await isHealthy(record.endpoints.ledgerURL) else { return nil }
        return record.endpoints
    }

    /// The endpoints of a local network on its default ports.
    public static var defaultEndpoints: NetworkEndpoints { endpoints(ledgerPort: 8547, solverPort: 8081) }

    /// The endpoints of a network started with these settings and ports.
    static func endpoints(ledgerPort: Int, solverPort: Int) -> NetworkEndpoints {
        NetworkEndpoints(
            solverURL: "http://127.0.0.1:\(solverPort)", solverAddress: Self.address(DevelopmentAccounts.solver),
            ledgerURL: "http://127.0.0.1:\(ledgerPort)", mediators: [Self.address(DevelopmentAccounts.mediator)])
    }

    static func address(_ account: DevelopmentAccounts.Account) -> EthereumAddress { (try? EthereumAddress(account.address)) ?? .zero }
    static func key(_ account: DevelopmentAccounts.Account) throws -> PrivateKey { try PrivateKey(hex: account.privateKey) }

    /// Runs the network until the task is cancelled (or SIGINT/SIGTERM with `signals`); calls
    /// `ready` with its endpoints once every service listens.
    public func run(signals: Bool, ready: @escaping @Sendable (NetworkEndpoints) async -> Void = { _ in }) async throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // One local network per home: a second one would share the databases.
        guard let lock = try FileLock.attempt(path: folder + "/devnet.lock") else {
            throw LocalNetworkError(
                "a local network is already running with home \(configuration.home.path); stop it, or use it (`lilypad run` does)")
        }
        defer { withExtendedLifetime(lock) {} }
        let ledgerPort = configuration.ledgerPort == 0 ? try LoopbackPort.free() : configuration.ledgerPort
        let solverPort = configuration.solverPort == 0 ? try LoopbackPort.free() : configuration.solverPort
        let endpoints = Self.endpoints(ledgerPort: ledgerPort, solverPort: solverPort)

        let ledger = try Ledger.open(genesis: .development, path: folder + "/ledger.sqlite")
        var solverConfiguration = Solver.Configuration(address: endpoints.solverAddress)
        solverConfiguration.timeouts = configuration.timeouts
        let solverStore = try SolverStore(path: folder + "/solver.sqlite")
        let solver = try Solver(store: solverStore, configuration: solverConfiguration)
        await solver.start()
        let audiences: Set<String> = ["127.0.0.1:\(solverPort)", "localhost:\(solverPort)"]
        var options = SolverServer.Options(verifier: RequestVerifier(windowSeconds: 30, audiences: audiences, store: solverStore))
        options.port = solverPort
        let ledgerApp = LedgerServer.application(ledger: ledger, host: "127.0.0.1", port: ledgerPort, logger: logger.labelled("ledger"))
        let solverApp = SolverServer.application(
            solver: solver, files: try SolverFiles(root: folder + "/files"), options: options, logger: logger.labelled("solver"))
        let services: [any Service] = [ledgerApp, solverApp]
        let group = ServiceGroup(configuration: .init(services: services, logger: logger))
        // Subscribed before the servers start, so that no signal falls between the two.
        let received = signals ? TerminationSignals.subscribe() : nil
        let recordPath = Self.recordPath(configuration.home)
        enum Part { case servers, agents }
        try await withThrowingTaskGroup(of: Part.self) { tasks in
            tasks.addTask {
                try await group.run()
                return .servers
            }
            tasks.addTask {
                try await Self.waitForHealth(endpoints.solverURL)
                try await Self.waitForHealth(endpoints.ledgerURL)
                let record = Record(endpoints: endpoints, pid: getpid())
                try JSONEncoder().encode(record).write(to: URL(fileURLWithPath: recordPath), options: .atomic)
                // With signals (devnet) the network runs until one arrives; without (embedded in a
                // command) it stops as soon as `ready` returns.
                if configuration.agents {
                    try await runAgents(endpoints, until: received, ready: ready)
                } else {
                    await ready(endpoints)
                    if let received { for await _ in received { break } }
                }
                return .agents
            }
            defer { try? FileManager.default.removeItem(atPath: recordPath) }
            let first: Part?
            do {
                first = try await tasks.next()
            } catch {
                await group.triggerGracefulShutdown()
                tasks.cancelAll()
                await solver.stop()
                throw error
            }
            // The agents are done (a signal came, or `ready` returned) and have withdrawn their
            // offers while the solver still answered: now the servers stop gracefully. If the
            // servers ended first, the agents are cancelled.
            if first == .servers { tasks.cancelAll() }
            await group.triggerGracefulShutdown()
            _ = try? await tasks.next()
            tasks.cancelAll()
            await solver.stop()
        }
    }

    /// The provider and mediator, until cancelled.
    /// With `signals`, they run until one arrives; without, until `ready` returns.
    private func runAgents(
        _ endpoints: NetworkEndpoints, until signals: AsyncStream<Int32>?, ready: @escaping @Sendable (NetworkEndpoints) async -> Void
    ) async throws {
        var providerConfiguration = ResourceProvider.Configuration(
            key: try Self.key(DevelopmentAccounts.resourceProvider), network: endpoints, home: configuration.home,
            dataDirectory: URL(fileURLWithPath: folder + "/resource-provider"), spec: HardwareProfile.detect().perSlot(configuration.slots))
        providerConfiguration.slots = configuration.slots
        let provider = ResourceProvider(
            configuration: providerConfiguration, executor: try configuration.executor(), logger: logger.labelled("resource-provider"))
        let mediator = Mediator(
            key: try Self.key(DevelopmentAccounts.mediator), network: endpoints, home: configuration.home,
            dataDirectory: URL(fileURLWithPath: folder + "/mediator"), executor: try configuration.executor(), logger: logger.labelled("mediator"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await provider.run() }
            tasks.addTask { await mediator.run() }
            tasks.addTask {
                try await provider.waitUntilOffered()
                await ready(endpoints)
                if let signals { for await _ in signals { break } }
            }
            try await tasks.next()
            tasks.cancelAll()
        }
    }

    static func waitForHealth(_ baseURL: String) async throws {
        for _ in 0..<400 {
            if await isHealthy(baseURL) { return }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw LocalNetworkError("\(baseURL) did not come up")
    }
}

/// Whether the service at `baseURL` answers its health check.
func isHealthy(_ baseURL: String) async -> Bool {
    var request = HTTPClientRequest(url: baseURL + "/api/v1/health")
    request.method = .GET
    guard let response = try? await HTTPClient.lilypad.execute(request, timeout: .seconds(2)) else { return false }
    return response.status == .ok
}

/// A free TCP port on 127.0.0.1 (the kernel picks it).
enum LoopbackPort {
    static func free() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw LocalNetworkError("cannot open a socket: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else { throw LocalNetworkError("cannot find a free port: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Why the local network could not start.
public struct LocalNetworkError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension Logger {
    func labelled(_ role: String) -> Logger {
        var copy = self
        copy[metadataKey: "service"] = "\(role)"
        return copy
    }
}
