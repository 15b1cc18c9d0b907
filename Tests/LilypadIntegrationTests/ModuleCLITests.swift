import Foundation
import Testing

/// The template and module commands, run as a user runs them.
@Suite("Template and module commands", .serialized)
struct ModuleCLITests {
    struct GoCase: Encodable {
        var name: String
        var template: String
        var data: String
        var mode = "plain"

        func encode(to encoder: any Encoder) throws {
            enum Keys: String, CodingKey { case name, template, dataText, mode }
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(name, forKey: .name)
            try container.encode(template, forKey: .template)
            try container.encode(data, forKey: .dataText)
            try container.encode(mode, forKey: .mode)
        }
    }

    struct GoResult: Decodable {
        var ok: Bool
        var output: String
    }

    @Test func templateRenderPrintsWhatGoPrints() throws {
        let cases = [
            GoCase(name: "t", template: #"{{range $i, $e := .}}{{$i}}={{printf "%05.1f|%q" $e $e}} {{end}}"#, data: "[1.5, 2, 1000000, 1e-7]"),
            GoCase(
                name: "t", template: "{{.a.b}} {{index .c 1}} {{len .c}} {{.missing}} {{js .s}} {{html .s}} {{urlquery .s}}",
                data: #"{"a": {"b": true}, "c": ["x", "y"], "s": "<it's & \"q\">"}"#),
            GoCase(
                name: "t", template: "{{define \"T\"}}[{{.}}]{{end}}{{template \"T\" .x}}{{- /* c */ -}} {{with .y}}{{.}}{{else}}none{{end}}",
                data: #"{"x": "é中🐸", "y": null}"#),
            GoCase(name: "t", template: "{{if eq .n 1}}one{{end}}", data: #"{"n": 1}"#),  // an error in Go: float64 vs int
            GoCase(name: "t", template: "{{ if .x }}", data: "{}"),  // a parse error
        ]
        let binary = try Oracle.goTemplateBinary.get()
        let answer = try Oracle.run(binary, [], stdin: try JSONEncoder().encode(cases))
        let results = try JSONDecoder().decode([GoResult].self, from: Data(answer.stdout.utf8))
        try #require(results.count == cases.count, "\(answer.stderr)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tmpl-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (index, (testCase, go)) in zip(cases, results).enumerated() {
            let file = "\(directory)/t"
            try Data(testCase.template.utf8).write(to: URL(fileURLWithPath: file))
            let ours = try Oracle.lilypad(["template", "render", file, "--values", testCase.data])
            #expect((ours.status == 0) == go.ok, "case \(index): \(ours.stderr)")
            if go.ok { #expect(ours.stdout == go.output, "case \(index)") }
        }
    }

    @Test func newModuleValidatesOnAFreshCheckout() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("newmod-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let environment = ["LILYPAD_HOME": directory + "/home"]
        let created = try Oracle.lilypad(["module", "new", "demo", "--directory", directory], environment: environment)
        #expect(created.status == 0, "\(created.stderr)")
        let validated = try Oracle.lilypad(["module", "validate", directory + "/demo"], environment: environment)
        #expect(validated.status == 0, "\(validated.stderr)")
        #expect(validated.stdout.contains("is a valid module"))
        let again = try Oracle.lilypad(["module", "new", "demo", "--directory", directory], environment: environment)
        #expect(again.status == 1 && again.stderr.contains("already exists"))
        // A module that renders to invalid JSON is refused with the reason.
        try Data(#"{"job": {{ .input }} }"#.utf8).write(to: URL(fileURLWithPath: directory + "/demo/lilypad_module.json.tmpl"))
        let broken = try Oracle.lilypad(["module", "validate", directory + "/demo"], environment: environment)
        #expect(broken.status == 1 && broken.stderr.contains("invalid module spec"))
    }

    @Test func builtinModulesRenderOffline() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("home-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: home) }
        let rendered = try Oracle.lilypad(["module", "render", "cowsay:v0.0.4", "-i", "Message=hi, \"there\""], environment: ["LILYPAD_HOME": home])
        #expect(rendered.status == 0, "\(rendered.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(rendered.stdout.utf8)) as? [String: Any]
        let job = (json?["job"] as? [String: Any])?["Spec"] as? [String: Any]
        #expect(((job?["Docker"] as? [String: Any])?["Entrypoint"] as? [String])?.last == "hi, \"there\"")
    }
}
