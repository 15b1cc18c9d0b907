import ArgumentParser
import LilypadCore

extension LilypadCommand {
    /// `lilypad version`.
    struct Version: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the version.")

        func run() {
            print("Lilypad: \(LilypadVersion.current)")
            print("Protocol: Lilypad \(LilypadVersion.protocolCompatibility) wire format")
        }
    }
}
