import Foundation
import LilypadTemplate
import Testing

/// Key text/template behaviours, with the outputs Go 1.23 produces.
@Suite("Go templates")
struct GoTemplateTests {
    func render(_ text: String, _ data: TemplateValue = [:]) throws -> String {
        try GoTemplate(name: "t", parsing: text).execute(data)
    }

    @Test(arguments: [
        (1_000_000.0, "1e+06"), (100_000.0, "100000"), (123_456_789.0, "1.23456789e+08"), (1.5, "1.5"), (0.1, "0.1"),
        (1e21, "1e+21"), (0.0001, "0.0001"), (0.00001, "1e-05"), (-0.0, "-0"), (Double.leastNonzeroMagnitude, "5e-324"), (3.0, "3"),
        (12_345_678_901_234_567_890.0, "1.2345678901234567e+19"),
    ])
    func numbersPrintLikeGoFloat64(value: Double, expected: String) throws {
        #expect(try render("{{.}}", .number(value)) == expected)
    }

    @Test func missingKeysAndNilsPrintAsGoDoes() throws {
        #expect(
            try render("{{.missing}}|{{print .missing}}|{{.n}}|{{print .n}}|{{.m.x}}", ["n": nil]) == "<no value>|<nil>|<no value>|<nil>|<no value>")
    }

    @Test func containersPrintWithSortedKeys() throws {
        let data: TemplateValue = ["b": [1, "two", nil, true], "a": ["é": 1.5, "e": [:]]]
        #expect(try render("{{.}}", data) == "map[a:map[e:map[] é:1.5] b:[1 two <nil> true]]")
    }

    @Test func trimMarkersNeedTheirSpace() throws {
        #expect(try render("a  {{- 1 -}}  b {{-2}} {{3 -}}  c") == "a1b -2 3c")
    }

    @Test func controlStructures() throws {
        let data: TemplateValue = ["list": [1, 2, 3, 4], "m": ["b": 2, "a": 1], "empty": []]
        #expect(try render("{{range .list}}{{if eq . 2.0}}{{continue}}{{end}}{{if eq . 4.0}}{{break}}{{end}}{{.}}{{end}}", data) == "13")
        #expect(try render("{{range $k, $v := .m}}{{$k}}={{$v}};{{end}}", data) == "a=1;b=2;")
        #expect(try render("{{range .empty}}x{{else}}none{{end}}", data) == "none")
        #expect(try render("{{with .nope}}x{{else with .m.a}}{{.}}{{end}}", data) == "1")
        #expect(try render("{{if .nope}}a{{else if .list}}b{{end}}", data) == "b")
        #expect(try render("{{define \"x\"}}[{{.}}]{{end}}{{template \"x\" .m.b}}{{block \"y\" 5}}<{{.}}>{{end}}", data) == "[2]<5>")
        #expect(try render("{{$x := 1}}{{range .list}}{{$x = .}}{{end}}{{$x}}", data) == "4")
    }

    @Test func rangeOverAnIntegerIsAnErrorInGo123() {
        #expect(throws: TemplateError.self) { try render("{{range 3}}x{{end}}") }
    }

    @Test func comparingAnIntegerConstantWithJSONNumberFails() throws {
        #expect(throws: TemplateError.self) { try render("{{eq 1 .x}}", ["x": 1]) }
        #expect(try render("{{eq 1.0 .x}} {{lt .x 2.0}}", ["x": 1]) == "true true")
    }

    @Test func escapers() throws {
        #expect(try render(#"{{html "<a href='x'>&"}}"#) == "&lt;a href=&#39;x&#39;&gt;&amp;")
        #expect(try render(#"{{js "it's <b>=\n"}}"#) == #"it\'s \u003Cb\u003E\u003D\u000A"#)
        #expect(try render(#"{{urlquery "a b&c/é"}}"#) == "a+b%26c%2F%C3%A9")
    }

    @Test func sliceReachesIntoCapacityLikeGo() throws {
        // Go's JSON decoder leaves a 3-element slice with capacity 4.
        let data = try TemplateValue(json: Data("[1,2,3]".utf8))
        #expect(try GoTemplate(parsing: "{{slice . 0 4}}").execute(data) == "[1 2 3 <nil>]")
        #expect(throws: TemplateError.self) { try GoTemplate(parsing: "{{slice . 0 5}}").execute(data) }
    }

    @Test func invalidUTF8IsKeptAsBytes() throws {
        let template = try GoTemplate(parsing: #"{{slice "é" 0 1}}{{"\xff"}}"#)
        #expect(try template.executeBytes(.null) == [0xC3, 0xFF])
        #expect(try template.execute(.null) == "\u{FFFD}\u{FFFD}")
    }

    @Test func deepParenthesesParse() throws {
        let depth = 3000
        #expect(try render("{{" + String(repeating: "(", count: depth) + "1" + String(repeating: ")", count: depth) + "}}") == "1")
    }

    @Test func templatesRunConcurrently() async throws {
        let template = try GoTemplate(parsing: "{{range .}}{{.}}{{end}}")
        try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<8 {
                group.addTask { try template.execute([.integer(index), "x"]) }
            }
            var outputs: [String] = []
            for try await output in group { outputs.append(output) }
            #expect(outputs.sorted() == (0..<8).map { "\($0)x" })
        }
    }

    @Test func customFunctions() throws {
        var functions = TemplateFunctions()
        functions["shout"] = TemplateFunctions.Function(parameters: [.string]) { arguments throws(TemplateFunctionError) in
            guard case .string(let text) = arguments[0] else { throw TemplateFunctionError("not a string") }
            return .string(text.uppercased() + "!")
        }
        let template = try GoTemplate(parsing: "{{shout .a}} {{.a | shout}}", functions: functions)
        #expect(try template.execute(["a": "hi"]) == "HI! HI!")
        #expect(throws: TemplateError.self) { try template.execute(["a": 1]) }
        #expect(throws: TemplateError.self) { try GoTemplate(parsing: "{{shout 1}}", functions: functions).execute(.null) }
    }
}
