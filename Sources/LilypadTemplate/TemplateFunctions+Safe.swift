/// Lilypad's template functions, hardened against hostile inputs.
///
/// Lilypad v2 puts `subst`'s result inside JSON quotes unescaped, so an input with a `"` or `\`
/// breaks the job spec (or injects fields into it), and Go's `js` escapes `'` as `\'`, which is
/// not valid JSON. These versions produce exactly the same bytes as Lilypad's for every input that
/// worked there, and valid JSON string content for every other input.
extension TemplateFunctions {
    /// `subst` and `js`, hardened (see above).
    public static let lilypadSafe = TemplateFunctions(["subst": safeSubst, "js": safeJS])

    /// `subst`, with its result escaped for use inside a JSON string: `"`, `\` and control
    /// characters become JSON escapes; everything else is left as Lilypad leaves it.
    static let safeSubst = Function(parameters: [.string], variadic: .string) { (arguments: [GoData?]) throws(TemplateFunctionError) -> GoData? in
        guard case .string(let bytes)? = try subst.call(arguments) else { return try subst.call(arguments) }
        return .string(jsonStringContent(bytes))
    }

    /// Go's `js`, with `\'` written as `\u0027` (the same character, valid in both JavaScript and JSON).
    static let safeJS = Function(parameters: [], variadic: .any) { (arguments: [GoData?]) throws(TemplateFunctionError) -> GoData? in
        let result: Operand
        let operands = arguments.map { $0.map(Operand.value) ?? .interface(nil) }
        do throws(FunctionFailure) {
            result = try TemplateBuiltin.js.call(operands)
        } catch {
            throw TemplateFunctionError(error.message)
        }
        guard case .string(let bytes)? = result.dynamicValue else { return result.dynamicValue }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count {
                if bytes[index + 1] == UInt8(ascii: "'") {
                    out += Array(#"\u0027"#.utf8)
                } else {
                    out += [bytes[index], bytes[index + 1]]
                }
                index += 2
                continue
            }
            out.append(bytes[index])
            index += 1
        }
        return .string(out)
    }

    /// The inside of a JSON string literal for `bytes` (no quotes added).
    static func jsonStringContent(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), byte]
            case 0x0A: out += Array(#"\n"#.utf8)
            case 0x0D: out += Array(#"\r"#.utf8)
            case 0x09: out += Array(#"\t"#.utf8)
            case 0..<0x20: out += Array(#"\u00"#.utf8) + [GoStrconv.lowerHex[Int(byte >> 4)], GoStrconv.lowerHex[Int(byte & 0xF)]]
            default: out.append(byte)
            }
        }
        return out
    }
}

extension LilypadRendering {
    /// Renders a module template as Lilypad v2 does (inputs JSON-encoded first), but with
    /// ``TemplateFunctions/lilypadSafe``: byte-identical output for every input Lilypad handled,
    /// valid JSON with each value intact for every other input.
    public static func renderSafely(template: String, name: String, inputs: [String: String]) throws(TemplateError) -> String {
        let parsed = try GoTemplate(name: name, parsing: template, functions: .lilypadSafe)
        return GoUTF8.string(try parsed.executeBytes { dataOperand(inputs) })
    }
}
