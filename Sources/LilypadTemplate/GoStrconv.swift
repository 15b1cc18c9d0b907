/// The parts of Go's `strconv` and `unicode` packages that templates depend on, over byte strings.
enum GoStrconv {
    static let lowerHex = Array("0123456789abcdef".utf8)
    static let upperHex = Array("0123456789ABCDEF".utf8)

    // MARK: Character classes

    /// Go 1.23's tables are Unicode 15.0.0; characters assigned since then are unassigned (not printable,
    /// not letters) to Go, so they are ignored here too.
    private static func goScalar(_ rune: UInt32) -> Unicode.Scalar? {
        guard let scalar = Unicode.Scalar(rune), let age = scalar.properties.age else { return nil }
        return age.major < 15 || (age.major == 15 && age.minor == 0) ? scalar : nil
    }

    /// Go's `unicode.IsPrint` / `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space.
    static func isPrint(_ rune: UInt32) -> Bool {
        if rune <= 0xFF {
            if (0x20...0x7E).contains(rune) { return true }
            if (0xA1...0xFF).contains(rune) { return rune != 0xAD }
            return false
        }
        guard let scalar = goScalar(rune) else { return false }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .nonspacingMark, .spacingMark, .enclosingMark,
            .decimalNumber, .letterNumber, .otherNumber,
            .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
            .finalPunctuation, .otherPunctuation,
            .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return true
        default:
            return false
        }
    }

    /// Go's `unicode.IsLetter`.
    static func isLetter(_ rune: UInt32) -> Bool {
        if rune < 0x80 {
            return (0x41...0x5A).contains(rune) || (0x61...0x7A).contains(rune)
        }
        guard let scalar = goScalar(rune) else { return false }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    /// Go's `unicode.IsDigit` (decimal digits of any script).
    static func isDigit(_ rune: UInt32) -> Bool {
        if rune < 0x80 { return (0x30...0x39).contains(rune) }
        guard let scalar = goScalar(rune) else { return false }
        return scalar.properties.generalCategory == .decimalNumber
    }

    // MARK: Quoting

    /// `strconv.Quote` (or `QuoteToASCII` when `asciiOnly`), appended to `buffer`.
    static func appendQuoted(_ s: [UInt8], quote: UInt8 = UInt8(ascii: "\""), asciiOnly: Bool, to buffer: inout [UInt8]) {
        buffer.append(quote)
        var index = 0
        while index < s.count {
            var rune = UInt32(s[index])
            var width = 1
            if rune >= 0x80 { (rune, width) = GoUTF8.decode(s, at: index) }
            if width == 1 && rune == GoUTF8.runeError {
                buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "x"), lowerHex[Int(s[index] >> 4)], lowerHex[Int(s[index] & 0xF)]])
            } else {
                appendEscapedRune(rune, quote: quote, asciiOnly: asciiOnly, to: &buffer)
            }
            index += width
        }
        buffer.append(quote)
    }

    static func quoted(_ s: [UInt8], asciiOnly: Bool = false) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(s.count + 2)
        appendQuoted(s, asciiOnly: asciiOnly, to: &buffer)
        return buffer
    }

    /// `strconv.QuoteRune` (or `QuoteRuneToASCII`), appended to `buffer`.
    static func appendQuotedRune(_ rune: UInt32, asciiOnly: Bool, to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "'"))
        appendEscapedRune(GoUTF8.isValid(rune) ? rune : GoUTF8.runeError, quote: UInt8(ascii: "'"), asciiOnly: asciiOnly, to: &buffer)
        buffer.append(UInt8(ascii: "'"))
    }

    private static func appendEscapedRune(_ rune: UInt32, quote: UInt8, asciiOnly: Bool, to buffer: inout [UInt8]) {
        if rune == UInt32(quote) || rune == 0x5C {
            buffer.append(UInt8(ascii: "\\"))
            buffer.append(UInt8(rune))
            return
        }
        if asciiOnly {
            if rune < 0x80 && isPrint(rune) {
                buffer.append(UInt8(rune))
                return
            }
        } else if isPrint(rune) {
            GoUTF8.append(rune, to: &buffer)
            return
        }
        let shortForms: [UInt32: UInt8] = [
            7: UInt8(ascii: "a"), 8: UInt8(ascii: "b"), 12: UInt8(ascii: "f"), 10: UInt8(ascii: "n"), 13: UInt8(ascii: "r"), 9: UInt8(ascii: "t"),
            11: UInt8(ascii: "v"),
        ]
        if let letter = shortForms[rune] {
            buffer.append(UInt8(ascii: "\\"))
            buffer.append(letter)
            return
        }
        var r = rune
        if r < 0x20 || r == 0x7F {
            buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "x"), lowerHex[Int(r >> 4 & 0xF)], lowerHex[Int(r & 0xF)]])
            return
        }
        if !GoUTF8.isValid(r) { r = GoUTF8.runeError }
        let digits = r < 0x10000 ? 4 : 8
        buffer.append(UInt8(ascii: "\\"))
        buffer.append(digits == 4 ? UInt8(ascii: "u") : UInt8(ascii: "U"))
        for shift in stride(from: (digits - 1) * 4, through: 0, by: -4) {
            buffer.append(lowerHex[Int(r >> UInt32(shift) & 0xF)])
        }
    }

    /// `strconv.CanBackquote`.
    static func canBackquote(_ s: [UInt8]) -> Bool {
        var index = 0
        while index < s.count {
            let (rune, width) = GoUTF8.decode(s, at: index)
            index += width
            if width > 1 {
                if rune == 0xFEFF { return false }
                continue
            }
            if rune == GoUTF8.runeError { return false }
            if (rune < 0x20 && rune != 0x09) || rune == 0x60 || rune == 0x7F { return false }
        }
        return true
    }

    // MARK: Unquoting

    /// `strconv.UnquoteChar`: decodes one character or escape of a quoted literal starting at `index`.
    static func unquoteChar(_ s: [UInt8], at index: Int, quote: UInt8) -> (value: UInt32, multibyte: Bool, next: Int)? {
        guard index < s.count else { return nil }
        let c = s[index]
        if c == quote && (quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\"")) { return nil }
        if c >= 0x80 {
            let (rune, width) = GoUTF8.decode(s, at: index)
            return (rune, true, index + width)
        }
        if c != UInt8(ascii: "\\") { return (UInt32(c), false, index + 1) }
        guard index + 1 < s.count else { return nil }
        let escape = s[index + 1]
        var next = index + 2
        switch escape {
        case UInt8(ascii: "a"): return (7, false, next)
        case UInt8(ascii: "b"): return (8, false, next)
        case UInt8(ascii: "f"): return (12, false, next)
        case UInt8(ascii: "n"): return (10, false, next)
        case UInt8(ascii: "r"): return (13, false, next)
        case UInt8(ascii: "t"): return (9, false, next)
        case UInt8(ascii: "v"): return (11, false, next)
        case UInt8(ascii: "x"), UInt8(ascii: "u"), UInt8(ascii: "U"):
            let count = escape == UInt8(ascii: "x") ? 2 : escape == UInt8(ascii: "u") ? 4 : 8
            guard next + count <= s.count else { return nil }
            var value: UInt32 = 0
            for offset in 0..<count {
                guard let digit = hexValue(s[next + offset]) else { return nil }
                value = value << 4 | digit
            }
            next += count
            if escape == UInt8(ascii: "x") { return (value, false, next) }
            guard GoUTF8.isValid(value) else { return nil }
            return (value, true, next)
        case UInt8(ascii: "0")...UInt8(ascii: "7"):
            var value = UInt32(escape - UInt8(ascii: "0"))
            guard next + 2 <= s.count else { return nil }
            for offset in 0..<2 {
                let digit = s[next + offset]
                guard digit >= UInt8(ascii: "0") && digit <= UInt8(ascii: "7") else { return nil }
                value = value << 3 | UInt32(digit - UInt8(ascii: "0"))
            }
            next += 2
            guard value <= 255 else { return nil }
            return (value, false, next)
        case UInt8(ascii: "\\"):
            return (0x5C, false, next)
        case UInt8(ascii: "'"), UInt8(ascii: "\""):
            guard escape == quote else { return nil }
            return (UInt32(escape), false, next)
        default:
            return nil
        }
    }

    static func hexValue(_ c: UInt8) -> UInt32? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(c - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(c - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(c - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// `strconv.Unquote` for `"…"`, `` `…` `` and `'…'` literals; `nil` is Go's `invalid syntax`.
    static func unquote(_ s: [UInt8]) -> [UInt8]? {
        guard s.count >= 2, let quote = s.first, s.last == quote else { return nil }
        switch quote {
        case UInt8(ascii: "`"):
            let body = s[1..<s.count - 1]
            if body.contains(UInt8(ascii: "`")) { return nil }
            return body.filter { $0 != 0x0D }
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            var out: [UInt8] = []
            out.reserveCapacity(s.count)
            var index = 1
            let end = s.count - 1
            while index < end {
                if s[index] == 0x0A { return nil }
                guard let (value, multibyte, next) = unquoteChar(s, at: index, quote: quote), next <= end else { return nil }
                if value < 0x80 || !multibyte {
                    out.append(UInt8(truncatingIfNeeded: value))
                } else {
                    GoUTF8.append(value, to: &out)
                }
                index = next
                if quote == UInt8(ascii: "'") { break }
            }
            guard index == end else { return nil }
            return out
        default:
            return nil
        }
    }

    // MARK: Numbers

    enum NumberError: Error {
        case syntax
        case range
    }

    private static func lower(_ c: UInt8) -> UInt8 { c | 0x20 }

    /// `strconv.ParseUint(s, 0, 64)`.
    static func parseUint(_ s0: [UInt8]) -> Result<UInt64, NumberError> {
        guard !s0.isEmpty else { return .failure(.syntax) }
        var s = s0[...]
        var base: UInt64 = 10
        if s0[0] == UInt8(ascii: "0") {
            if s0.count >= 3 && lower(s0[1]) == UInt8(ascii: "b") {
                base = 2
                s = s0[2...]
            } else if s0.count >= 3 && lower(s0[1]) == UInt8(ascii: "o") {
                base = 8
                s = s0[2...]
            } else if s0.count >= 3 && lower(s0[1]) == UInt8(ascii: "x") {
                base = 16
                s = s0[2...]
            } else {
                base = 8
                s = s0[1...]
            }
        }
        var underscores = false
        var n: UInt64 = 0
        for c in s {
            var digit: UInt64
            if c == UInt8(ascii: "_") {
                underscores = true
                continue
            } else if c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") {
                digit = UInt64(c - UInt8(ascii: "0"))
            } else if lower(c) >= UInt8(ascii: "a") && lower(c) <= UInt8(ascii: "z") {
                digit = UInt64(lower(c) - UInt8(ascii: "a") + 10)
            } else {
                return .failure(.syntax)
            }
            if digit >= base { return .failure(.syntax) }
            let (product, overflow) = n.multipliedReportingOverflow(by: base)
            if overflow { return .failure(.range) }
            let (sum, carry) = product.addingReportingOverflow(digit)
            if carry { return .failure(.range) }
            n = sum
        }
        if underscores && !underscoreOK(s0) { return .failure(.syntax) }
        return .success(n)
    }

    /// `strconv.ParseInt(s, 0, 64)`.
    static func parseInt(_ s: [UInt8]) -> Result<Int64, NumberError> {
        guard !s.isEmpty else { return .failure(.syntax) }
        var negative = false
        var digits = s
        if s[0] == UInt8(ascii: "+") || s[0] == UInt8(ascii: "-") {
            negative = s[0] == UInt8(ascii: "-")
            digits = Array(s[1...])
        }
        switch parseUint(digits) {
        case .failure(let error):
            return .failure(error)
        case .success(let magnitude):
            if !negative && magnitude > UInt64(Int64.max) { return .failure(.range) }
            if negative && magnitude > UInt64(Int64.max) + 1 { return .failure(.range) }
            return .success(negative ? Int64(truncatingIfNeeded: 0 &- magnitude) : Int64(magnitude))
        }
    }

    /// Go's rule for `_` digit separators in number literals.
    static func underscoreOK(_ s0: [UInt8]) -> Bool {
        var s = s0[...]
        if let first = s.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") { s = s.dropFirst() }
        let chars = Array(s)
        var saw = UInt8(ascii: "^")
        var index = 0
        var hex = false
        if chars.count >= 2 && chars[0] == UInt8(ascii: "0")
            && [UInt8(ascii: "b"), UInt8(ascii: "o"), UInt8(ascii: "x")].contains(lower(chars[1]))
        {
            index = 2
            saw = UInt8(ascii: "0")
            hex = lower(chars[1]) == UInt8(ascii: "x")
        }
        while index < chars.count {
            let c = chars[index]
            index += 1
            if (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || (hex && lower(c) >= UInt8(ascii: "a") && lower(c) <= UInt8(ascii: "f")) {
                saw = UInt8(ascii: "0")
                continue
            }
            if c == UInt8(ascii: "_") {
                if saw != UInt8(ascii: "0") { return false }
                saw = c
                continue
            }
            if saw == UInt8(ascii: "_") { return false }
            saw = UInt8(ascii: "!")
        }
        return saw != UInt8(ascii: "_")
    }

    /// `strconv.ParseFloat(s, 64)`: decimal or hexadecimal Go float syntax with `_` separators.
    /// Overflow is a range error, as in Go; underflow rounds to zero.
    static func parseFloat(_ s: [UInt8]) -> Result<Double, NumberError> {
        if let special = parseSpecial(s) { return .success(special) }
        var index = 0
        var negative = false
        var underscores = false
        if index < s.count && (s[index] == UInt8(ascii: "+") || s[index] == UInt8(ascii: "-")) {
            negative = s[index] == UInt8(ascii: "-")
            index += 1
        }
        var hex = false
        if index + 2 < s.count && s[index] == UInt8(ascii: "0") && lower(s[index + 1]) == UInt8(ascii: "x") {
            hex = true
            index += 2
        }
        var mantissa: [UInt8] = []
        var sawDot = false
        var sawDigits = false
        scan: while index < s.count {
            let c = s[index]
            switch c {
            case UInt8(ascii: "_"):
                underscores = true
            case UInt8(ascii: "."):
                if sawDot { break scan }
                sawDot = true
                mantissa.append(c)
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                sawDigits = true
                mantissa.append(c)
            case _ where hex && lower(c) >= UInt8(ascii: "a") && lower(c) <= UInt8(ascii: "f"):
                sawDigits = true
                mantissa.append(c)
            default:
                break scan
            }
            index += 1
        }
        guard sawDigits else { return .failure(.syntax) }
        var exponentValue = 0
        var exponentNegative = false
        let exponentChar = hex ? UInt8(ascii: "p") : UInt8(ascii: "e")
        if index < s.count && lower(s[index]) == exponentChar {
            index += 1
            guard index < s.count else { return .failure(.syntax) }
            if s[index] == UInt8(ascii: "+") || s[index] == UInt8(ascii: "-") {
                exponentNegative = s[index] == UInt8(ascii: "-")
                index += 1
            }
            guard index < s.count, s[index] >= UInt8(ascii: "0"), s[index] <= UInt8(ascii: "9") else { return .failure(.syntax) }
            while index < s.count && ((s[index] >= UInt8(ascii: "0") && s[index] <= UInt8(ascii: "9")) || s[index] == UInt8(ascii: "_")) {
                if s[index] == UInt8(ascii: "_") {
                    underscores = true
                } else if exponentValue < 10_000 {
                    // Go stops accumulating here too; the result has over- or underflowed long before.
                    exponentValue = exponentValue * 10 + Int(s[index] - UInt8(ascii: "0"))
                }
                index += 1
            }
        } else if hex {
            return .failure(.syntax)
        }
        guard index == s.count else { return .failure(.syntax) }
        if underscores && !underscoreOK(s) { return .failure(.syntax) }
        var text = negative ? "-" : ""
        if hex { text += "0x" }
        text += String(decoding: mantissa, as: UTF8.self)
        text += (hex ? "p" : "e") + String(exponentNegative ? -exponentValue : exponentValue)
        guard let value = Double(text) else { return .failure(.syntax) }
        if value.isInfinite { return .failure(.range) }
        return .success(value)
    }

    private static func parseSpecial(_ s: [UInt8]) -> Double? {
        var body = s[...]
        var sign = 1.0
        if let first = body.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            sign = first == UInt8(ascii: "-") ? -1 : 1
            body = body.dropFirst()
        }
        let word = String(decoding: body.map { lower($0) }, as: UTF8.self)
        if word == "inf" || word == "infinity" { return sign * .infinity }
        if word == "nan" && body.count == s.count { return .nan }
        return nil
    }
}
