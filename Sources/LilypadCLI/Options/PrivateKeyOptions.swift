import ArgumentParser
import Foundation
import LilypadCrypto

/// `--private-key` (or Lilypad's `--web3-private-key`), falling back to `WEB3_PRIVATE_KEY` as in Lilypad.
struct PrivateKeyOptions: ParsableArguments {
    static let environmentVariable = "WEB3_PRIVATE_KEY"

    @Option(
        name: [.customLong("private-key"), .customLong("web3-private-key")],
        help: "The account's private key, 64 hex digits (default: $WEB3_PRIVATE_KEY).")
    var privateKey: String?

    /// The key, from the flag or the environment.
    func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> PrivateKey {
        guard let text = privateKey ?? environment[Self.environmentVariable], !text.isEmpty else {
            throw CryptoError.missingPrivateKey(environmentVariable: Self.environmentVariable)
        }
        return try PrivateKey(hex: text)
    }
}
