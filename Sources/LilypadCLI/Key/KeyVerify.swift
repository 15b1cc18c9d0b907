import ArgumentParser
import LilypadCrypto

extension LilypadCommand.Key {
    /// `lilypad key verify --address A --message TEXT --signature S`.
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that an address signed a message with personal_sign (EIP-191).",
            discussion: "Exits 0 and prints the signer when the signature is valid; exits 1 with the reason otherwise."
        )

        @Option(help: "The expected signer, 0x followed by 40 hex digits.")
        var address: String

        @Option(help: "The message text that was signed.")
        var message: String

        @Option(help: "The 65-byte signature as 0x-hex (v = 0, 1, 27 or 28).")
        var signature: String

        func run() throws {
            let expected = try EthereumAddress(address)
            let parsed = try RecoverableSignature(hex: signature)
            try parsed.verifyPersonalMessage(Array(message.utf8), signer: expected)
            print("Valid signature by \(expected)")
        }
    }
}
