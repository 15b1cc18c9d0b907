import ArgumentParser

/// The root `lilypad` command.
public struct LilypadCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "lilypad",
        abstract: "Lilypad: run containerised jobs on a decentralised compute network.",
        subcommands: [
            Version.self, RunCommand.self, DevnetCommand.self, ResourceProviderCommand.self, MediatorCommand.self, SolverCommand.self, Key.self,
            CIDCommand.self, IDCommand.self, Template.self, Module.self, Image.self, ExecCommand.self, Chain.self, Wallet.self, Pow.self,
            PowSignal.self, Anura.self,
        ]
    )

    public init() {}
}
