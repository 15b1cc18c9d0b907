/// A JSON decoder with Go `encoding/json` semantics for decoding into `interface{}`: numbers become
/// `float64`, invalid UTF-8 and lone surrogates become U+FFFD, later duplicate keys win, nesting is
/// limited to 10000 levels.
struct GoJSON {
    /// Why a document was refused, worded like Go's errors.
    struct DecodingError: Error, CustomStringConvertible {
        var description: String
    }

    static let maximumDepth = 10_000

    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Decodes a complete document; `nil` inside `.some` is JSON `null`.
    static func decode(_ bytes: [UInt8]) throws(DecodingError) -> GoData? {
        var decoder = GoJSON(bytes)
        decoder.skipSpace()
        let value = try decoder.parseValue()
        decoder.skipSpace()
        guard decoder.index == bytes.count else { throw decoder.syntaxError("after top-level value") }
        return value
    }

    /// Whether arrays and objects in a document nest more than `limit` levels deep (found without recursing).
    static func isNested(_ bytes: [UInt8], deeperThan limit: Int) -> Bool {
        var depth = 0
        var inString = false
        var escaped = false
        for byte in bytes {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > limit { return true }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return false
    }

    /// `json.Unmarshal(data, &s)` for a Go string `s`: a JSON string, or `null` (which leaves `s` empty).
    static func decodeString(_ bytes: [UInt8]) throws(DecodingError) -> [UInt8] {
        switch try decode(bytes) {
        case nil: return []
        case .string(let value): return value
        case let other?:
            let kind =
                switch other {
                case .bool: "bool"
                case .slice: "array"
                case .map: "object"
                default: "number"
                }
            throw DecodingError(description: "json: cannot unmarshal \(kind) into Go value of type string")
        }
    }

    private func syntaxError(_ context: String) -> DecodingError {
        if index >= bytes.count { return DecodingError(description: "unexpected end of JSON input") }
        // Go's quoteChar: the byte quoted like a Go string, but between single quotes.
        let byte = bytes[index]
        let character: String
        switch byte {
        case UInt8(ascii: "'"): character = #"'\''"#
        case UInt8(ascii: "\""): character = #"'"'"#
        default: character = "'" + GoFormat.format("%q", .string([byte])).dropFirst().dropLast() + "'"
        }
        return DecodingError(description: "invalid character \(character) \(context)")
    }

    private mutating func skipSpace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    private mutating func expectLiteral(_ word: String) throws(DecodingError) {
        for byte in word.utf8 {
            guard index < bytes.count, bytes[index] == byte else {
                throw syntaxError("in literal \(word) (expecting '\(Character(Unicode.Scalar(byte)))')")
            }
            index += 1
        }
    }

    private mutating func parseValue() throws(DecodingError) -> GoData? {
        guard index < bytes.count else { throw syntaxError("looking for beginning of value") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return nil
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .float64(try parseNumber())
        default:
            throw syntaxError("looking for beginning of value")
        }
    }

    private mutating func enter() throws(DecodingError) {
        depth += 1
        if depth > Self.maximumDepth { throw DecodingError(description: "exceeded max depth") }
    }

    private mutating func parseObject() throws(DecodingError) -> GoData {
        try enter()
        index += 1
        var entries: [[UInt8]: GoData?] = [:]
        skipSpace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .map(entries)
        }
        while true {
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw syntaxError("looking for beginning of object key string") }
            let key = try parseString()
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw syntaxError("after object key") }
            index += 1
            skipSpace()
            entries[key] = .some(try parseValue())
            skipSpace()
            guard index < bytes.count else { throw syntaxError("after object key:value pair") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "}") else { throw syntaxError("after object key:value pair") }
            index += 1
            depth -= 1
            return .map(entries)
        }
    }

    private mutating func parseArray() throws(DecodingError) -> GoData {
        try enter()
        index += 1
        var elements: [GoData?] = []
        skipSpace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .slice(GoSlice(decoded: elements))
        }
        while true {
            skipSpace()
            elements.append(try parseValue())
            skipSpace()
            guard index < bytes.count else { throw syntaxError("after array element") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "]") else { throw syntaxError("after array element") }
            index += 1
            depth -= 1
            return .slice(GoSlice(decoded: elements))
        }
    }

    private func isDigit(_ offset: Int) -> Bool {
        offset < bytes.count && bytes[offset] >= UInt8(ascii: "0") && bytes[offset] <= UInt8(ascii: "9")
    }

    private mutating func parseNumber() throws(DecodingError) -> Double {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard isDigit(index) else { throw syntaxError("in numeric literal") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while isDigit(index) { index += 1 }
        }
        if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard isDigit(index) else { throw syntaxError("after decimal point in numeric literal") }
            while isDigit(index) { index += 1 }
        }
        if index < bytes.count && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
            index += 1
            if index < bytes.count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) { index += 1 }
            guard isDigit(index) else { throw syntaxError("in exponent of numeric literal") }
            while isDigit(index) { index += 1 }
        }
        let literal = Array(bytes[start..<index])
        guard case .success(let value) = GoStrconv.parseFloat(literal) else {
            let text = String(decoding: literal, as: UTF8.self)
            throw DecodingError(description: "json: cannot unmarshal number \(text) into Go value of type float64")
        }
        return value
    }

    private func hex4(at offset: Int) -> UInt32? {
        guard offset + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for position in offset..<offset + 4 {
            guard let digit = GoStrconv.hexValue(bytes[position]) else { return nil }
            value = value << 4 | digit
        }
        return value
    }

    private mutating func parseString() throws(DecodingError) -> [UInt8] {
        index += 1
        var out: [UInt8] = []
        while true {
            guard index < bytes.count else { throw syntaxError("in string literal") }
            let c = bytes[index]
            switch c {
            case UInt8(ascii: "\""):
                index += 1
                return out
            case UInt8(ascii: "\\"):
                guard index + 1 < bytes.count else {
                    index = bytes.count
                    throw syntaxError("in string literal")
                }
                let escape = bytes[index + 1]
                index += 2
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard var rune = hex4(at: index) else { throw syntaxError("in \\u hexadecimal character escape") }
                    index += 4
                    if (0xD800...0xDFFF).contains(rune) {
                        if rune < 0xDC00, index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u"),
                            let low = hex4(at: index + 2), (0xDC00...0xDFFF).contains(low)
                        {
                            rune = 0x10000 + (rune - 0xD800) << 10 + (low - 0xDC00)
                            index += 6
                        } else {
                            rune = GoUTF8.runeError
                        }
                    }
                    GoUTF8.append(rune, to: &out)
                default:
                    index -= 1
                    throw syntaxError("in string escape code")
                }
            case 0..<0x20:
                throw syntaxError("in string literal")
            case 0x80...:
                let (rune, width) = GoUTF8.decode(bytes, at: index)
                if rune == GoUTF8.runeError && width == 1 {
                    GoUTF8.append(GoUTF8.runeError, to: &out)
                } else {
                    out.append(contentsOf: bytes[index..<index + width])
                }
                index += width
            default:
                out.append(c)
                index += 1
            }
        }
    }
}
