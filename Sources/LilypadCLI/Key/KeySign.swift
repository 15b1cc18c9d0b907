import ArgumentParser
import LilypadCrypto

extension LilypadCommand.Key {
    /// `lilypad key sign --message TEXT`.
    struct Sign: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign a message as personal_sign does (EIP-191).",
            discussion: "Prints the 65-byte signature r‖s‖v as 0x-hex with v = 27 or 28, as wallets do."
        )

        @Option(help: "The message text (signed as its UTF-8 bytes).")
        var message: String

        @OptionGroup var key: PrivateKeyOptions

        func run() throws {
            print(try key.load().signPersonalMessage(Array(message.utf8)).hexString)
        }
    }
}
