import ArgumentParser
import Foundation
import LilypadLedgerService
import LilypadPow
import Logging
import ServiceLifecycle

extension LilypadCommand {
    /// `lilypad pow …`: the resource provider's proof of work, on its own.
    struct Pow: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Answer the ledger's proof-of-work rounds.",
            subcommands: [Mine.self]
        )

        /// `lilypad pow mine`.
        struct Mine: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Mine every proof-of-work round on the ledger until stopped (what a resource provider runs).",
                discussion: """
                    Follows the ledger's events; for each round (and for a round already open at start) it asks for this \
                    node's challenge, searches for a nonce with keccak256(challenge ‖ nonce) < difficulty on every CPU, \
                    and submits it, logging the hash rate. Stop it with Ctrl-C or SIGTERM.
                    """
            )

            @OptionGroup var key: PrivateKeyOptions
            @OptionGroup var ledger: LedgerOptions

            @Option(help: "The node the proofs are for (default: the key's address).")
            var nodeID: String?

            @Option(help: "Mining threads (default: $NUM_WORKER, else the number of CPUs).")
            var workers: Int?

            func validate() throws {
                if let workers, !(1...PowMiner.maxWorkerCount).contains(workers) {
                    throw ValidationError("--workers must be between 1 and \(PowMiner.maxWorkerCount)")
                }
            }

            func run() async throws {
                let account = try key.load()
                let logger = Logger.command("lilypad.pow")
                let worker = PowWorker(
                    ledger: ledger.client, key: account, nodeID: nodeID ?? account.address.checksummed, miner: PowMiner(workerCount: workers),
                    logger: logger)
                try await runUntilSignalled(ServiceGroup(services: [worker], logger: logger), logger: logger)
            }
        }
    }
}
