import ArgumentParser
import Foundation
import LilypadModules

extension LilypadCommand.Module {
    /// `lilypad module new NAME`.
    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a new module project, as create-lilypad-module does.",
            discussion:
                "Writes a template, a Dockerfile, an inference script, a model download script, helper scripts and a README, then validates the template."
        )

        @Argument(help: "The module's name (lower-case letters, digits, '-' and '_').")
        var name: String

        @Option(help: "Where to create it (default: the current folder).")
        var directory = "."

        func run() throws {
            let root = try ModuleScaffold.create(name: name, in: directory)
            let loaded = try makeModuleLoader().load(.localDirectory(path: root))
            _ = try ModuleRenderer.render(loaded, inputs: [:])
            print("Created \(root)")
            print("")
            print("  cd \(root)")
            print("  lilypad module validate .")
            print("  lilypad module render . -i input=\"hello\"")
        }
    }
}
