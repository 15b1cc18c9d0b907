import ArgumentParser
import LilypadLedger

extension LilypadCommand {
    /// `lilypad pow-signal`: opens a proof-of-work round (Lilypad's operator command).
    struct PowSignal: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pow-signal",
            abstract: "Open a new proof-of-work round on the ledger (the protocol account's key only).",
            discussion: """
                Every resource provider running a proof-of-work worker then asks for its challenge, mines it and submits \
                the nonce while the round is open. On the development chain the protocol account is the admin account.
                """
        )

        @OptionGroup var key: PrivateKeyOptions
        @OptionGroup var ledger: LedgerOptions

        func run() async throws {
            let accepted = try await ledger.client.send(.powNewRound, key: try key.load())
            for event in accepted.events {
                if case .powRoundStarted(let round, let startHeight) = event {
                    print("Proof-of-work round \(round) started at block \(startHeight)")
                    return
                }
            }
            throw CLIError("the ledger accepted the transaction (block \(accepted.height)) but reported no new round")
        }
    }
}
