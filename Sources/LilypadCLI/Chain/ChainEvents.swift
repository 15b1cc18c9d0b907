import ArgumentParser
import Foundation

extension LilypadCommand.Chain {
    /// `lilypad chain events [--after H]`.
    struct Events: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the ledger's events, one JSON object per line.")

        @Option(help: "Only events of blocks after this height.")
        var after: UInt64 = 0

        @OptionGroup var ledger: LedgerOptions

        func run() async throws {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            for record in try await ledger.client.events(after: after) {
                print(String(decoding: try encoder.encode(record), as: UTF8.self))
            }
        }
    }
}
