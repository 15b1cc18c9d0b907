import ArgumentParser
import Foundation
import LilypadCore
import LilypadLedger

extension LilypadCommand.Chain {
    /// `lilypad chain verify`.
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replay the stored ledger from genesis and check every block.",
            discussion:
                "Checks each block's link, hash, transactions (signatures, nonces, rules) and resulting state hash. Exits 1 at the first problem."
        )

        @Option(help: "The ledger database (default: $LILYPAD_HOME/ledger/ledger.sqlite).")
        var data: String?

        func run() throws {
            let path = data ?? LilypadHome(environment: ProcessInfo.processInfo.environment).path + "/ledger/ledger.sqlite"
            guard FileManager.default.fileExists(atPath: path) else { throw CLIError("\(path): no ledger database here") }
            let (blocks, head, state) = try Ledger.verify(path: path)
            print("Verified \(blocks) blocks on chain \(state.chainID).")
            print("Head:   #\(head.height) \(head.hash)")
            print("State:  \(head.stateHash)")
            print("Supply: \(state.totalSupply.lpDescription)")
        }
    }
}
