import Foundation
import LilypadTemplate
import Testing

@testable import LilypadModules

@Suite("Module rendering")
struct ModuleRendererTests {
    static func builtin(_ name: String, _ version: String) throws -> String {
        let root = try #require(BuiltinModules.sourceRoot)
        return try String(contentsOfFile: "\(root)/\(name)/\(version)/lilypad_module.json.tmpl", encoding: .utf8)
    }

    /// Template shapes of real Lilypad modules (reference §4.3, the seed docs).
    static let sdxl = #"""
        {"machine": {"gpu": 1, "cpu": 8000, "ram": 16000},
         "job": {"APIVersion": "V1beta1", "Spec": {"Engine": "Docker",
           "Docker": {"Image": "ghcr.io/lilypad-tech/sdxl@sha256:0000000000000000000000000000000000000000000000000000000000000000",
             "EnvironmentVariables": [
               {{ if .Prompt }}"{{ subst "PROMPT=%s" .Prompt }}"{{ else }}"PROMPT=a frog"{{ end }},
               {{ if .Seed }}"{{ subst "SEED=%s" .Seed }}"{{ else }}"SEED=42"{{ end }}]},
           "Outputs": [{"Name": "outputs", "Path": "/outputs"}], "Resources": {"GPU": "1"}, "Timeout": 1800}}}
        """#
    static let sentiment = #"""
        {"machine": {"gpu": 0, "cpu": 1000, "ram": 2000},
         "job": {"APIVersion": "V1beta1", "Spec": {"Engine": "Docker",
           "Docker": {"Image": "devlinrocha/lilypad-module-sentiment:latest",
             "EnvironmentVariables": [{{ if .input }}"INPUT={{ js .input }}"{{ else }}"INPUT=default"{{ end }}]},
           "Outputs": [{"Name": "outputs", "Path": "/outputs"}], "Timeout": 600}}}
        """#
    static let concat = #"""
        {"machine": {"gpu": 0, "cpu": 1000, "ram": 100},
         "inputFiles": {"required": ["a.txt"], "optional": ["b.txt"]},
         "job": {"APIVersion": "V1beta1", "Spec": {"Engine": "Docker",
           "Docker": {"Image": "alpine:3.19", "Entrypoint": ["/bin/sh", "-c", "cat /inputs/* > /outputs/out.txt",
             {{ if .separator }}{{ .separator }}{{ else }}"\n"{{ end }}]},
           "Outputs": [{"Name": "outputs", "Path": "/outputs"}], "Timeout": 60}}}
        """#

    static let ordinary = ["hello", "a frog in space", "42", "hello, lilypad", "Moo!"]
    static let hostile = [
        "\"", "\\", "'", "\n", "say \"hi\"", "it's", "back\\slash\\", "line1\nline2\r\n\ttab", "{{ .Message }}", "}}{{", "%s %d %%",
        "\", \"injected\": \"yes", "</script><b>&amp;</b>", "\u{2028}\u{2029}", "émoji 🐸 中文", "\u{0}\u{1}\u{1f}",
        String(repeating: "long \"quoted\" text ", count: 600),
    ]

    @Test func ordinaryInputsRenderExactlyAsLilypad() throws {
        let templates = [
            ("cowsay", try Self.builtin("cowsay", "v0.0.4"), "Message"), ("lilysay", try Self.builtin("lilysay", "0.1.0"), "Message"),
            ("sdxl", Self.sdxl, "Prompt"), ("sentiment", Self.sentiment, "input"), ("concat", Self.concat, "separator"),
        ]
        for (name, template, key) in templates {
            for input in Self.ordinary + [""] {
                let inputs = input.isEmpty ? [:] : [key: input]
                let safe = try LilypadRendering.renderSafely(template: template, name: name, inputs: inputs)
                let lilypad = try LilypadRendering.render(template: template, name: name, inputs: inputs)
                #expect(safe == lilypad, "\(name) with \(input.debugDescription)")
                _ = try ModuleRenderer.render(template: template, name: name, inputs: inputs)
            }
        }
    }

    @Test(arguments: hostile)
    func hostileInputsArriveIntact(input: String) throws {
        // cowsay: the JSON-encoded value is an Entrypoint argument.
        let cowsay = try ModuleRenderer.render(template: try Self.builtin("cowsay", "v0.0.4"), name: "cowsay", inputs: ["Message": input])
        #expect(cowsay.spec.entrypoint == ["/usr/games/cowsay", input])
        // lilysay and sdxl: subst into environment variables (Lilypad v2 produced invalid JSON on a quote).
        let lilysay = try ModuleRenderer.render(
            template: try Self.builtin("lilysay", "0.1.0"), name: "lilysay", inputs: ["Message": input, "Image": input])
        #expect(lilysay.spec.environment.first { $0.name == "MESSAGE" }?.value == input)
        #expect(lilysay.spec.environment.first { $0.name == "IMAGE" }?.value == input)
        let sdxl = try ModuleRenderer.render(template: Self.sdxl, name: "sdxl", inputs: ["Prompt": input, "Seed": "7"])
        #expect(sdxl.spec.environment.map(\.name) == ["PROMPT", "SEED"])
        #expect(sdxl.spec.environment.first?.value == input)
        // sentiment: js keeps Lilypad's quirk of passing the JSON string literal (quotes included); an
        // apostrophe no longer breaks the JSON, and the literal decodes back to the input.
        let sentiment = try ModuleRenderer.render(template: Self.sentiment, name: "sentiment", inputs: ["input": input])
        let literal = try #require(sentiment.spec.environment.first?.value)
        #expect(try JSONDecoder().decode(String.self, from: Data(literal.utf8)) == input)
        let concat = try ModuleRenderer.render(template: Self.concat, name: "concat", inputs: ["separator": input])
        #expect(concat.spec.entrypoint.last == input)
    }

    @Test func inputNamesAreFound() {
        #expect(ModuleRenderer.inputNames(in: Self.sdxl) == ["Prompt", "Seed"])
        #expect(ModuleRenderer.inputNames(in: #"{{ $x := .A }}{{ $x.B }}{{ (index . "c").D }}{{ .E.F }}"#) == ["A", "E"])
    }

    @Test func renderErrorsSayWhereAndWhy() {
        let error = #expect(throws: ModuleError.self) {
            try ModuleRenderer.render(template: "{\n  {{ if .x }}\n}", name: "broken", inputs: [:])
        }
        #expect(error?.description.contains("broken") == true)
        let missing = #expect(throws: ModuleError.self) {
            try ModuleRenderer.render(template: #"{"job": {{ .Missing }}}"#, name: "m", inputs: [:])
        }
        #expect(missing?.description.contains("not valid JSON") == true)
    }
}
