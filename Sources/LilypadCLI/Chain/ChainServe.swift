import ArgumentParser
import Foundation
import LilypadCore
import LilypadLedger
import LilypadLedgerService
import Logging

extension LilypadCommand.Chain {
    /// `lilypad chain serve`.
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the ledger service.",
            discussion: """
                Without --genesis it runs Lilypad's local development chain (ID 412346): the development accounts \
                are funded and the faucet is on. The chain is kept in --data and continues from its last block on restart.
                """
        )

        @Option(help: "Address to listen on.")
        var host = "127.0.0.1"

        @Option(help: "Port to listen on.")
        var port = 8547

        @Option(help: "The ledger database (default: $LILYPAD_HOME/ledger/ledger.sqlite).")
        var data: String?

        @Option(help: "A genesis JSON file (default: the development chain).")
        var genesis: String?

        func run() async throws {
            let path = data ?? LilypadHome(environment: ProcessInfo.processInfo.environment).path + "/ledger/ledger.sqlite"
            let genesis = try loadGenesis()
            let ledger = try Ledger.open(genesis: genesis, path: path)
            let head = await ledger.head
            let logger = Logger.command("lilypad.ledger")
            logger.info("ledger ready", metadata: ["chain": "\(genesis.chainID)", "height": "\(head.height)", "data": "\(path)"])
            let app = LedgerServer.application(ledger: ledger, host: host, port: port, logger: logger)
            try await app.runService()
        }

        func loadGenesis() throws -> LedgerGenesis {
            guard let genesis else { return .development }
            guard let data = FileManager.default.contents(atPath: genesis) else { throw CLIError("\(genesis): no such file") }
            do { return try JSONDecoder().decode(LedgerGenesis.self, from: data) } catch {
                throw CLIError("\(genesis) is not a ledger genesis: \(error)")
            }
        }
    }
}
