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
        var out: [UInt8] = []
        out.reserveCapacity(512)
        try GoJSONValue.box(value, codingPath: []).write(to: &out)
        return out
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
    func sortedEntries() -> [(key: String, value: any Encodable)]
}

extension Dictionary: StringKeyedDictionary where Key == String, Value: Encodable {
    func sortedEntries() -> [(key: String, value: any Encodable)] {
        map { ($0.key, $0.value as any Encodable) }.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
    }
}

/// The encoder's intermediate tree. Containers are reference types so nested containers handed out
/// by `Encoder` can be filled after their parent took them.
enum GoJSONValue {
    case null
    case literal(String)  // numbers, true, false
    case string(String)
    case array(ArrayStorage)
    case object(ObjectStorage)

    final class ArrayStorage {
        var values: [GoJSONValue] = []
    }

    final class ObjectStorage {
        var keys: [String] = []
        var values: [String: GoJSONValue] = [:]

        func set(_ key: String, _ value: GoJSONValue) {
            if values.updateValue(value, forKey: key) == nil { keys.append(key) }
        }
    }

    static func box<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws -> GoJSONValue {
        switch value {
        case let string as String: return .string(string)
        case let bool as Bool: return .literal(bool ? "true" : "false")
        case let int as any BinaryInteger: return .literal(String(describing: int))
        case let double as Double: return try float(double, codingPath: codingPath)
        case is Float: throw GoJSONEncodingError.unsupportedFloat32(path: codingPath.map(\.stringValue).joined(separator: "."))
        case let dictionary as any StringKeyedDictionary:
            let object = ObjectStorage()
            for (key, element) in dictionary.sortedEntries() {
                object.set(key, try box(element, codingPath: codingPath + [GoJSONKey(key)]))
            }
            return .object(object)
        default:
            let encoder = GoJSONValueEncoder(codingPath: codingPath)
            try value.encode(to: encoder)
            return encoder.result ?? .object(ObjectStorage())
        }
    }

    /// Go's float formatting for JSON: the shortest round-tripping digits, in `'f'` notation for
    /// 1e-6 ≤ |x| < 1e21 and `'e'` notation otherwise, with `e-07` shortened to `e-7`.
    private static func float(_ value: Double, codingPath: [any CodingKey]) throws -> GoJSONValue {
        guard value.isFinite else {
            throw GoJSONEncodingError.unsupportedFloat(value, path: codingPath.map(\.stringValue).joined(separator: "."))
        }
        if value == 0 { return .literal("0") }
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
        return .literal(out)
    }

    func write(to out: inout [UInt8]) {
        switch self {
        case .null: out += Array("null".utf8)
        case .literal(let text): out += Array(text.utf8)
        case .string(let string): GoJSONValue.writeString(string, to: &out)
        case .array(let storage):
            out.append(UInt8(ascii: "["))
            for (index, value) in storage.values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                value.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let storage):
            out.append(UInt8(ascii: "{"))
            for (index, key) in storage.keys.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                GoJSONValue.writeString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                storage.values[key]?.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    static func writeString(_ string: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        let bytes = Array(string.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""): out += [0x5C, 0x22]
            case UInt8(ascii: "\\"): out += [0x5C, 0x5C]
            case 0x08: out += [0x5C, UInt8(ascii: "b")]
            case 0x0C: out += [0x5C, UInt8(ascii: "f")]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]
            case 0x09: out += [0x5C, UInt8(ascii: "t")]
            case 0..<0x20, UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"):
                out += Array("\\u00".utf8) + [hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]]
            case 0xE2 where index + 2 < bytes.count && bytes[index + 1] == 0x80 && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9):
                // U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR, which break JavaScript.
                out += Array("\\u202".utf8) + [bytes[index + 2] == 0xA8 ? UInt8(ascii: "8") : UInt8(ascii: "9")]
                index += 2
            default: out.append(byte)
            }
            index += 1
        }
        out.append(UInt8(ascii: "\""))
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

final class GoJSONValueEncoder: Encoder {
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var result: GoJSONValue?

    init(codingPath: [any CodingKey]) { self.codingPath = codingPath }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let storage: GoJSONValue.ObjectStorage
        if case .object(let existing) = result {
            storage = existing
        } else {
            storage = GoJSONValue.ObjectStorage()
            result = .object(storage)
        }
        return KeyedEncodingContainer(GoJSONKeyedContainer<Key>(storage: storage, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let storage: GoJSONValue.ArrayStorage
        if case .array(let existing) = result {
            storage = existing
        } else {
            storage = GoJSONValue.ArrayStorage()
            result = .array(storage)
        }
        return GoJSONUnkeyedContainer(storage: storage, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { GoJSONSingleValueContainer(encoder: self) }
}

struct GoJSONKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let storage: GoJSONValue.ObjectStorage
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws { storage.set(key.stringValue, .null) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        storage.set(key.stringValue, try GoJSONValue.box(value, codingPath: codingPath + [key]))
    }

    // Go writes every field, nil or not; synthesized conformances call these for optionals.
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws { try encodeOptional(value, key) }

    private mutating func encodeOptional<T: Encodable>(_ value: T?, _ key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let nested = GoJSONValue.ObjectStorage()
        storage.set(key.stringValue, .object(nested))
        return KeyedEncodingContainer(GoJSONKeyedContainer<NestedKey>(storage: nested, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = GoJSONValue.ArrayStorage()
        storage.set(key.stringValue, .array(nested))
        return GoJSONUnkeyedContainer(storage: nested, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder { GoJSONValueEncoder(codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { GoJSONValueEncoder(codingPath: codingPath + [key]) }
}

struct GoJSONUnkeyedContainer: UnkeyedEncodingContainer {
    let storage: GoJSONValue.ArrayStorage
    let codingPath: [any CodingKey]
    var count: Int { storage.values.count }

    mutating func encodeNil() throws { storage.values.append(.null) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        storage.values.append(try GoJSONValue.box(value, codingPath: codingPath + [GoJSONKey(intValue: count) ?? GoJSONKey("")]))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let nested = GoJSONValue.ObjectStorage()
        storage.values.append(.object(nested))
        return KeyedEncodingContainer(GoJSONKeyedContainer<NestedKey>(storage: nested, codingPath: codingPath))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = GoJSONValue.ArrayStorage()
        storage.values.append(.array(nested))
        return GoJSONUnkeyedContainer(storage: nested, codingPath: codingPath)
    }

    mutating func superEncoder() -> any Encoder { GoJSONValueEncoder(codingPath: codingPath) }
}

struct GoJSONSingleValueContainer: SingleValueEncodingContainer {
    let encoder: GoJSONValueEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil() throws { encoder.result = .null }

    mutating func encode<T: Encodable>(_ value: T) throws {
        encoder.result = try GoJSONValue.box(value, codingPath: codingPath)
    }
}
