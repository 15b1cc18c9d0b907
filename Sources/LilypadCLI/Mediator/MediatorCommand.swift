import ArgumentParser
import Foundation
import LilypadAgents
import LilypadCore
import Logging

extension LilypadCommand {
    /// `lilypad mediator`.
    struct MediatorCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "mediator",
            abstract: "Re-run checked deals' jobs and rule on their results on the ledger.",
            discussion: """
                The mediator's key is WEB3_PRIVATE_KEY. A deal is re-run from the same module commit and inputs when its \
                job creator checks it and this mediator was drawn for it; the results must have the same CID (deterministic \
                jobs) for the provider to be paid, otherwise the job creator is refunded and the provider's results collateral slashed.
                """
        )

        @Option(help: "Where re-runs are kept (default: $LILYPAD_HOME/mediator).")
        var dataDir: String?

        @OptionGroup var key: PrivateKeyOptions
        @OptionGroup var network: NetworkOptions
        @OptionGroup var executorOptions: ExecutorOptions

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            let home = LilypadHome(environment: environment)
            let logger = Logger.command("lilypad.mediator", environment: environment)
            let mediator = Mediator(
                key: try key.load(), network: try await network.existing(), home: home,
                dataDirectory: URL(fileURLWithPath: dataDir ?? home.path + "/mediator"), executor: try executorOptions.makeExecutor(), logger: logger)
            try await runUntilSignalled(logger: logger) { await mediator.run() }
        }
    }
}
