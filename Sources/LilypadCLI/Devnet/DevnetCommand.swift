import ArgumentParser
import Foundation
import LilypadAgents
import LilypadAnura
import LilypadCore
import LilypadCrypto
import Logging

extension LilypadCommand {
    /// `lilypad devnet`: the whole network on this machine.
    struct DevnetCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "devnet",
            abstract: "Run a local network: ledger, solver, a resource provider and a mediator, with funded development keys.",
            discussion: """
                Listens on 127.0.0.1. While it runs, `lilypad run` (and `-n local`) uses it. Its data stays in \
                $LILYPAD_HOME/devnet between runs. Stop it with Ctrl-C.
                """
        )

        @Option(help: "The ledger's port.")
        var ledgerPort = 8547

        @Option(help: "The solver's port.")
        var solverPort = 8081

        @Option(help: "Jobs the resource provider runs at once.")
        var slots = 2

        @Option(help: "Seconds a job offer may wait for a match.")
        var timeoutMatch = 600

        @Option(help: "Seconds a provider gets after a job's execution timeout to report.")
        var timeoutExecutionGrace = 15

        @Flag(help: "Run only the ledger and the solver (start providers and mediators separately).")
        var servicesOnly = false

        @Option(help: "Also serve Anura, the OpenAI-compatible API, on this port (0: off), paid by the development job creator.")
        var anuraPort = 0

        @OptionGroup var executorOptions: ExecutorOptions

        func run() async throws {
            var configuration = LocalNetwork.Configuration(
                home: LilypadHome(environment: ProcessInfo.processInfo.environment),
                executor: { [executorOptions] in try executorOptions.makeExecutor() })
            configuration.ledgerPort = ledgerPort
            configuration.solverPort = solverPort
            configuration.slots = slots
            configuration.agents = !servicesOnly
            configuration.timeouts.matchSeconds = timeoutMatch
            configuration.timeouts.executionGraceSeconds = timeoutExecutionGrace
            let logger = Logger.command("lilypad.devnet")
            let (ready, announce) = AsyncStream<NetworkEndpoints>.makeStream()
            let network = LocalNetwork(configuration: configuration, logger: logger)
            let (anura, home, log) = (anuraPort, configuration.home, logger)
            do {
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask {
                        try await network.run(signals: true) { endpoints in
                            print("local network ready: solver \(endpoints.solverURL) (\(endpoints.solverAddress)), ledger \(endpoints.ledgerURL)")
                            fflush(nil)
                            announce.yield(endpoints)
                        }
                    }
                    if anura > 0 {
                        tasks.addTask {
                            for await endpoints in ready {
                                try await Self.serveAnura(port: anura, endpoints: endpoints, home: home, logger: log)
                                return
                            }
                        }
                    }
                    // The network ends on a signal; the gateway with it.
                    try await tasks.next()
                    tasks.cancelAll()
                }
            } catch let error as LocalNetworkError {
                throw CLIError(error.description)
            }
        }

        /// Anura on the local network, paying with the development job creator's account.
        static func serveAnura(port: Int, endpoints: NetworkEndpoints, home: LilypadHome, logger: Logger) async throws {
            var configuration = AnuraGateway.Configuration(
                network: endpoints, home: home,
                downloads: URL(fileURLWithPath: home.path + "/devnet/anura/downloaded-files"),
                accounts: [try PrivateKey(hex: DevelopmentAccounts.jobCreator.privateKey)])
            configuration.port = port
            let gateway = AnuraGateway(
                configuration: configuration, keys: try LilypadCommand.Anura.keyStore(nil, home: home, fastCommits: true), logger: logger)
            print("anura ready: http://127.0.0.1:\(port)/api/v1 (create a key with `lilypad anura key create`)")
            fflush(nil)
            try await serveUntilSignalled(gateway.application(), logger: logger)
        }
    }
}
