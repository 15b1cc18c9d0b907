import ArgumentParser
import Foundation
import LilypadLedger

extension LilypadCommand.Chain {
    /// `lilypad chain genesis`.
    struct Genesis: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the development chain's genesis as JSON, to edit and pass to `chain serve --genesis`.",
            discussion: "Amounts are in wei (1 LP = 10^18). Set mintingEnabled to false on any network whose tokens mean something."
        )

        func run() throws {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(LedgerGenesis.development), as: UTF8.self))
        }
    }
}
