import ArgumentParser
import LilypadModules

extension LilypadCommand.Module {
    /// `lilypad module validate DIR`.
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that a module folder renders to a valid job spec.",
            discussion: """
                Renders the template with no inputs, with ordinary inputs, and with hostile ones (quotes, \
                backslashes, apostrophes, newlines, template syntax) for every input it reads, and validates each result.
                """
        )

        @Argument(help: "The module folder (default: the current folder).")
        var directory = "."

        static let probes = ["hello", "a \"quoted\" 'word' with \\ back\\slash", "line one\nline two\t{{ .x }}", "<b>&amp;</b> \u{2028} émoji 🐸"]

        func run() throws {
            let path = directory.hasPrefix("/") || directory.hasPrefix(".") ? directory : "./" + directory
            let loaded = try makeModuleLoader().load(try ModuleReference(parsing: path))
            let names = ModuleRenderer.inputNames(in: loaded.template)
            let base = try ModuleRenderer.render(loaded, inputs: [:])
            for probe in Self.probes {
                let inputs = Dictionary(uniqueKeysWithValues: names.map { ($0, probe) })
                _ = try ModuleRenderer.render(loaded, inputs: inputs)
            }
            for warning in base.spec.warnings { printError("warning: \(warning)") }
            let spec = base.spec
            print("✓ \(loaded.directory) is a valid module")
            print("  image:   \(spec.image)")
            print("  machine: \(spec.machine.cpu) CPU, \(spec.machine.ram) RAM, \(spec.machine.gpu) GPU")
            print("  inputs:  \(names.isEmpty ? "none" : names.joined(separator: ", "))")
            print("  network: \(spec.network), timeout: \(spec.timeoutSeconds.map { "\($0) s" } ?? "provider default")")
        }
    }
}
