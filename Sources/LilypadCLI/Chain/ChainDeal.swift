import ArgumentParser
import Foundation

extension LilypadCommand.Chain {
    /// `lilypad chain deal show ID`.
    struct Deal: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Inspect deals on the ledger.", subcommands: [Show.self])

        struct Show: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Print a deal's record as JSON.")

            @Argument(help: "The deal ID.")
            var id: String

            @OptionGroup var ledger: LedgerOptions

            func run() async throws {
                let record = try await ledger.client.deal(id)
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(record), as: UTF8.self))
            }
        }
    }
}
