/// Reads numeric constants the way Go's template parser does (`parse.NumberNode`): integers in any Go base
/// with `_` separators, floats (decimal and hexadecimal), imaginary and complex numbers, and character constants.
enum NumberParser {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func parse(_ text: String, kind: TemplateToken.Kind) -> Result<NumberNode, Failure> {
        var node = NumberNode(position: 0, text: text)
        let bytes = Array(text.utf8)
        let quoted = GoFormat.format("%q", .string(bytes))
        switch kind {
        case .charConstant:
            guard let (rune, _, next) = GoStrconv.unquoteChar(bytes, at: 1, quote: UInt8(ascii: "'")) else {
                return .failure(Failure(description: "invalid syntax"))
            }
            guard next == bytes.count - 1, bytes.last == UInt8(ascii: "'") else {
                return .failure(Failure(description: "malformed character constant: \(text)"))
            }
            node.int64 = Int64(rune)
            node.uint64 = UInt64(rune)
            node.float64 = Double(rune)
            node.isInt = true
            node.isUint = true
            node.isFloat = true
            return .success(node)
        case .complex:
            let re: Double
            let im: Double
            switch scanComplex(bytes) {
            case .success(let parts): (re, im) = parts
            case .failure(let failure): return .failure(failure)
            }
            node.isComplex = true
            node.complex = (re, im)
            simplifyComplex(&node)
            return .success(node)
        default:
            break
        }
        if bytes.last == UInt8(ascii: "i"), case .success(let im) = GoStrconv.parseFloat(Array(bytes.dropLast())) {
            node.isComplex = true
            node.complex = (0, im)
            simplifyComplex(&node)
            return .success(node)
        }
        var unsigned: UInt64 = 0
        if case .success(let u) = GoStrconv.parseUint(bytes) {
            node.isUint = true
            node.uint64 = u
            unsigned = u
        }
        if case .success(let i) = GoStrconv.parseInt(bytes) {
            node.isInt = true
            node.int64 = i
            if i == 0 {
                node.isUint = true
                node.uint64 = unsigned
            }
        }
        if node.isInt {
            node.isFloat = true
            node.float64 = Double(node.int64)
        } else if node.isUint {
            node.isFloat = true
            node.float64 = Double(node.uint64)
        } else if case .success(let f) = GoStrconv.parseFloat(bytes) {
            if !bytes.contains(where: { ".eEpP".utf8.contains($0) }) {
                return .failure(Failure(description: "integer overflow: \(quoted)"))
            }
            node.isFloat = true
            node.float64 = f
            if let i = Int64(exactly: f) {
                node.isInt = true
                node.int64 = i
            }
            if let u = UInt64(exactly: f) {
                node.isUint = true
                node.uint64 = u
            }
        }
        if !node.isInt && !node.isUint && !node.isFloat {
            return .failure(Failure(description: "illegal number syntax: \(quoted)"))
        }
        return .success(node)
    }

    private static func simplifyComplex(_ node: inout NumberNode) {
        node.isFloat = node.complex.im == 0
        guard node.isFloat else { return }
        node.float64 = node.complex.re
        if let i = Int64(exactly: node.float64) {
            node.isInt = true
            node.int64 = i
        }
        if let u = UInt64(exactly: node.float64) {
            node.isUint = true
            node.uint64 = u
        }
    }

    /// `fmt.Sscan` into a `complex128`: a real part, a sign, an imaginary part and `i`; failures read like fmt's.
    private static func scanComplex(_ s: [UInt8]) -> Result<(Double, Double), Failure> {
        var index = 0
        func accept(_ set: String) -> Bool {
            guard index < s.count, set.utf8.contains(s[index]) else { return false }
            index += 1
            return true
        }
        func floatToken() -> [UInt8] {
            let start = index
            if accept("nN") && accept("aA") && accept("nN") { return Array(s[start..<index]) }
            _ = accept("+-")
            if accept("iI") && accept("nN") && accept("fF") { return Array(s[start..<index]) }
            var digits = "0123456789_"
            var exponent = "eEpP"
            if accept("0") && accept("xX") {
                digits = "0123456789aAbBcCdDeEfF_"
                exponent = "pP"
            }
            while accept(digits) {}
            if accept(".") { while accept(digits) {} }
            if accept(exponent) {
                _ = accept("+-")
                while accept("0123456789_") {}
            }
            return Array(s[start..<index])
        }
        func numberError(_ function: String, _ token: [UInt8], _ error: GoStrconv.NumberError) -> Failure {
            let reason = error == .range ? "value out of range" : "invalid syntax"
            return Failure(description: "strconv.\(function): parsing \(GoFormat.format("%q", .string(token))): \(reason)")
        }
        /// fmt's `convertFloat`, which also reads a decimal mantissa with a binary exponent (`1.5p3`).
        func convert(_ token: [UInt8]) -> Result<Double, Failure> {
            let hasX = token.contains(UInt8(ascii: "x")) || token.contains(UInt8(ascii: "X"))
            if let p = token.firstIndex(of: UInt8(ascii: "p")), !hasX {
                let mantissa: Double
                switch GoStrconv.parseFloat(Array(token[..<p])) {
                case .success(let value): mantissa = value
                case .failure(let error): return .failure(numberError("ParseFloat", token, error))
                }
                // strconv.Atoi: an optionally signed decimal integer.
                var exponentText = token[(p + 1)...]
                var negative = false
                if let sign = exponentText.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                    negative = sign == UInt8(ascii: "-")
                    exponentText = exponentText.dropFirst()
                }
                guard !exponentText.isEmpty, exponentText.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
                    return .failure(numberError("Atoi", token, .syntax))
                }
                guard let magnitude = Int(String(decoding: exponentText, as: UTF8.self)) else {
                    return .failure(numberError("Atoi", token, .range))
                }
                // math.Ldexp: mantissa × 2^exponent, correctly rounded.
                return .success(Double(sign: .plus, exponent: negative ? -magnitude : magnitude, significand: mantissa))
            }
            return GoStrconv.parseFloat(token).mapError { numberError("ParseFloat", token, $0) }
        }
        let complexError = Failure(description: "syntax error scanning complex number")
        let real = floatToken()
        guard index < s.count, s[index] == UInt8(ascii: "+") || s[index] == UInt8(ascii: "-") else { return .failure(complexError) }
        let sign = s[index]
        index += 1
        let imaginary = [sign] + floatToken()
        guard accept("i") else { return .failure(complexError) }
        switch (convert(real), convert(imaginary)) {
        case (.success(let re), .success(let im)): return .success((re, im))
        case (.failure(let error), _), (_, .failure(let error)): return .failure(error)
        }
    }

}
