import ArgumentParser

extension LilypadCommand {
    /// `lilypad chain …`: the settlement ledger.
    struct Chain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run, verify and inspect the settlement ledger.",
            subcommands: [Serve.self, Verify.self, Genesis.self, Deal.self, Events.self]
        )
    }
}
