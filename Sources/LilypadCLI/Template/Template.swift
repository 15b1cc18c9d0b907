import ArgumentParser
import Foundation
import LilypadTemplate

extension LilypadCommand {
    /// `lilypad template …`.
    struct Template: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Work with Go text/template files.",
            subcommands: [Render.self]
        )

        /// `lilypad template render FILE --values JSON`.
        struct Render: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Render a template exactly as Go's text/template does.",
                discussion: """
                    Prints exactly what Go's text/template prints for the template and data (no Lilypad input \
                    encoding). JSON numbers are float64, as Go's encoding/json gives them. On a parse or execution \
                    error it prints the error, with line and column, and exits 1.
                    """
            )

            @Argument(help: "The template file.")
            var file: String

            @Option(help: "The data, as JSON (default: null).")
            var values = "null"

            func run() throws {
                guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
                    throw CLIError("\(file): no such file, or not UTF-8 text")
                }
                let value: TemplateValue
                do { value = try TemplateValue(json: Data(values.utf8)) } catch { throw CLIError("--values is not valid JSON: \(error)") }
                let template = try GoTemplate(name: (file as NSString).lastPathComponent, parsing: text)
                FileHandle.standardOutput.write(Data(try template.executeBytes(value)))
            }
        }
    }
}
