import ArgumentParser
import Foundation
import LilypadAgents
import LilypadExecution
import LilypadModules

extension LilypadCommand.Module {
    /// `lilypad module run --local REF [-i k=v ...]`.
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a module on this machine, sandboxed as a resource provider would run it.",
            discussion: """
                Renders the module with the inputs, provisions its image (built-in images are built, others pulled) and \
                runs the job. Its stdout and stderr stream here; the results folder gets stdout, stderr, exitCode and \
                outputs/, as `lilypad run` downloads them. Exits with the job's exit code (125: it could not start).
                """
        )

        @Argument(help: "The module: NAME:REF, HOST/OWNER/REPO:REF, GIT-URL:REF or a local folder.")
        var module: String

        @Option(name: [.customShort("i"), .customLong("input")], help: "An input, KEY=VALUE (repeatable; the value may contain commas and '=').")
        var inputs: [String] = []

        @Flag(help: "Run here rather than on the network (the only mode of this command; `lilypad run` uses the network).")
        var local = false

        @OptionGroup var executorOptions: ExecutorOptions

        @Option(help: "Results folder (default: results/<module>-<time>).")
        var results: String?

        @Flag(name: .customLong("allow-network"), help: "Give the job the host's network if the module asks for network access.")
        var allowNetwork = false

        func validate() throws {
            guard local else {
                throw ValidationError("pass --local to run the module on this machine; `lilypad run` runs it on the network")
            }
        }

        func run() async throws {
            let request: ExecutionRequest
            let executor: any Executor
            let folder: URL
            do {
                executor = try executorOptions.makeExecutor()
                let loaded = try makeModuleLoader().load(try ModuleReference(parsing: module))
                let rendered = try ModuleRenderer.render(loaded, inputs: try ModuleInputs.parse(inputs))
                for warning in rendered.spec.warnings { printError("warning: \(warning)") }
                let image = try await LilypadCommand.ExecCommand.image(named: rendered.spec.image)
                let name = module.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).joined(separator: "-")
                folder = URL(fileURLWithPath: results ?? "results/\(name)-\(Int(Date().timeIntervalSince1970))").standardizedFileURL
                request = try ModuleJob.request(
                    for: rendered.spec, image: image, name: "module-\(getpid())", outputsDirectory: folder.appendingPathComponent("outputs"),
                    allowNetwork: allowNetwork)
            } catch {
                printError("Error: \(error)")
                throw ExitCode(125)
            }
            let result = try await LilypadCommand.ExecCommand.run(request, on: executor)
            do { try ModuleRunner.writeResults(result, to: folder) } catch {
                printError("Error: cannot write the results to \(folder.path): \(error.localizedDescription)")
            }
            LilypadCommand.ExecCommand.report(result, of: request)
            printError("Results: \(folder.path)")
            throw ExitCode(result.exitCode)
        }
    }
}
