/// Go's `strconv.FormatFloat(v, fmt, prec, 64)` for the formats fmt uses: `e E f g G b x X`.
///
/// Digits come from an exact decimal expansion of the binary value (rounded half to even, as Go does),
/// or for the shortest representation (`prec < 0`) from Swift's own shortest round-trip digits.
enum GoFloat {
    /// Decimal digits `0.d1d2d3… × 10^point`, without trailing zeros; no digits means zero.
    struct Digits {
        var digits: [UInt8]
        var point: Int

        /// Rounds to `count` significant digits, halves to even (Go's `decimal.Round` on an exact value).
        mutating func round(to count: Int) {
            guard count >= 0, count < digits.count else { return }
            let roundUp: Bool
            if digits[count] == UInt8(ascii: "5") && count + 1 == digits.count {
                roundUp = count > 0 && (digits[count - 1] - UInt8(ascii: "0")) % 2 == 1
            } else {
                roundUp = digits[count] >= UInt8(ascii: "5")
            }
            if roundUp {
                var index = count - 1
                while index >= 0 && digits[index] == UInt8(ascii: "9") { index -= 1 }
                if index < 0 {
                    digits = [UInt8(ascii: "1")]
                    point += 1
                } else {
                    digits[index] += 1
                    digits.removeSubrange((index + 1)...)
                }
            } else {
                digits.removeSubrange(count...)
                trimZeros()
            }
        }

        mutating func trimZeros() {
            while digits.last == UInt8(ascii: "0") { digits.removeLast() }
            if digits.isEmpty { point = 0 }
        }
    }

    static func format(_ value: Double, _ verb: UInt8, precision: Int) -> [UInt8] {
        if value.isNaN { return Array("NaN".utf8) }
        if value.isInfinite { return Array((value < 0 ? "-Inf" : "+Inf").utf8) }
        let negative = value.sign == .minus
        let bits = value.bitPattern
        var exponent = Int(bits >> 52 & 0x7FF)
        var mantissa = bits & (1 << 52 - 1)
        if exponent == 0 {
            exponent += 1
        } else {
            mantissa |= 1 << 52
        }
        exponent -= 1023
        switch verb {
        case UInt8(ascii: "b"):
            return binaryExponent(negative: negative, mantissa: mantissa, exponent: exponent)
        case UInt8(ascii: "x"), UInt8(ascii: "X"):
            return hexadecimal(negative: negative, mantissa: mantissa, exponent: exponent, precision: precision, verb: verb)
        default:
            break
        }
        var prec = precision
        let shortest = prec < 0
        var digits: Digits
        if shortest {
            digits = shortestDigits(value.magnitude)
            switch verb {
            case UInt8(ascii: "e"), UInt8(ascii: "E"): prec = max(digits.digits.count - 1, 0)
            case UInt8(ascii: "f"): prec = max(digits.digits.count - digits.point, 0)
            default: prec = digits.digits.count
            }
        } else {
            digits = exactDigits(mantissa: mantissa, exponent: exponent - 52)
            switch verb {
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                digits.round(to: prec + 1)
            case UInt8(ascii: "f"):
                digits.round(to: digits.point + prec)
            default:
                if prec == 0 { prec = 1 }
                digits.round(to: prec)
            }
        }
        return formatDigits(digits, negative: negative, shortest: shortest, precision: prec, verb: verb)
    }

    private static func formatDigits(_ d: Digits, negative: Bool, shortest: Bool, precision: Int, verb: UInt8) -> [UInt8] {
        switch verb {
        case UInt8(ascii: "e"), UInt8(ascii: "E"):
            return exponential(d, negative: negative, precision: precision, verb: verb)
        case UInt8(ascii: "f"):
            return fixed(d, negative: negative, precision: precision)
        case UInt8(ascii: "g"), UInt8(ascii: "G"):
            var prec = precision
            var exponentLimit = prec
            if exponentLimit > d.digits.count && d.digits.count >= d.point { exponentLimit = d.digits.count }
            if shortest { exponentLimit = 6 }
            let exp = d.point - 1
            if exp < -4 || exp >= exponentLimit {
                if prec > d.digits.count { prec = d.digits.count }
                return exponential(d, negative: negative, precision: prec - 1, verb: verb + UInt8(ascii: "e") - UInt8(ascii: "g"))
            }
            if prec > d.point { prec = d.digits.count }
            return fixed(d, negative: negative, precision: max(prec - d.point, 0))
        default:
            return [UInt8(ascii: "%"), verb]
        }
    }

    private static func exponential(_ d: Digits, negative: Bool, precision: Int, verb: UInt8) -> [UInt8] {
        var out: [UInt8] = []
        if negative { out.append(UInt8(ascii: "-")) }
        out.append(d.digits.first ?? UInt8(ascii: "0"))
        if precision > 0 {
            out.append(UInt8(ascii: "."))
            var index = 1
            let available = min(d.digits.count, precision + 1)
            if index < available {
                out.append(contentsOf: d.digits[index..<available])
                index = available
            }
            while index <= precision {
                out.append(UInt8(ascii: "0"))
                index += 1
            }
        }
        out.append(verb)
        var exp = d.digits.isEmpty ? 0 : d.point - 1
        out.append(exp < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        exp = abs(exp)
        if exp < 10 { out.append(UInt8(ascii: "0")) }
        out.append(contentsOf: Array(String(exp).utf8))
        return out
    }

    private static func fixed(_ d: Digits, negative: Bool, precision: Int) -> [UInt8] {
        var out: [UInt8] = []
        if negative { out.append(UInt8(ascii: "-")) }
        if d.point > 0 {
            let available = min(d.digits.count, d.point)
            out.append(contentsOf: d.digits[0..<available])
            if available < d.point { out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: d.point - available)) }
        } else {
            out.append(UInt8(ascii: "0"))
        }
        if precision > 0 {
            out.append(UInt8(ascii: "."))
            for offset in 0..<precision {
                let index = d.point + offset
                out.append(index >= 0 && index < d.digits.count ? d.digits[index] : UInt8(ascii: "0"))
            }
        }
        return out
    }

    private static func binaryExponent(negative: Bool, mantissa: UInt64, exponent: Int) -> [UInt8] {
        var text = negative ? "-" : ""
        text += String(mantissa) + "p"
        let exp = exponent - 52
        if exp >= 0 { text += "+" }
        text += String(exp)
        return Array(text.utf8)
    }

    private static func hexadecimal(negative: Bool, mantissa m: UInt64, exponent e: Int, precision: Int, verb: UInt8) -> [UInt8] {
        var mantissa = m
        var exp = mantissa == 0 ? 0 : e
        mantissa <<= 60 - 52
        while mantissa != 0 && mantissa & (1 << 60) == 0 {
            mantissa <<= 1
            exp -= 1
        }
        if precision >= 0 && precision < 15 {
            let shift = UInt64(precision * 4)
            let extra = (mantissa << shift) & (1 << 60 - 1)
            mantissa >>= 60 - shift
            if extra | (mantissa & 1) > 1 << 59 { mantissa += 1 }
            mantissa <<= 60 - shift
            if mantissa & (1 << 61) != 0 {
                mantissa >>= 1
                exp += 1
            }
        }
        let hex = verb == UInt8(ascii: "X") ? GoStrconv.upperHex : GoStrconv.lowerHex
        var out: [UInt8] = []
        if negative { out.append(UInt8(ascii: "-")) }
        out.append(contentsOf: [UInt8(ascii: "0"), verb, UInt8(ascii: "0") + UInt8(mantissa >> 60 & 1)])
        mantissa <<= 4
        if precision < 0 && mantissa != 0 {
            out.append(UInt8(ascii: "."))
            while mantissa != 0 {
                out.append(hex[Int(mantissa >> 60 & 15)])
                mantissa <<= 4
            }
        } else if precision > 0 {
            out.append(UInt8(ascii: "."))
            for _ in 0..<precision {
                out.append(hex[Int(mantissa >> 60 & 15)])
                mantissa <<= 4
            }
        }
        out.append(verb == UInt8(ascii: "X") ? UInt8(ascii: "P") : UInt8(ascii: "p"))
        out.append(exp < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        exp = abs(exp)
        if exp < 10 { out.append(UInt8(ascii: "0")) }
        out.append(contentsOf: Array(String(exp).utf8))
        return out
    }

    /// The shortest digits that read back as `magnitude`, taken from Swift's round-trip `description`.
    static func shortestDigits(_ magnitude: Double) -> Digits {
        if magnitude == 0 { return Digits(digits: [], point: 0) }
        let text = Array(magnitude.description.utf8)
        var significand = text[...]
        var exponent = 0
        if let e = text.firstIndex(of: UInt8(ascii: "e")) {
            significand = text[..<e]
            exponent = Int(String(decoding: text[(e + 1)...], as: UTF8.self)) ?? 0
        }
        var digits: [UInt8] = []
        var point = 0
        var seenPoint = false
        for c in significand {
            if c == UInt8(ascii: ".") {
                seenPoint = true
                continue
            }
            if digits.isEmpty && c == UInt8(ascii: "0") {
                if seenPoint { point -= 1 }
                continue
            }
            digits.append(c)
            if !seenPoint { point += 1 }
        }
        var result = Digits(digits: digits, point: point + exponent)
        result.trimZeros()
        return result
    }

    /// The exact decimal expansion of `mantissa × 2^exponent`.
    static func exactDigits(mantissa: UInt64, exponent: Int) -> Digits {
        if mantissa == 0 { return Digits(digits: [], point: 0) }
        // Little-endian limbs in base 10^9.
        let base: UInt64 = 1_000_000_000
        var limbs: [UInt64] = [mantissa % base, mantissa / base % base, mantissa / base / base]
        func multiply(by factor: UInt64) {
            var carry: UInt64 = 0
            for index in limbs.indices {
                let product = limbs[index] * factor + carry
                limbs[index] = product % base
                carry = product / base
            }
            while carry > 0 {
                limbs.append(carry % base)
                carry /= base
            }
        }
        var remaining = abs(exponent)
        // Multiply by 2^e, or by 5^-e and then place the decimal point e digits to the left.
        let (chunk, chunkFactor): (Int, UInt64) = exponent >= 0 ? (29, 1 << 29) : (12, 244_140_625)
        while remaining >= chunk {
            multiply(by: chunkFactor)
            remaining -= chunk
        }
        if remaining > 0 {
            var factor: UInt64 = 1
            for _ in 0..<remaining { factor *= exponent >= 0 ? 2 : 5 }
            multiply(by: factor)
        }
        while limbs.count > 1 && limbs.last == 0 { limbs.removeLast() }
        var digits = Array(String(limbs.last ?? 0).utf8)
        for limb in limbs.dropLast().reversed() {
            let text = Array(String(limb).utf8)
            digits.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: 9 - text.count))
            digits.append(contentsOf: text)
        }
        var result = Digits(digits: digits, point: exponent >= 0 ? digits.count : digits.count + exponent)
        result.trimZeros()
        return result
    }
}
