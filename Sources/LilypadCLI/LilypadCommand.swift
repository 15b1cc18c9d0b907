import ArgumentParser

/// The root `lilypad` command.
public struct LilypadCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "lilypad",
        abstract: "Lilypad: run containerised jobs on a decentralised compute network.",
        subcommands: [
            Version.self, Key.self, CIDCommand.self, IDCommand.self, Template.self, Module.self, Image.self, ExecCommand.self, SolverCommand.self,
            Chain.self, Wallet.self, Pow.self, PowSignal.self,
        ]
    )

    public init() {}
}
