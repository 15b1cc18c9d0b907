import LilypadTemplate
import Testing

/// Error positions and texts, checked against what Go 1.23 prints for the same templates.
@Suite("Template errors")
struct TemplateErrorTests {
    struct Expectation: Sendable, CustomTestStringConvertible {
        var template: String
        var data: TemplateValue
        var kind: TemplateError.Kind
        var line: Int
        var column: Int?
        var description: String

        var testDescription: String { String(reflecting: template) }
    }

    static let expectations: [Expectation] = [
        Expectation(template: "a\nb\n{{if}}{{end}}", data: [:], kind: .parse, line: 3, description: "template: t:3: missing value for if"),
        Expectation(
            template: "line1\nline2 {{ .a.b.c }}", data: ["a": ["b": "s"]], kind: .execution, line: 2, column: 11,
            description: #"template: t:2:11: executing "t" at <.a.b.c>: can't evaluate field c in type interface {}"#),
        Expectation(
            template: "{{define \"d\"}}\n\n  {{.x.y}}{{end}}{{template \"d\" .}}", data: ["x": 1], kind: .execution, line: 3, column: 6,
            description: #"template: t:3:6: executing "d" at <.x.y>: can't evaluate field y in type interface {}"#),
        Expectation(template: "{{if 1}}\n{{.a\n}}", data: [:], kind: .parse, line: 3, description: "template: t:3: unexpected EOF"),
        Expectation(
            template: "{{if 1}}\n\n{{\"unterminated\n}}{{end}}", data: [:], kind: .parse, line: 3,
            description: "template: t:3: unterminated quoted string"),
        Expectation(
            template: "x\n{{ 1 |\n printf \"%d\" (\n len \"ab\" 3) }}", data: [:], kind: .execution, line: 4, column: 1,
            description: #"template: t:4:1: executing "t" at <len>: wrong number of args for len: want 1 got 2"#),
        Expectation(
            template: "{{.a}}\n{{index .a 5}}", data: ["a": [1]], kind: .execution, line: 2, column: 2,
            description: #"template: t:2:2: executing "t" at <index .a 5>: error calling index: index out of range: 5"#),
        // Columns count bytes, as Go's do: "é" is two.
        Expectation(
            template: "é{{.a.b}}", data: ["a": 1], kind: .execution, line: 1, column: 6,
            description: #"template: t:1:6: executing "t" at <.a.b>: can't evaluate field b in type interface {}"#),
        Expectation(template: "{{foo}}", data: [:], kind: .parse, line: 1, description: #"template: t:1: function "foo" not defined"#),
        Expectation(template: "\n{{$x}}", data: [:], kind: .parse, line: 2, description: #"template: t:2: undefined variable "$x""#),
        Expectation(template: "{{089}}", data: [:], kind: .parse, line: 1, description: #"template: t:1: integer overflow: "089""#),
        Expectation(template: "{{.a", data: [:], kind: .parse, line: 1, description: "template: t:1: unclosed action"),
        Expectation(
            template: "{{range 5}}{{end}}", data: [:], kind: .execution, line: 1, column: 8,
            description: #"template: t:1:8: executing "t" at <5>: range can't iterate over 5"#),
        Expectation(
            template: "{{eq 1 .x}}", data: ["x": 1], kind: .execution, line: 1, column: 2,
            description: #"template: t:1:2: executing "t" at <eq 1 .x>: error calling eq: incompatible types for comparison"#),
        Expectation(
            template: "{{template \"nope\"}}", data: [:], kind: .execution, line: 1, column: 11,
            description: #"template: t:1:11: executing "t" at <{{template "nope"}}>: template "nope" not defined"#),
    ]

    @Test(arguments: expectations)
    func positionsAndTextMatchGo(_ expectation: Expectation) {
        do {
            let output = try GoTemplate(name: "t", parsing: expectation.template).execute(expectation.data)
            Issue.record("expected an error, got \(String(reflecting: output))")
        } catch {
            #expect(error.kind == expectation.kind)
            #expect(error.line == expectation.line)
            if let column = expectation.column { #expect(error.column == column) }
            #expect(error.name == "t")
            #expect(error.description == expectation.description)
        }
    }

    @Test func executionErrorsNameTheTemplateAndNode() throws {
        let template = try GoTemplate(name: "job", parsing: "{{define \"inner\"}}{{len 3}}{{end}}{{template \"inner\"}}")
        #expect(throws: TemplateError.self) { try template.execute(.null) }
        do {
            _ = try template.execute(.null)
        } catch {
            #expect(error.executing == "inner")
            #expect(error.context == "len 3")
            #expect(error.message == "error calling len: len of type int")
        }
    }

    @Test func runawayRecursionIsAnErrorNotACrash() throws {
        let template = try GoTemplate(parsing: "{{define \"r\"}}{{template \"r\" .}}{{end}}{{template \"r\" .}}")
        do {
            _ = try template.execute(.null)
            Issue.record("expected the depth limit")
        } catch {
            #expect(error.message == "exceeded maximum template depth (100000)")
        }
    }

    @Test func errorsInDeeplyNestedPipelinesAreDescribed() throws {
        let depth = 3000
        let text = "{{template \"nope\" " + String(repeating: "(", count: depth) + "1" + String(repeating: ")", count: depth) + "}}"
        do {
            _ = try GoTemplate(name: "t", parsing: text).execute(.null)
            Issue.record("expected an error")
        } catch {
            #expect(error.message == #"template "nope" not defined"#)
            #expect(error.context?.count == 2 * depth + 21)
        }
    }

    @Test func deeplyNestedActionsAreAnErrorNotACrash() throws {
        // Go itself dies of a stack overflow here; we report an error instead.
        let nested = String(repeating: "{{if 1}}", count: 40) + "{{template \"r\" .}}" + String(repeating: "{{end}}", count: 40)
        let template = try GoTemplate(parsing: "{{define \"r\"}}" + nested + "{{end}}{{template \"r\" .}}")
        #expect(throws: TemplateError.self) { try template.execute(.null) }
    }
}
