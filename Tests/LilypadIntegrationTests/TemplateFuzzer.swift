import LilypadTemplate

/// Random templates from text/template's grammar (nested if/with/range, pipelines over the builtins,
/// variables, literals of every kind, trim markers, comments, definitions) over random JSON data, some of
/// them deliberately corrupted so that parse errors are exercised too.
struct TemplateFuzzer {
    var random: SeededGenerator

    init(seed: UInt64) { random = SeededGenerator(seed: seed) }

    static let keys = ["a", "b", "c", "x", "list", "m", "Name", "n", "s", "é"]

    static let strings = [
        "", "a", "hello", "x y", "\"", "'", "\\", "\n", "\t", "<b>&amp;</b>", "{{", "}}", "%s", "%d", "é", "中文", "🐸", "\u{2028}",
        "\u{0}", "a=b&c", "null", "0", "true", " ", "e\u{301}",
    ]

    static let numbers = [
        "0", "1", "-1", "2", "3", "0.5", "1.5", "-2.25", "100000", "1000000", "1234567", "1e21", "1e20", "0.0001", "0.00001", "-0",
        "123456789", "3.14159", "1e-7", "255", "97", "12345678901234567890", "5e-324", "1.7976931348623157e308",
    ]

    static let textFragments = ["a", " ", "  ", "\n", "x y", "\t", ",", "\"", "'", "é", "{ ", "}", "-", "[", "]", ":", "\r\n", "%", "<>"]

    static let formats = [
        "%v", "%d", "%s", "%q", "%5.2f", "%x", "%X", "%T", "%v %v", "%-4s|", "%+d", "%e", "%g", "%%", "%[1]v", "%*d", "%.3s", "%U",
        "%c", "%t", "%08.3f", "%#v", "%+q", "%6.1e", "% x", "%o", "%b", "%G", "%z", "%!", "%", "%[2]v",
    ]

    static let functions = [
        "and", "or", "not", "len", "index", "slice", "eq", "ne", "lt", "le", "gt", "ge", "print", "printf", "println", "html", "js",
        "urlquery", "call",
    ]

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }
    mutating func chance(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &random) < probability }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

    // MARK: Data

    static func jsonString(_ text: String) -> String { LilypadRendering.jsonEncode(text) }

    mutating func jsonValue(depth: Int) -> String {
        switch int(0...(depth > 0 ? 9 : 5)) {
        case 0: return "null"
        case 1: return chance(0.5) ? "true" : "false"
        case 2, 3: return pick(Self.numbers)
        case 4, 5: return Self.jsonString(pick(Self.strings))
        case 6, 7:
            return "[" + (0..<int(0...4)).map { _ in jsonValue(depth: depth - 1) }.joined(separator: ",") + "]"
        default:
            return jsonObject(depth: depth - 1, count: int(0...4))
        }
    }

    mutating func jsonObject(depth: Int, count: Int) -> String {
        var entries: [String] = []
        for _ in 0..<count { entries.append(Self.jsonString(pick(Self.keys)) + ":" + jsonValue(depth: depth)) }
        return "{" + entries.joined(separator: ",") + "}"
    }

    /// Top-level data: usually an object with a list, a map and a few more keys, sometimes anything at all.
    mutating func data() -> String {
        if chance(0.08) { return jsonValue(depth: 2) }
        var entries = [
            "\"list\":[" + (0..<int(0...4)).map { _ in jsonValue(depth: 1) }.joined(separator: ",") + "]",
            "\"m\":" + jsonObject(depth: 1, count: int(0...3)),
        ]
        for _ in 0..<int(1...6) { entries.append(Self.jsonString(pick(Self.keys)) + ":" + jsonValue(depth: 2)) }
        return "{" + entries.joined(separator: ",") + "}"
    }

    // MARK: Templates

    /// A random plain-mode template; about a quarter are corrupted afterwards.
    mutating func template() -> String {
        var defined: [String] = []
        var text = ""
        var scope: [String] = []
        if chance(0.2) {
            let name = "t\(int(1...2))"
            text += "{{define \"\(name)\"}}" + block(depth: 1, scope: [], inRange: false, templates: []) + "{{end}}"
            defined.append(name)
        }
        for _ in 0..<int(1...5) { text += item(depth: 2, scope: &scope, inRange: false, templates: defined, topLevel: true) }
        return chance(0.25) ? corrupt(text) : text
    }

    private mutating func block(depth: Int, scope: [String], inRange: Bool, templates: [String]) -> String {
        var local = scope
        return (0..<int(1...3)).map { _ in item(depth: depth, scope: &local, inRange: inRange, templates: templates, topLevel: false) }
            .joined()
    }

    private mutating func open() -> String { chance(0.15) ? "{{- " : "{{" }
    private mutating func close() -> String { chance(0.15) ? " -}}" : "}}" }

    private mutating func item(depth: Int, scope: inout [String], inRange: Bool, templates: [String], topLevel: Bool) -> String {
        let choice = int(0...(depth > 0 ? 13 : 6))
        switch choice {
        case 0, 1:
            return (0..<int(1...3)).map { _ in pick(Self.textFragments) }.joined()
        case 2, 3, 4:
            return open() + pipeline(depth: 2, scope: scope) + close()
        case 5:
            let variable = "$v\(int(1...3))"
            if scope.contains(variable) && chance(0.5) { return "{{\(variable) = \(pipeline(depth: 1, scope: scope))}}" }
            let text = "{{\(variable) := \(pipeline(depth: 1, scope: scope))}}"
            scope.append(variable)
            return text
        case 6:
            if inRange && chance(0.6) { return chance(0.5) ? "{{break}}" : "{{continue}}" }
            return open() + "/* " + pick(["c", "", "*", "{{", "}}"]) + " */" + close()
        case 7, 8:
            var text = open() + "if " + pipeline(depth: 1, scope: scope) + close()
            text += block(depth: depth - 1, scope: scope, inRange: inRange, templates: templates)
            if chance(0.3) {
                text +=
                    "{{else if " + pipeline(depth: 1, scope: scope) + "}}"
                    + block(depth: depth - 1, scope: scope, inRange: inRange, templates: templates)
            }
            if chance(0.5) { text += open() + "else" + close() + block(depth: depth - 1, scope: scope, inRange: inRange, templates: templates) }
            return text + open() + "end" + close()
        case 9:
            var text = "{{with " + pipeline(depth: 1, scope: scope) + "}}"
            text += block(depth: depth - 1, scope: scope, inRange: inRange, templates: templates)
            if chance(0.3) {
                text +=
                    "{{else with " + pipeline(depth: 1, scope: scope) + "}}"
                    + block(depth: depth - 1, scope: scope, inRange: inRange, templates: templates)
            }
            if chance(0.4) { text += "{{else}}" + block(depth: depth - 1, scope: scope, inRange: inRange, templates: templates) }
            return text + "{{end}}"
        case 10, 11:
            var inner = scope
            var header = "{{range "
            switch int(0...2) {
            case 0:
                header += "$i, $e := "
                inner += ["$i", "$e"]
            case 1:
                header += "$e := "
                inner.append("$e")
            default:
                break
            }
            let collections = [".list", ".m", ".", "." + pick(Self.keys), "(slice .list 1)", "$e"].filter { !$0.hasPrefix("$") || scope.contains($0) }
            var text = header + (chance(0.75) ? pick(collections) : pipeline(depth: 1, scope: scope)) + "}}"
            text += block(depth: depth - 1, scope: inner, inRange: true, templates: templates)
            if chance(0.3) { text += "{{else}}" + block(depth: depth - 1, scope: scope, inRange: inRange, templates: templates) }
            return text + "{{end}}"
        case 12:
            if let name = templates.first {
                return "{{template \"\(name)\"" + (chance(0.7) ? " " + pipeline(depth: 1, scope: scope) : "") + "}}"
            }
            return "{{" + pipeline(depth: 1, scope: scope) + "}}"
        default:
            if topLevel && chance(0.5) {
                return "{{block \"b\(int(1...2))\" " + pipeline(depth: 1, scope: scope) + "}}"
                    + block(depth: 0, scope: [], inRange: false, templates: [])
                    + "{{end}}"
            }
            return "{{" + pipeline(depth: 2, scope: scope) + "}}"
        }
    }

    private mutating func pipeline(depth: Int, scope: [String]) -> String {
        var text = command(depth: depth, scope: scope, first: true)
        while chance(0.2) {
            text +=
                " | "
                + pick([
                    "printf \"%v|\"", "len", "print", "html", "js", "urlquery", "not", "printf \"%q\"", "eq 1.0", "index", "and 1", "or 0", ".a",
                    "println",
                ])
        }
        return text
    }

    private mutating func command(depth: Int, scope: [String], first: Bool) -> String {
        if chance(0.45) { return operand(depth: depth, scope: scope) }
        let function = chance(0.4) ? pick(["print", "printf", "html", "js", "urlquery", "println", "len", "index"]) : pick(Self.functions)
        var arguments: [String] = []
        switch function {
        case "printf":
            arguments.append(Self.jsonString(pick(Self.formats)))
            for _ in 0..<int(0...3) { arguments.append(operand(depth: depth - 1, scope: scope)) }
        case "not", "len":
            arguments.append(operand(depth: depth - 1, scope: scope))
            if chance(0.1) { arguments.append(operand(depth: depth - 1, scope: scope)) }
        case "eq", "ne", "lt", "le", "gt", "ge":
            let pools = [
                ["0.0", "1.0", "2.5", "-1.5", ".n", ".x", "(len .list | print | len)", "1e3"],
                ["0", "1", "2", "-3", "(len .list)", "(len .s)", "'a'", "(index \"a\" 0)"],
                ["\"a\"", "\"\"", "\"é\"", ".s", ".Name", "(print .x)", "`b`", "(printf \"%v\" .n)"],
            ]
            let pool = pick(pools)
            for _ in 0..<(chance(0.85) ? 2 : int(0...3)) { arguments.append(chance(0.8) ? pick(pool) : operand(depth: depth - 1, scope: scope)) }
        case "index", "slice":
            arguments.append(operand(depth: depth - 1, scope: scope))
            for _ in 0..<int(0...3) {
                arguments.append(
                    pick(
                        ["0", "1", "2", "3", "-1", "\"a\"", "\"x\"", "$i", "(len .list)", ".n", "1.0"].filter {
                            !$0.hasPrefix("$") || scope.contains($0)
                        }))
            }
        default:
            for _ in 0..<int(0...3) { arguments.append(operand(depth: depth - 1, scope: scope)) }
        }
        return ([function] + arguments).joined(separator: " ")
    }

    private mutating func operand(depth: Int, scope: [String]) -> String {
        switch int(0...(depth > 0 ? 12 : 9)) {
        case 0: return "."
        case 1, 2: return "." + pick(Self.keys) + (chance(0.3) ? "." + pick(Self.keys) : "")
        case 3:
            if let variable = scope.isEmpty ? nil : pick(scope) { return variable + (chance(0.3) ? "." + pick(Self.keys) : "") }
            return chance(0.5) ? "$" : "$." + pick(Self.keys)
        case 4, 5:
            return pick([
                "0", "1", "-2", "3.5", "1e3", "0x1F", "'a'", "1_000", "true", "false", "nil", "1e6", "0.1", "2i", "017", "-0", "1.0", "2.0", "0.5",
            ])
        case 6, 7: return Self.jsonString(pick(Self.strings))
        case 8: return "`" + pick(["raw", "a\"b", "%d", "", "x\\n"]) + "`"
        case 9: return ".list"
        case 10: return "(" + pipeline(depth: depth - 1, scope: scope) + ")"
        case 11: return "(" + pipeline(depth: depth - 1, scope: scope) + ")." + pick(Self.keys)
        default: return "(" + command(depth: depth - 1, scope: scope, first: true) + ")"
        }
    }

    /// Damages a template: removes, inserts or duplicates a few characters.
    mutating func corrupt(_ text: String) -> String {
        var characters = Array(text)
        for _ in 0..<int(1...2) {
            guard !characters.isEmpty else { break }
            let position = int(0...(characters.count - 1))
            switch int(0...3) {
            case 0: characters.remove(at: position)
            case 1: characters.insert(pick(Array("{}()|$.\"'`-=: ,/*")), at: position)
            case 2: characters.removeSubrange(position...)
            default:
                let end = min(characters.count, position + int(1...6))
                characters.insert(contentsOf: characters[position..<end], at: position)
            }
        }
        return String(characters)
    }

    // MARK: Lilypad mode

    static let hostileInputs = [
        "", "frog", "a \"quoted\" word", "back\\slash", "it's", "line\nbreak", "{{ .x }}", "}}", "100%s", "%d%%", "<b>&</b>", "\u{2028}x\u{2029}",
        "héllo 中文 🐸", "tab\there", "null", "\u{1}", "e\u{301}", "${HOME}", "`tick`", "=equals=",
    ]

    /// Random inputs for a Lilypad module.
    mutating func inputs() -> String {
        var entries: [String] = []
        for key in ["Message", "Prompt", "Seed", "input", "x"] where chance(0.7) {
            entries.append(Self.jsonString(key) + ":" + Self.jsonString(pick(Self.hostileInputs)))
        }
        return "{" + entries.joined(separator: ",") + "}"
    }

    /// A random template over Lilypad inputs, using `subst` and the escapers as modules do.
    mutating func moduleTemplate() -> String {
        let key = pick(["Message", "Prompt", "Seed", "input", "x", "missing"])
        let uses = [
            "{{ .\(key) }}", "{{ js .\(key) }}", "{{ html .\(key) }}", "{{ subst \"K=%s\" .\(key) }}", "{{ subst \"%s-%s\" .\(key) .\(key) }}",
            "{{ printf \"%s\" .\(key) }}", "{{ len .\(key) }}", "{{ urlquery .\(key) }}", "{{ subst \"%q\" .\(key) }}",
            "{{ subst \"%d\" .\(key) }}", "{{ subst .\(key) }}", "{{ subst \"%s\" \"raw\" }}", "{{ index . \"\(key)\" }}", "{{ slice .\(key) 1 }}",
            "{{ printf \"%q\" .\(key) }}", "{{ subst \"%s\" (js .\(key)) }}", "{{ range $k, $v := . }}{{ $k }}={{ $v }};{{ end }}",
        ]
        var text = "\"v\": "
        if chance(0.6) {
            text += "{{ if .\(key) }}\"\(pick(uses))\"{{ else }}\"default\"{{ end }}"
        } else {
            text += pick(uses)
        }
        if chance(0.3) { text += ", " + pick(uses) }
        return chance(0.15) ? corrupt(text) : text
    }
}
