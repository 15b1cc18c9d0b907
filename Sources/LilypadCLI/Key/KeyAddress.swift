import ArgumentParser
import LilypadCrypto

extension LilypadCommand.Key {
    /// `lilypad key address [--private-key HEX]`.
    struct Address: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the EIP-55 address of a private key.")

        @OptionGroup var key: PrivateKeyOptions

        func run() throws {
            print(try key.load().address)
        }
    }
}
