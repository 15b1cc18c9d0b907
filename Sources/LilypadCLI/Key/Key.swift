import ArgumentParser

extension LilypadCommand {
    /// `lilypad key …`: Ethereum-compatible account keys.
    struct Key: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create accounts, and sign and verify messages with them.",
            discussion: "Keys are secp256k1, the same as Ethereum wallets: a key from MetaMask gives the same address here.",
            subcommands: [New.self, Address.self, Sign.self, Verify.self]
        )
    }
}
