import Foundation
import LilypadTemplate
import Testing

/// LilypadTemplate against Go 1.23's own `text/template` (Lilypad v2.23's Go version): every case runs
/// through both engines and must produce the same bytes, or fail in both, at the same stage (parse or
/// execute) and the same position.
@Suite("Go text/template oracle", .serialized)
struct TemplateOracleTests {
    /// One template with its data, as the Go oracle reads it.
    struct Case {
        enum Mode: String {
            /// `template.New(name).Parse(template)`, data unmarshalled into `interface{}`.
            case plain
            /// Lilypad's module rendering: JSON-encoded string inputs and `subst`.
            case lilypad
        }

        enum Origin: String {
            case handWritten = "hand-written"
            case module
            case fuzz
        }

        var name = "t"
        var template: String
        /// JSON text: any value in plain mode, an object of strings in Lilypad mode.
        var data: String
        var mode = Mode.plain
        var origin = Origin.handWritten
    }

    /// What the Go oracle reports for a case.
    struct GoResult: Decodable {
        var ok: Bool
        var output: String
        var bytes: String?
        var error: String
        var stage: String?
    }

    /// What our engine did with a case.
    enum Outcome {
        case output([UInt8])
        case failure(stage: String, error: String, line: Int?, column: Int?)
    }

    @Test func goAgreesOnEveryCase() throws {
        let binary = try Oracle.goTemplateBinary.get()
        var fuzzer = TemplateFuzzer(seed: SeededGenerator.configuredSeed)
        let cases = Self.handWritten + Self.modules + Self.fuzzCases(&fuzzer)
        let fuzzCount = cases.filter { $0.origin == .fuzz }.count
        #expect(cases.count >= 300)
        #expect(fuzzCount >= 200)

        let input = "[" + cases.map(Self.json).joined(separator: ",\n") + "]"
        let run = try Oracle.run(binary, [], stdin: Data(input.utf8))
        try #require(run.status == 0, "the Go oracle failed: \(run.stderr)")
        let results = try JSONDecoder().decode([GoResult].self, from: Data(run.stdout.utf8))
        try #require(results.count == cases.count)

        var mismatches: [String] = []
        var sameMessage = 0
        var failures = 0
        var tally: [String: Int] = [:]
        for (index, (testCase, go)) in zip(cases, results).enumerated() {
            let ours = Self.run(testCase)
            tally["\(testCase.origin.rawValue) \(go.ok ? "ok" : go.stage ?? "?")", default: 0] += 1
            let label =
                "case \(index) (\(testCase.origin.rawValue), seed \(SeededGenerator.configuredSeed)) \(testCase.mode.rawValue) "
                + "template \(String(reflecting: testCase.template)) data \(testCase.data)"
            switch ours {
            case .output(let bytes):
                if !go.ok {
                    mismatches.append(
                        "\(label)\n  Go failed: \(go.error)\n  ours printed \(String(reflecting: String(decoding: bytes, as: UTF8.self)))")
                } else if bytes != Self.goBytes(go) {
                    mismatches.append(
                        "\(label)\n  Go printed   \(String(reflecting: go.output))\n  ours printed \(String(reflecting: String(decoding: bytes, as: UTF8.self)))"
                    )
                }
            case .failure(let stage, let error, let line, let column):
                guard !go.ok else {
                    mismatches.append("\(label)\n  Go printed \(String(reflecting: go.output))\n  ours failed: \(error)")
                    continue
                }
                failures += 1
                if error == go.error {
                    sameMessage += 1
                } else {
                    print("message differs: \(label)\n  Go:   \(go.error)\n  ours: \(error)")
                }
                // A Go panic (only `{{... | call}}` with no arguments) is an error without a position.
                guard go.stage != "panic" else { continue }
                let goPosition = Self.position(in: go.error, name: testCase.name)
                if stage != go.stage || goPosition.line != line || (stage == "execute" && goPosition.column != column) {
                    mismatches.append("\(label)\n  Go failed:   \(go.error)\n  ours failed: \(error)")
                }
            }
        }
        for mismatch in mismatches.prefix(40) { Issue.record(Comment(rawValue: mismatch)) }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(cases.count) cases differ from Go")
        // Error texts are not part of the contract, but they match Go's almost everywhere.
        #expect(sameMessage * 100 >= failures * 95, "only \(sameMessage) of \(failures) error messages read exactly like Go's")
        print("template oracle: \(cases.count) cases (\(fuzzCount) fuzz), \(failures) errors, \(sameMessage) with Go's exact message")
        print("template oracle outcomes: " + tally.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))
    }

    // MARK: Running

    /// The case as the oracle reads it; malformed data travels as text in `dataText`.
    static func json(_ testCase: Case) -> String {
        let isJSON = (try? TemplateValue(json: Data(testCase.data.utf8))) != nil
        let data = isJSON ? "\"data\":\(testCase.data)" : "\"dataText\":\(LilypadRendering.jsonEncode(testCase.data))"
        return "{\"name\":\(LilypadRendering.jsonEncode(testCase.name)),\"template\":\(LilypadRendering.jsonEncode(testCase.template)),"
            + "\(data),\"mode\":\"\(testCase.mode.rawValue)\"}"
    }

    static func goBytes(_ result: GoResult) -> [UInt8] {
        if let bytes = result.bytes, let data = Data(base64Encoded: bytes) { return Array(data) }
        return Array(result.output.utf8)
    }

    static func run(_ testCase: Case) -> Outcome {
        let template: GoTemplate
        do {
            switch testCase.mode {
            case .plain:
                template = try GoTemplate(name: testCase.name, parsing: testCase.template)
            case .lilypad:
                template = try GoTemplate(name: testCase.name, parsing: testCase.template, functions: .lilypad)
            }
        } catch {
            return .failure(stage: "parse", error: error.description, line: error.line, column: nil)
        }
        let data: TemplateValue
        do {
            data = try TemplateValue(json: Data(testCase.data.utf8))
        } catch {
            return .failure(stage: "data", error: error.description, line: nil, column: nil)
        }
        do {
            switch testCase.mode {
            case .plain:
                return .output(try template.executeBytes(data))
            case .lilypad:
                guard case .object(let object) = data else {
                    return .failure(stage: "data", error: "inputs are not an object", line: nil, column: nil)
                }
                var inputs: [String: String] = [:]
                for (key, value) in object {
                    guard case .string(let text) = value else {
                        return .failure(stage: "data", error: "input \(key) is not a string", line: nil, column: nil)
                    }
                    inputs[key] = text
                }
                return .output(try LilypadRendering.renderBytes(template: testCase.template, name: testCase.name, inputs: inputs))
            }
        } catch {
            return .failure(stage: "execute", error: error.description, line: error.line, column: error.column)
        }
    }

    /// The line (and for execution errors the column) Go prints after `template: NAME:`.
    static func position(in message: String, name: String) -> (line: Int?, column: Int?) {
        let prefix = "template: \(name):"
        guard message.hasPrefix(prefix) else { return (nil, nil) }
        let numbers = message.dropFirst(prefix.count).prefix { $0.isNumber || $0 == ":" }.split(separator: ":")
        return (numbers.first.flatMap { Int($0) }, numbers.count > 1 ? Int(numbers[1]) : nil)
    }

    static func fuzzCases(_ fuzzer: inout TemplateFuzzer) -> [Case] {
        var cases: [Case] = []
        for round in 0..<800 {
            if round % 4 == 3 {
                cases.append(Case(name: "module", template: fuzzer.moduleTemplate(), data: fuzzer.inputs(), mode: .lilypad, origin: .fuzz))
            } else {
                cases.append(Case(template: fuzzer.template(), data: fuzzer.data(), origin: .fuzz))
            }
        }
        return cases
    }
}
