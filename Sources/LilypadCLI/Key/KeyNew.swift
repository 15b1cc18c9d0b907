import ArgumentParser
import Foundation
import LilypadCrypto

extension LilypadCommand.Key {
    /// `lilypad key new [--json]`.
    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Generate a new account key.")

        @Flag(help: "Print {\"address\": …, \"private_key\": …} as JSON.")
        var json = false

        func run() throws {
            let key = PrivateKey.random()
            if json {
                let object = ["address": key.address.checksummed, "private_key": key.hexString]
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(object), as: UTF8.self))
            } else {
                print("Address:     \(key.address)")
                print("Private key: \(key.hexString)")
            }
            printError("Keep the private key secret: whoever has it controls the account. Use it as WEB3_PRIVATE_KEY.")
        }
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
