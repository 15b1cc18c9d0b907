import ArgumentParser
import LilypadCrypto
import LilypadLedger

extension LilypadCommand {
    /// `lilypad wallet …`: LP tokens on the ledger.
    struct Wallet: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "See and move your LP tokens.",
            discussion: "Escrow is what deals draw collateral and payment from; deposit before running jobs or providing resources.",
            subcommands: [Balance.self, Deposit.self, Withdraw.self, Transfer.self, Faucet.self]
        )
    }
}

/// Parses an LP amount for the wallet commands.
func parseLP(_ text: String) throws -> UInt256 {
    guard let amount = UInt256(lp: text) else {
        throw CLIError("invalid amount \"\(text)\": write LP with up to 18 decimals, e.g. 10 or 0.5")
    }
    return amount
}

/// Sends one action and prints where it landed.
func sendAndReport(_ action: LedgerAction, key: PrivateKey, ledger: LedgerOptions, summary: String) async throws {
    let accepted = try await ledger.client.send(action, key: key)
    print("\(summary) (block #\(accepted.height), transaction \(accepted.transactionHash))")
}
