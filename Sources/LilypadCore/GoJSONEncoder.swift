import Synchronization

/// Encodes `Encodable` values exactly as Go's `encoding/json.Marshal` would encode the matching Go
/// struct, byte for byte — the precondition for computing Lilypad v2's offer and deal IDs.
///
/// - Object keys come out in the order `encode(to:)` writes them, which for synthesized
///   conformances is declaration order (Go's field order).
/// - Every key is always written: an `Optional` that is `nil` becomes `null`, as Go writes a nil
///   slice or map (an empty array stays `[]`).
/// - Dictionaries with `String` keys are written with their keys sorted by UTF-8 bytes, as Go
///   sorts map keys.
/// - Strings use Go's escaping with HTML safety on: `<`, `>`, `&`, U+2028 and U+2029 become
///   `\u003c`, `\u003e`, `\u0026`, `\u2028`, `\u2029`; `\b \f \n \r \t` use their short forms
///   (Go ≥ 1.22, which Lilypad v2.23 is built with); other control characters are `\u00XX`.
/// - No white space.
///
/// ```swift
/// let bytes = try GoJSONEncoder().encode(offer)
/// ```
public struct GoJSONEncoder: Sendable {
    public init() {}

    /// Encodes `value` to UTF-8 JSON bytes.
    public func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let writer = GoJSONWriter()
        try writer.writeValue(value, codingPath: [])
        return writer.bytes
    }

    /// Encodes `value` to a JSON string.
    public func encodeToString<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encode(value), as: UTF8.self)
    }
}

/// Errors the encoder can raise.
public enum GoJSONEncodingError: Error, CustomStringConvertible, Sendable {
    case unsupportedFloat(Double, path: String)
    case unsupportedFloat32(path: String)

    public var description: String {
        switch self {
        case .unsupportedFloat(let value, let path): "cannot encode \(value) at \(path): JSON has no NaN or infinity"
        case .unsupportedFloat32(let path): "cannot encode the Float at \(path): use Double (Go's float64)"
        }
    }
}

/// A Dictionary whose keys are strings, whose entries Go writes in sorted key order.
protocol StringKeyedDictionary {
    func writeSorted(to writer: GoJSONWriter, codingPath: [any CodingKey]) throws
}

extension Dictionary: StringKeyedDictionary where Key == String, Value: Encodable {
    func writeSorted(to writer: GoJSONWriter, codingPath: [any CodingKey]) throws {
        writer.bytes.append(UInt8(ascii: "{"))
        let sorted = map { (key: Array($0.key.utf8), name: $0.key, value: $0.value) }.sorted { $0.key.lexicographicallyPrecedes($1.key) }
        for (index, entry) in sorted.enumerated() {
            if index > 0 { writer.bytes.append(UInt8(ascii: ",")) }
            writer.writeString(entry.name)
            writer.bytes.append(UInt8(ascii: ":"))
            try writer.writeValue(entry.value, codingPath: codingPath + [GoJSONKey(entry.name)])
        }
        writer.bytes.append(UInt8(ascii: "}"))
    }
}

/// Writes JSON bytes as `Encodable` values describe themselves, with no intermediate tree.
///
/// Codable has no "container finished" callback, so open containers are kept on a stack: writing
/// into a container first closes any deeper ones, and a value's containers are closed when its
/// `encode(to:)` returns. Synthesized conformances call the concrete-typed `encode` overloads for
/// primitive fields, so those are written without dynamic casts.
final class GoJSONWriter {
    var bytes: [UInt8] = []
    /// Open containers: the byte that closes each, and whether it is still empty.
    private var stack: [(closer: UInt8, empty: Bool)] = []

    init() { bytes.reserveCapacity(1024) }

    var depth: Int { stack.count }

    func close(above depth: Int) {
        while stack.count > depth, let open = stack.popLast() { bytes.append(open.closer) }
    }

    /// Opens `{` or `[` at `depth` (closing anything deeper) and returns the new container's depth.
    func open(object: Bool, at depth: Int) -> Int {
        close(above: depth)
        bytes.append(object ? UInt8(ascii: "{") : UInt8(ascii: "["))
        stack.append((object ? UInt8(ascii: "}") : UInt8(ascii: "]"), true))
        return stack.count
    }

    /// The container at `depth` if it is still open and of that kind.
    func isOpen(object: Bool, at depth: Int) -> Bool {
        stack.count >= depth && depth > 0 && stack[depth - 1].closer == (object ? UInt8(ascii: "}") : UInt8(ascii: "]"))
    }

    /// Prepares the next element of the container at `depth`: closes deeper ones, writes a comma if needed.
    func nextElement(in depth: Int) {
        close(above: depth)
        if stack[depth - 1].empty {
            stack[depth - 1].empty = false
        } else {
            bytes.append(UInt8(ascii: ","))
        }
    }

    func key(_ key: some CodingKey, in depth: Int) {
        nextElement(in: depth)
        writeString(key.stringValue)
        bytes.append(UInt8(ascii: ":"))
    }

    // MARK: Values

    func writeValue<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws {
        // Primitives reached through generic code (e.g. arrays of strings) are caught by a cheap type check first.
        if T.self == String.self, let string = value as? String { return writeString(string) }
        if T.self == Int.self, let int = value as? Int { return writeLiteral(String(int)) }
        if T.self == UInt64.self, let int = value as? UInt64 { return writeLiteral(String(int)) }
        if T.self == Bool.self, let bool = value as? Bool { return writeLiteral(bool ? "true" : "false") }
        if T.self == Double.self, let double = value as? Double { return try writeDouble(double, codingPath: codingPath) }
        // Casting to a conditionally conformed protocol is slow, so remember the answer per type.
        if Self.isStringKeyedDictionary(T.self), let dictionary = value as? any StringKeyedDictionary {
            return try dictionary.writeSorted(to: self, codingPath: codingPath)
        }
        let base = depth
        let start = bytes.count
        try value.encode(to: GoJSONStreamEncoder(writer: self, base: base, codingPath: codingPath))
        close(above: base)
        if bytes.count == start { bytes += Array("{}".utf8) }  // a value that wrote nothing is an empty object
    }

    private static let dictionaryTypes = Mutex<[ObjectIdentifier: Bool]>([:])

    static func isStringKeyedDictionary<T>(_ type: T.Type) -> Bool {
        let id = ObjectIdentifier(type)
        if let known = dictionaryTypes.withLock({ $0[id] }) { return known }
        let answer = type is any StringKeyedDictionary.Type
        dictionaryTypes.withLock { $0[id] = answer }
        return answer
    }

    func writeLiteral(_ text: String) { bytes.append(contentsOf: text.utf8) }

    func writeInteger(_ value: some BinaryInteger) { bytes.append(contentsOf: String(value).utf8) }

    /// Appends the decimal digits of `value` to `bytes` (as `String(value)` writes them).
    static func appendInteger(_ value: UInt64, to bytes: inout [UInt8]) {
        guard value >= 10 else { return bytes.append(UInt8(ascii: "0") + UInt8(value)) }
        let start = bytes.count
        var rest = value
        while rest > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        }
        bytes[start...].reverse()
    }

    func writeDouble(_ value: Double, codingPath: [any CodingKey]) throws {
        guard value.isFinite else {
            throw GoJSONEncodingError.unsupportedFloat(value, path: codingPath.map(\.stringValue).joined(separator: "."))
        }
        writeLiteral(GoJSONWriter.formatFloat(value))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Whether a UTF-8 byte starts something ``writeString(_:)`` escapes (0xE2 may begin U+2028/U+2029).
    @inline(__always)
    static func needsEscaping(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">")
            || byte == UInt8(ascii: "&") || byte == 0xE2
    }

    /// A string with Go's escaping (HTML-safe).
    func writeString(_ string: String) { Self.appendString(string, to: &bytes) }

    /// Appends `string` as a JSON string with Go's escaping (HTML-safe) to `bytes`.
    static func appendString(_ string: String, to bytes: inout [UInt8]) {
        // Most strings (addresses, IDs, names) need no escaping: copied in one go.
        let plain = string.utf8.withContiguousStorageIfAvailable { text in
            guard !text.contains(where: Self.needsEscaping) else { return false }
            bytes.append(UInt8(ascii: "\""))
            bytes.append(contentsOf: text)
            bytes.append(UInt8(ascii: "\""))
            return true
        }
        if plain == true { return }
        bytes.append(UInt8(ascii: "\""))
        var utf8 = string.utf8.makeIterator()
        var pending: [UInt8] = []
        while let byte = pending.isEmpty ? utf8.next() : pending.removeFirst() {
            switch byte {
            case UInt8(ascii: "\""): bytes += [0x5C, 0x22]
            case UInt8(ascii: "\\"): bytes += [0x5C, 0x5C]
            case 0x08: bytes += [0x5C, UInt8(ascii: "b")]
            case 0x0C: bytes += [0x5C, UInt8(ascii: "f")]
            case 0x0A: bytes += [0x5C, UInt8(ascii: "n")]
            case 0x0D: bytes += [0x5C, UInt8(ascii: "r")]
            case 0x09: bytes += [0x5C, UInt8(ascii: "t")]
            case 0..<0x20, UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"):
                bytes += [
                    0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), Self.hexDigits[Int(byte >> 4)], Self.hexDigits[Int(byte & 0xF)],
                ]
            case 0xE2:
                // U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR (E2 80 A8/A9) break JavaScript.
                guard let second = utf8.next() else {
                    bytes.append(byte)
                    continue
                }
                guard second == 0x80, let third = utf8.next() else {
                    bytes.append(byte)
                    pending.append(second)
                    continue
                }
                if third == 0xA8 || third == 0xA9 {
                    bytes += Array("\\u202".utf8) + [third == 0xA8 ? UInt8(ascii: "8") : UInt8(ascii: "9")]
                } else {
                    bytes += [byte, second, third]
                }
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Go's float formatting for JSON: the shortest round-tripping digits, in `'f'` notation for
    /// 1e-6 ≤ |x| < 1e21 and `'e'` notation otherwise, with `e-07` shortened to `e-7`.
    static func formatFloat(_ value: Double) -> String {
        if value == 0 { return "0" }
        if value == value.rounded(), abs(value) < 9e15 { return String(Int64(value)) }  // exactly representable
        // Swift's description also prints the shortest round-tripping digits; take them apart.
        let text = "\(abs(value))"
        let parts = text.split(separator: "e")
        var exponent = parts.count == 2 ? Int(parts[1]) ?? 0 : 0
        let mantissa = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        let integerPart = mantissa[0]
        var digits = String(integerPart) + (mantissa.count > 1 ? String(mantissa[1]) : "")
        exponent += integerPart.count - 1
        while digits.hasPrefix("0"), digits.count > 1 {
            digits.removeFirst()
            exponent -= 1
        }
        while digits.hasSuffix("0"), digits.count > 1 { digits.removeLast() }
        var out = value < 0 ? "-" : ""
        let magnitude = abs(value)
        if magnitude < 1e-6 || magnitude >= 1e21 {
            out += String(digits.prefix(1))
            if digits.count > 1 { out += "." + digits.dropFirst() }
            let exponentDigits = String(abs(exponent))
            out += "e" + (exponent < 0 ? "-" : "+") + (exponentDigits.count == 1 && exponent >= 0 ? "0" : "") + exponentDigits
        } else if exponent >= 0 {
            let padded = digits.count <= exponent + 1 ? digits + String(repeating: "0", count: exponent + 1 - digits.count) : digits
            out += padded.prefix(exponent + 1)
            if padded.count > exponent + 1 { out += "." + padded.dropFirst(exponent + 1) }
        } else {
            out += "0." + String(repeating: "0", count: -exponent - 1) + digits
        }
        return out
    }
}

struct GoJSONKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}

struct GoJSONStreamEncoder: Encoder {
    let writer: GoJSONWriter
    /// The writer's depth when this value started; its container, if any, is at `base + 1`.
    let base: Int
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let depth = writer.isOpen(object: true, at: base + 1) ? base + 1 : writer.open(object: true, at: base)
        return KeyedEncodingContainer(GoJSONKeyedContainer<Key>(writer: writer, depth: depth, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let depth = writer.isOpen(object: false, at: base + 1) ? base + 1 : writer.open(object: false, at: base)
        return GoJSONUnkeyedContainer(writer: writer, depth: depth, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { GoJSONSingleValueContainer(writer: writer, codingPath: codingPath) }
}

struct GoJSONKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let writer: GoJSONWriter
    let depth: Int
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws {
        writer.key(key, in: depth)
        writer.writeLiteral("null")
    }
    mutating func encode(_ value: Bool, forKey key: Key) throws {
        writer.key(key, in: depth)
        writer.writeLiteral(value ? "true" : "false")
    }
    mutating func encode(_ value: String, forKey key: Key) throws {
        writer.key(key, in: depth)
        writer.writeString(value)
    }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        writer.key(key, in: depth)
        try writer.writeDouble(value, codingPath: codingPath + [key])
    }
    mutating func encode(_ value: Float, forKey key: Key) throws {
        throw GoJSONEncodingError.unsupportedFloat32(path: (codingPath + [key]).map(\.stringValue).joined(separator: "."))
    }
    mutating func encode(_ value: Int, forKey key: Key) throws { integer(value, key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { integer(value, key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { integer(value, key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { integer(value, key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { integer(value, key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { integer(value, key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { integer(value, key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { integer(value, key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { integer(value, key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { integer(value, key) }

    private func integer(_ value: some BinaryInteger, _ key: Key) {
        writer.key(key, in: depth)
        writer.writeInteger(value)
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        writer.key(key, in: depth)
        try writer.writeValue(value, codingPath: codingPath + [key])
    }

    // Go writes every field, nil or not; synthesized conformances call these for optionals.
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
    mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { try optionalInteger(value, key) }
    mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws { try optionalInteger(value, key) }
    mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws { try optionalInteger(value, key) }
    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { try optionalInteger(value, key) }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { try optionalInteger(value, key) }
    mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws { try optionalInteger(value, key) }
    mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws { try optionalInteger(value, key) }
    mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws { try optionalInteger(value, key) }
    mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws { try optionalInteger(value, key) }
    mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws { try optionalInteger(value, key) }

    private mutating func optionalInteger(_ value: (some BinaryInteger)?, _ key: Key) throws {
        if let value { integer(value, key) } else { try encodeNil(forKey: key) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        writer.key(key, in: depth)
        let nested = writer.open(object: true, at: depth)
        return KeyedEncodingContainer(GoJSONKeyedContainer<NestedKey>(writer: writer, depth: nested, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        writer.key(key, in: depth)
        let nested = writer.open(object: false, at: depth)
        return GoJSONUnkeyedContainer(writer: writer, depth: nested, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder { superEncoder(forKey: GoJSONKey("super")) }

    mutating func superEncoder(forKey key: some CodingKey) -> any Encoder {
        writer.key(key, in: depth)
        return GoJSONStreamEncoder(writer: writer, base: depth, codingPath: codingPath + [key])
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder { superEncoder(forKey: GoJSONKey(key.stringValue)) }
}

struct GoJSONUnkeyedContainer: UnkeyedEncodingContainer {
    let writer: GoJSONWriter
    let depth: Int
    let codingPath: [any CodingKey]
    var count = 0

    init(writer: GoJSONWriter, depth: Int, codingPath: [any CodingKey]) {
        self.writer = writer
        self.depth = depth
        self.codingPath = codingPath
    }

    private mutating func next() {
        writer.nextElement(in: depth)
        count += 1
    }

    mutating func encodeNil() throws {
        next()
        writer.writeLiteral("null")
    }
    mutating func encode(_ value: String) throws {
        next()
        writer.writeString(value)
    }
    mutating func encode(_ value: Bool) throws {
        next()
        writer.writeLiteral(value ? "true" : "false")
    }
    mutating func encode(_ value: Int) throws {
        next()
        writer.writeInteger(value)
    }
    mutating func encode(_ value: UInt64) throws {
        next()
        writer.writeInteger(value)
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        next()
        try writer.writeValue(value, codingPath: codingPath + [GoJSONKey(intValue: count - 1) ?? GoJSONKey("")])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        next()
        let nested = writer.open(object: true, at: depth)
        return KeyedEncodingContainer(GoJSONKeyedContainer<NestedKey>(writer: writer, depth: nested, codingPath: codingPath))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        next()
        let nested = writer.open(object: false, at: depth)
        return GoJSONUnkeyedContainer(writer: writer, depth: nested, codingPath: codingPath)
    }

    mutating func superEncoder() -> any Encoder {
        next()
        return GoJSONStreamEncoder(writer: writer, base: depth, codingPath: codingPath)
    }
}

struct GoJSONSingleValueContainer: SingleValueEncodingContainer {
    let writer: GoJSONWriter
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { writer.writeLiteral("null") }
    mutating func encode(_ value: Bool) throws { writer.writeLiteral(value ? "true" : "false") }
    mutating func encode(_ value: String) throws { writer.writeString(value) }
    mutating func encode(_ value: Double) throws { try writer.writeDouble(value, codingPath: codingPath) }
    mutating func encode(_ value: Float) throws {
        throw GoJSONEncodingError.unsupportedFloat32(path: codingPath.map(\.stringValue).joined(separator: "."))
    }
    mutating func encode(_ value: Int) throws { writer.writeInteger(value) }
    mutating func encode(_ value: Int8) throws { writer.writeInteger(value) }
    mutating func encode(_ value: Int16) throws { writer.writeInteger(value) }
    mutating func encode(_ value: Int32) throws { writer.writeInteger(value) }
    mutating func encode(_ value: Int64) throws { writer.writeInteger(value) }
    mutating func encode(_ value: UInt) throws { writer.writeInteger(value) }
    mutating func encode(_ value: UInt8) throws { writer.writeInteger(value) }
    mutating func encode(_ value: UInt16) throws { writer.writeInteger(value) }
    mutating func encode(_ value: UInt32) throws { writer.writeInteger(value) }
    mutating func encode(_ value: UInt64) throws { writer.writeInteger(value) }
    mutating func encode<T: Encodable>(_ value: T) throws { try writer.writeValue(value, codingPath: codingPath) }
}
