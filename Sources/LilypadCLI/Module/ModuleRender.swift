import ArgumentParser
import LilypadModules

extension LilypadCommand.Module {
    /// `lilypad module render REF [-i k=v ...]`.
    struct Render: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the job spec a module renders to with these inputs.",
            discussion: "Fetches the module, renders its template with the inputs (JSON-encoded, as on Lilypad), validates the result and prints it."
        )

        @Argument(help: "The module: NAME:REF, HOST/OWNER/REPO:REF, GIT-URL:REF or a local folder.")
        var module: String

        @Option(name: [.customShort("i"), .customLong("input")], help: "An input, KEY=VALUE (repeatable; the value may contain commas and '=').")
        var inputs: [String] = []

        func run() throws {
            let loaded = try makeModuleLoader().load(try ModuleReference(parsing: module))
            let rendered = try ModuleRenderer.render(loaded, inputs: try ModuleInputs.parse(inputs))
            for warning in rendered.spec.warnings { printError("warning: \(warning)") }
            print(rendered.text, terminator: rendered.text.hasSuffix("\n") ? "" : "\n")
        }
    }
}
