import ArgumentParser
import Foundation
import LilypadAgents
import LilypadCore
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
            var logger = Logger(label: "lilypad.devnet")
            logger.logLevel = .info
            do {
                try await LocalNetwork(configuration: configuration, logger: logger).run(signals: true) { endpoints in
                    print("local network ready: solver \(endpoints.solverURL) (\(endpoints.solverAddress)), ledger \(endpoints.ledgerURL)")
                    fflush(nil)
                }
            } catch let error as LocalNetworkError {
                throw CLIError(error.description)
            }
        }
    }
}
