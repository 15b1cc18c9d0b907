import Foundation

/// Data passed to templates, modelling what Go's `encoding/json` produces when unmarshalling into
/// `interface{}` (nil, bool, float64, string, `[]interface{}`, `map[string]interface{}`), plus Go `int`
/// values and Lilypad's `map[string]string` module inputs.
///
/// Integer literals make ``number(_:)`` values, as JSON numbers do in Go.
public enum TemplateValue: Sendable, Hashable {
    /// JSON `null`: a nil interface.
    case null
    /// A Go `bool`.
    case bool(Bool)
    /// A Go `float64`, the type of every JSON number.
    case number(Double)
    /// A Go `int` (prints and compares as an integer, not a float).
    case integer(Int)
    /// A Go `string`.
    case string(String)
    /// A Go `[]interface{}`, with the spare capacity Go's JSON decoder would leave it (which `slice` can reach).
    case array([TemplateValue])
    /// A Go `map[string]interface{}`.
    case object([String: TemplateValue])
    /// A Go `map[string]string`, the data Lilypad gives module templates.
    case stringMap([String: String])

    /// A JSON document that Go's `encoding/json` would refuse.
    public struct DecodingError: Error, Sendable, CustomStringConvertible {
        /// Go's wording of the problem.
        public var description: String
    }

    /// Decodes JSON exactly as Go's `json.Unmarshal` into `interface{}` does: numbers become float64,
    /// invalid UTF-8 and lone surrogates become U+FFFD, and the last of duplicate keys wins.
    ///
    /// Go keys are byte strings; two keys that differ in bytes but are canonically equivalent Unicode
    /// (such as precomposed and decomposed `é`) collapse into one here, because Swift's `String` compares
    /// them as equal.
    public init(json: Data) throws(DecodingError) {
        let bytes = Array(json)
        self = try LargeStack.run(deep: GoJSON.isNested(bytes, deeperThan: 64)) { (_: StackGuard) throws(DecodingError) in
            do throws(GoJSON.DecodingError) {
                return TemplateValue(goData: try GoJSON.decode(bytes))
            } catch {
                throw DecodingError(description: error.description)
            }
        }
    }

    init(goData: GoData?) {
        guard let goData else {
            self = .null
            return
        }
        switch goData {
        case .bool(let value): self = .bool(value)
        case .int(let value): self = .integer(value)
        case .uint8(let value): self = .integer(Int(value))
        case .float64(let value): self = .number(value)
        case .complex128(let re, _): self = .number(re)
        case .string(let bytes): self = .string(GoUTF8.string(bytes))
        case .slice(let slice): self = .array(slice.elements.map(TemplateValue.init(goData:)))
        case .map(let entries):
            var object: [String: TemplateValue] = [:]
            for (key, value) in entries { object[GoUTF8.string(key)] = TemplateValue(goData: value) }
            self = .object(object)
        case .stringMap(let entries):
            var strings: [String: String] = [:]
            for (key, value) in entries { strings[GoUTF8.string(key)] = GoUTF8.string(value) }
            self = .stringMap(strings)
        }
    }

    /// Whether containers nest more than `limit` levels deep (found without recursing).
    func isNested(deeperThan limit: Int) -> Bool {
        var pending: [(TemplateValue, Int)] = [(self, 0)]
        while let (value, depth) = pending.popLast() {
            if depth > limit { return true }
            switch value {
            case .array(let elements): pending += elements.map { ($0, depth + 1) }
            case .object(let entries): pending += entries.values.map { ($0, depth + 1) }
            case .stringMap: if depth + 1 > limit { return true }
            default: break
            }
        }
        return false
    }

    /// The Go value; `nil` for `null`.
    var goData: GoData? {
        switch self {
        case .null: nil
        case .bool(let value): .bool(value)
        case .number(let value): .float64(value)
        case .integer(let value): .int(value)
        case .string(let value): .string(Array(value.utf8))
        case .array(let elements): .slice(GoSlice(decoded: elements.map(\.goData)))
        case .object(let entries):
            .map(Dictionary(entries.map { (Array($0.key.utf8), $0.value.goData) }, uniquingKeysWith: { _, last in last }))
        case .stringMap(let entries):
            .stringMap(Dictionary(entries.map { (Array($0.key.utf8), Array($0.value.utf8)) }, uniquingKeysWith: { _, last in last }))
        }
    }
}

/// Literals make JSON-like values: `nil` is ``TemplateValue/null``, and integer literals are float64
/// ``TemplateValue/number(_:)`` values, as JSON numbers are in Go.
extension TemplateValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: TemplateValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, TemplateValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
