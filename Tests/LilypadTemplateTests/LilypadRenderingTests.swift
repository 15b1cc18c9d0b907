import Foundation
import LilypadTemplate
import Testing

/// Lilypad's module rendering: JSON-encoded inputs and `subst`.
@Suite("Lilypad rendering")
struct LilypadRenderingTests {
    static let cowsay = #""Entrypoint": ["/usr/local/bin/cowsay", {{ if .Message }}{{ .Message }}{{ else }}"Moo..."{{ end }}]"#

    @Test(arguments: [
        ("hello", #""Entrypoint": ["/usr/local/bin/cowsay", "hello"]"#),
        ("a \"quote\" <b>&", #""Entrypoint": ["/usr/local/bin/cowsay", "a \"quote\" \u003cb\u003e\u0026"]"#),
        ("line\nbreak\u{2028}", #""Entrypoint": ["/usr/local/bin/cowsay", "line\nbreak\u2028"]"#),
        ("", #""Entrypoint": ["/usr/local/bin/cowsay", """#),
    ])
    func inputsAreJSONEncodedFirst(message: String, expected: String) throws {
        // An empty input is still the non-empty string `""`, so the default is not used.
        let rendered = try LilypadRendering.render(template: Self.cowsay, name: "cowsay", inputs: ["Message": message])
        #expect(rendered == (message.isEmpty ? expected + "]" : expected))
    }

    @Test func missingInputsTakeTheElseBranch() throws {
        let rendered = try LilypadRendering.render(template: Self.cowsay, name: "cowsay", inputs: [:])
        #expect(rendered == #""Entrypoint": ["/usr/local/bin/cowsay", "Moo..."]"#)
    }

    @Test func substDecodesItsInputs() throws {
        let template = #"{{ if .Prompt }}"{{ subst "PROMPT=%s" .Prompt }}"{{ else }}"PROMPT=a frog"{{ end }}"#
        #expect(try LilypadRendering.render(template: template, name: "sdxl", inputs: ["Prompt": "a <b> \"toad\""]) == #""PROMPT=a <b> "toad"""#)
        #expect(try LilypadRendering.render(template: template, name: "sdxl", inputs: [:]) == #""PROMPT=a frog""#)
    }

    @Test func substRejectsArgumentsThatAreNotJSONStrings() {
        #expect(throws: TemplateError.self) {
            try LilypadRendering.render(template: #"{{ subst "%s" "raw" }}"#, name: "m", inputs: [:])
        }
        #expect(throws: TemplateError.self) {
            try LilypadRendering.render(template: #"{{ subst "%s" .Missing }}"#, name: "m", inputs: [:])
        }
    }

    @Test(arguments: [
        ("<>&", #""\u003c\u003e\u0026""#), ("\u{8}\u{c}\n\r\t", #""\b\f\n\r\t""#), ("\u{1}\u{7f}", "\"\\u0001\u{7f}\""),
        ("\u{2028}\u{2029}", #""\u2028\u2029""#), ("é🐸", "\"é🐸\""),
    ])
    func jsonEncodingMatchesGo(input: String, expected: String) {
        #expect(LilypadRendering.jsonEncode(input) == expected)
    }
}
