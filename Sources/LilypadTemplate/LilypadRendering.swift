/// Lilypad v2's module rendering (`LoadModule`): every input value is JSON-encoded first, with Go's
/// `encoding/json` string encoding (HTML-safe: `<`, `>`, `&` become `\u003c`, `\u003e`, `\u0026`), then the
/// template is executed with a `map[string]string` of those encodings as data and `subst` available.
public enum LilypadRendering {
    /// Renders a module template the way Lilypad v2 does.
    public static func render(template: String, name: String, inputs: [String: String]) throws(TemplateError) -> String {
        GoUTF8.string(try renderBytes(template: template, name: name, inputs: inputs))
    }

    /// Like ``render(template:name:inputs:)``, but returns Go's exact output bytes, which need not be valid
    /// UTF-8 (a template can slice a string in the middle of a character).
    public static func renderBytes(template: String, name: String, inputs: [String: String]) throws(TemplateError) -> [UInt8] {
        let parsed = try GoTemplate(name: name, parsing: template, functions: .lilypad)
        return try parsed.executeBytes { dataOperand(inputs) }
    }

    /// Go's `json.Marshal` of a string, as Lilypad encodes each input.
    public static func jsonEncode(_ value: String) -> String {
        GoUTF8.string(GoEscaping.jsonString(Array(value.utf8)))
    }

    static func dataOperand(_ inputs: [String: String]) -> Operand {
        var entries: [[UInt8]: [UInt8]] = [:]
        for (key, value) in inputs { entries[Array(key.utf8)] = GoEscaping.jsonString(Array(value.utf8)) }
        return .value(.stringMap(entries))
    }
}
