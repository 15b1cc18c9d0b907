/// Go's `fmt.Sprint`, `fmt.Sprintln` and `fmt.Sprintf` for the values templates handle, byte for byte,
/// including Go's in-band error forms (`%!d(string=hi)`, `%!s(MISSING)`, `%!(EXTRA …)`, `%!(NOVERB)`).
struct GoFormat {
    /// `fmt.Sprint`: operands are separated by a space when neither side is a string.
    static func sprint(_ args: [GoData?]) -> [UInt8] {
        var printer = GoFormat()
        var previousIsString = false
        for (index, arg) in args.enumerated() {
            let isString: Bool
            if case .string = arg { isString = true } else { isString = false }
            if index > 0 && !isString && !previousIsString { printer.buffer.append(UInt8(ascii: " ")) }
            printer.printArg(arg, verb: UInt32(UInt8(ascii: "v")))
            previousIsString = isString
        }
        return printer.buffer
    }

    /// `fmt.Sprintln`: operands always separated by spaces, newline appended.
    static func sprintln(_ args: [GoData?]) -> [UInt8] {
        var printer = GoFormat()
        for (index, arg) in args.enumerated() {
            if index > 0 { printer.buffer.append(UInt8(ascii: " ")) }
            printer.printArg(arg, verb: UInt32(UInt8(ascii: "v")))
        }
        printer.buffer.append(UInt8(ascii: "\n"))
        return printer.buffer
    }

    /// `fmt.Sprintf`.
    static func sprintf(_ format: [UInt8], _ args: [GoData?]) -> [UInt8] {
        var printer = GoFormat()
        printer.printf(format, args)
        return printer.buffer
    }

    /// Formats one value with a complete verb such as `%#U` or `%.10q`, for diagnostics.
    static func format(_ verb: String, _ arg: GoData?) -> String {
        GoUTF8.string(sprintf(Array(verb.utf8), [arg]))
    }

    // MARK: State

    private struct Flags {
        var widthPresent = false
        var precisionPresent = false
        var minus = false
        var plus = false
        var sharp = false
        var space = false
        var zero = false
        var plusV = false
        var sharpV = false
        var width = 0
        var precision = 0
    }

    /// A value being printed by `printValue`: a concrete value or an element of static type `interface{}`.
    private enum Printed {
        case concrete(GoData)
        case interface(GoData?)
    }

    /// What a bad verb reports: the top-level argument, or the value being printed inside a container.
    private enum Subject {
        case none
        case argument(GoData)
        case value(GoData)
    }

    private(set) var buffer: [UInt8] = []
    private var flags = Flags()
    private var subject = Subject.none
    private var erroring = false
    private var reordered = false
    private var goodArgumentNumber = true

    private static let verbV = UInt32(UInt8(ascii: "v"))

    // MARK: Padding (fmt's format.go)

    private mutating func writePadding(_ count: Int) {
        guard count > 0 else { return }
        let byte = flags.zero && !flags.minus ? UInt8(ascii: "0") : UInt8(ascii: " ")
        buffer.append(contentsOf: repeatElement(byte, count: count))
    }

    private mutating func pad(_ bytes: [UInt8]) {
        guard flags.widthPresent && flags.width != 0 else {
            buffer.append(contentsOf: bytes)
            return
        }
        let width = flags.width - GoUTF8.runeCount(bytes)
        if flags.minus {
            buffer.append(contentsOf: bytes)
            writePadding(width)
        } else {
            writePadding(width)
            buffer.append(contentsOf: bytes)
        }
    }

    private mutating func padWithoutZeros(_ bytes: [UInt8]) {
        let oldZero = flags.zero
        flags.zero = false
        pad(bytes)
        flags.zero = oldZero
    }

    private mutating func formatBoolean(_ value: Bool) {
        pad(Array((value ? "true" : "false").utf8))
    }

    private mutating func formatUnicode(_ u: UInt64) {
        var precision = 4
        if flags.precisionPresent && flags.precision > 4 { precision = flags.precision }
        var hex: [UInt8] = []
        var value = u
        repeat {
            hex.append(GoStrconv.upperHex[Int(value & 0xF)])
            value >>= 4
        } while value != 0
        while hex.count < precision { hex.append(UInt8(ascii: "0")) }
        var out = Array("U+".utf8) + hex.reversed()
        if flags.sharp && u <= UInt64(GoUTF8.maxRune) && GoStrconv.isPrint(UInt32(u)) {
            out.append(contentsOf: Array(" '".utf8))
            GoUTF8.append(UInt32(u), to: &out)
            out.append(UInt8(ascii: "'"))
        }
        padWithoutZeros(out)
    }

    private mutating func formatInteger(_ value: UInt64, base: UInt64, signed: Bool, verb: UInt32, upper: Bool) {
        let negative = signed && Int64(bitPattern: value) < 0
        var u = negative ? 0 &- value : value
        var precision = 0
        if flags.precisionPresent {
            precision = flags.precision
            if precision == 0 && u == 0 {
                let oldZero = flags.zero
                flags.zero = false
                writePadding(flags.width)
                flags.zero = oldZero
                return
            }
        } else if flags.zero && !flags.minus && flags.widthPresent {
            precision = flags.width
            if negative || flags.plus || flags.space { precision -= 1 }
        }
        let digits = upper ? GoStrconv.upperHex : GoStrconv.lowerHex
        var reversed: [UInt8] = []
        repeat {
            reversed.append(digits[Int(u % base)])
            u /= base
        } while u != 0
        while reversed.count < precision { reversed.append(UInt8(ascii: "0")) }
        if flags.sharp {
            switch base {
            case 2: reversed.append(contentsOf: [UInt8(ascii: "b"), UInt8(ascii: "0")])
            case 8: if reversed.last != UInt8(ascii: "0") { reversed.append(UInt8(ascii: "0")) }
            case 16: reversed.append(contentsOf: [upper ? UInt8(ascii: "X") : UInt8(ascii: "x"), UInt8(ascii: "0")])
            default: break
            }
        }
        if verb == UInt32(UInt8(ascii: "O")) { reversed.append(contentsOf: [UInt8(ascii: "o"), UInt8(ascii: "0")]) }
        if negative {
            reversed.append(UInt8(ascii: "-"))
        } else if flags.plus {
            reversed.append(UInt8(ascii: "+"))
        } else if flags.space {
            reversed.append(UInt8(ascii: " "))
        }
        padWithoutZeros(reversed.reversed())
    }

    /// Truncates to the precision, counted in runes.
    private func truncated(_ s: [UInt8]) -> [UInt8] {
        guard flags.precisionPresent else { return s }
        var remaining = flags.precision
        var index = 0
        while index < s.count {
            remaining -= 1
            if remaining < 0 { return Array(s[..<index]) }
            index += s[index] < 0x80 ? 1 : GoUTF8.decode(s, at: index).width
        }
        return s
    }

    private mutating func formatS(_ s: [UInt8]) {
        pad(truncated(s))
    }

    private mutating func formatHexString(_ s: [UInt8], upper: Bool) {
        let digits = upper ? GoStrconv.upperHex : GoStrconv.lowerHex
        var length = s.count
        if flags.precisionPresent && flags.precision < length { length = flags.precision }
        var width = 2 * length
        if width > 0 {
            if flags.space {
                if flags.sharp { width *= 2 }
                width += length - 1
            } else if flags.sharp {
                width += 2
            }
        } else {
            if flags.widthPresent { writePadding(flags.width) }
            return
        }
        if flags.widthPresent && flags.width > width && !flags.minus { writePadding(flags.width - width) }
        let prefix = [UInt8(ascii: "0"), upper ? UInt8(ascii: "X") : UInt8(ascii: "x")]
        if flags.sharp { buffer.append(contentsOf: prefix) }
        for index in 0..<length {
            if flags.space && index > 0 {
                buffer.append(UInt8(ascii: " "))
                if flags.sharp { buffer.append(contentsOf: prefix) }
            }
            buffer.append(digits[Int(s[index] >> 4)])
            buffer.append(digits[Int(s[index] & 0xF)])
        }
        if flags.widthPresent && flags.width > width && flags.minus { writePadding(flags.width - width) }
    }

    private mutating func formatQ(_ s: [UInt8]) {
        let text = truncated(s)
        if flags.sharp && GoStrconv.canBackquote(text) {
            pad([UInt8(ascii: "`")] + text + [UInt8(ascii: "`")])
            return
        }
        pad(GoStrconv.quoted(text, asciiOnly: flags.plus))
    }

    private static func rune(of c: UInt64) -> UInt32 {
        c > UInt64(GoUTF8.maxRune) ? GoUTF8.runeError : UInt32(c)
    }

    private mutating func formatC(_ c: UInt64) {
        var out: [UInt8] = []
        GoUTF8.append(Self.rune(of: c), to: &out)
        pad(out)
    }

    private mutating func formatQc(_ c: UInt64) {
        var out: [UInt8] = []
        GoStrconv.appendQuotedRune(Self.rune(of: c), asciiOnly: flags.plus, to: &out)
        pad(out)
    }

    private mutating func formatFloat(_ value: Double, verb: UInt8, precision: Int) {
        let prec = flags.precisionPresent ? flags.precision : precision
        let formatted = GoFloat.format(value, verb, precision: prec)
        var num: [UInt8]
        if formatted.first == UInt8(ascii: "-") || formatted.first == UInt8(ascii: "+") {
            num = formatted
        } else {
            num = [UInt8(ascii: "+")] + formatted
        }
        if flags.space && num[0] == UInt8(ascii: "+") && !flags.plus { num[0] = UInt8(ascii: " ") }
        if num[1] == UInt8(ascii: "I") || num[1] == UInt8(ascii: "N") {
            if num[1] == UInt8(ascii: "N") && !flags.space && !flags.plus { num.removeFirst() }
            padWithoutZeros(num)
            return
        }
        if flags.sharp && verb != UInt8(ascii: "b") {
            var digits = 0
            if [UInt8(ascii: "v"), UInt8(ascii: "g"), UInt8(ascii: "G"), UInt8(ascii: "x")].contains(verb) {
                digits = prec == -1 ? 6 : prec
            }
            var tail: [UInt8] = []
            var hasDecimalPoint = false
            var sawNonzeroDigit = false
            var index = 1
            while index < num.count {
                let c = num[index]
                if c == UInt8(ascii: ".") {
                    hasDecimalPoint = true
                } else if c == UInt8(ascii: "p") || c == UInt8(ascii: "P")
                    || ((c == UInt8(ascii: "e") || c == UInt8(ascii: "E")) && verb != UInt8(ascii: "x") && verb != UInt8(ascii: "X"))
                {
                    tail = Array(num[index...])
                    num.removeSubrange(index...)
                    break
                } else {
                    if c != UInt8(ascii: "0") { sawNonzeroDigit = true }
                    if sawNonzeroDigit { digits -= 1 }
                }
                index += 1
            }
            if !hasDecimalPoint {
                if num.count == 2 && num[1] == UInt8(ascii: "0") { digits -= 1 }
                num.append(UInt8(ascii: "."))
            }
            while digits > 0 {
                num.append(UInt8(ascii: "0"))
                digits -= 1
            }
            num.append(contentsOf: tail)
        }
        if flags.plus || num[0] != UInt8(ascii: "+") {
            if flags.zero && !flags.minus && flags.widthPresent && flags.width > num.count {
                buffer.append(num[0])
                writePadding(flags.width - num.count)
                buffer.append(contentsOf: num[1...])
                return
            }
            pad(num)
            return
        }
        pad(Array(num[1...]))
    }

    // MARK: Printing by type (fmt's print.go)

    private mutating func badVerb(_ verb: UInt32) {
        erroring = true
        buffer.append(contentsOf: [UInt8(ascii: "%"), UInt8(ascii: "!")])
        GoUTF8.append(verb, to: &buffer)
        buffer.append(UInt8(ascii: "("))
        switch subject {
        case .argument(let arg):
            buffer.append(contentsOf: Array(arg.typeName.utf8))
            buffer.append(UInt8(ascii: "="))
            printArg(arg, verb: Self.verbV)
        case .value(let value):
            buffer.append(contentsOf: Array(value.typeName.utf8))
            buffer.append(UInt8(ascii: "="))
            printValue(.concrete(value), verb: Self.verbV, depth: 0)
        case .none:
            buffer.append(contentsOf: Array("<nil>".utf8))
        }
        buffer.append(UInt8(ascii: ")"))
        erroring = false
    }

    private mutating func printBool(_ value: Bool, verb: UInt32) {
        if verb == UInt32(UInt8(ascii: "t")) || verb == Self.verbV {
            formatBoolean(value)
        } else {
            badVerb(verb)
        }
    }

    private mutating func printInteger(_ value: UInt64, signed: Bool, verb: UInt32) {
        guard verb < 0x80 else { return badVerb(verb) }
        switch UInt8(verb) {
        case UInt8(ascii: "v"):
            if flags.sharpV && !signed {
                let sharp = flags.sharp
                flags.sharp = true
                formatInteger(value, base: 16, signed: false, verb: verb, upper: false)
                flags.sharp = sharp
            } else {
                formatInteger(value, base: 10, signed: signed, verb: verb, upper: false)
            }
        case UInt8(ascii: "d"): formatInteger(value, base: 10, signed: signed, verb: verb, upper: false)
        case UInt8(ascii: "b"): formatInteger(value, base: 2, signed: signed, verb: verb, upper: false)
        case UInt8(ascii: "o"), UInt8(ascii: "O"): formatInteger(value, base: 8, signed: signed, verb: verb, upper: false)
        case UInt8(ascii: "x"): formatInteger(value, base: 16, signed: signed, verb: verb, upper: false)
        case UInt8(ascii: "X"): formatInteger(value, base: 16, signed: signed, verb: verb, upper: true)
        case UInt8(ascii: "c"): formatC(value)
        case UInt8(ascii: "q"): formatQc(value)
        case UInt8(ascii: "U"): formatUnicode(value)
        default: badVerb(verb)
        }
    }

    private mutating func printFloat(_ value: Double, verb: UInt32) {
        guard verb < 0x80 else { return badVerb(verb) }
        let letter = UInt8(verb)
        switch letter {
        case UInt8(ascii: "v"): formatFloat(value, verb: UInt8(ascii: "g"), precision: -1)
        case UInt8(ascii: "b"), UInt8(ascii: "g"), UInt8(ascii: "G"), UInt8(ascii: "x"), UInt8(ascii: "X"):
            formatFloat(value, verb: letter, precision: -1)
        case UInt8(ascii: "f"), UInt8(ascii: "e"), UInt8(ascii: "E"): formatFloat(value, verb: letter, precision: 6)
        case UInt8(ascii: "F"): formatFloat(value, verb: UInt8(ascii: "f"), precision: 6)
        default: badVerb(verb)
        }
    }

    private mutating func printComplex(_ re: Double, _ im: Double, verb: UInt32) {
        let verbs = "vbgGxXfFeE".unicodeScalars.map(\.value)
        guard verbs.contains(verb) else { return badVerb(verb) }
        let oldPlus = flags.plus
        buffer.append(UInt8(ascii: "("))
        printFloat(re, verb: verb)
        flags.plus = true
        printFloat(im, verb: verb)
        buffer.append(contentsOf: [UInt8(ascii: "i"), UInt8(ascii: ")")])
        flags.plus = oldPlus
    }

    private mutating func printString(_ s: [UInt8], verb: UInt32) {
        switch verb {
        case Self.verbV: flags.sharpV ? formatQ(s) : formatS(s)
        case UInt32(UInt8(ascii: "s")): formatS(s)
        case UInt32(UInt8(ascii: "x")): formatHexString(s, upper: false)
        case UInt32(UInt8(ascii: "X")): formatHexString(s, upper: true)
        case UInt32(UInt8(ascii: "q")): formatQ(s)
        default: badVerb(verb)
        }
    }

    /// `%p` of a slice or map prints its address, which has no stable value; a fixed fake one stands in.
    private mutating func printPointer(_ arg: GoData, verb: UInt32) {
        switch arg {
        case .slice, .map, .stringMap:
            let sharp = flags.sharp
            flags.sharp = !sharp
            formatInteger(0xc000_0100_00, base: 16, signed: false, verb: Self.verbV, upper: false)
            flags.sharp = sharp
        default:
            badVerb(verb)
        }
    }

    private mutating func printArg(_ arg: GoData?, verb: UInt32) {
        subject = arg.map(Subject.argument) ?? .none
        guard let arg else {
            if verb == UInt32(UInt8(ascii: "T")) || verb == Self.verbV {
                pad(Array("<nil>".utf8))
            } else {
                badVerb(verb)
            }
            return
        }
        if verb == UInt32(UInt8(ascii: "T")) {
            formatS(Array(arg.typeName.utf8))
            return
        }
        if verb == UInt32(UInt8(ascii: "p")) {
            printPointer(arg, verb: verb)
            return
        }
        switch arg {
        case .bool(let value): printBool(value, verb: verb)
        case .float64(let value): printFloat(value, verb: verb)
        case .complex128(let re, let im): printComplex(re, im, verb: verb)
        case .int(let value): printInteger(UInt64(bitPattern: Int64(value)), signed: true, verb: verb)
        case .uint8(let value): printInteger(UInt64(value), signed: false, verb: verb)
        case .string(let value): printString(value, verb: verb)
        case .slice, .map, .stringMap:
            // Containers reach fmt's method handling, which rejects %w for anything but an error.
            if verb == UInt32(UInt8(ascii: "w")) && !erroring {
                badVerb(verb)
            } else {
                printValue(.concrete(arg), verb: verb, depth: 0)
            }
        }
    }

    private mutating func printValue(_ printed: Printed, verb: UInt32, depth: Int) {
        let value: GoData
        switch printed {
        case .interface(let element):
            guard let element else {
                buffer.append(contentsOf: Array((flags.sharpV ? "interface {}(nil)" : "<nil>").utf8))
                return
            }
            printValue(.concrete(element), verb: verb, depth: depth + 1)
            return
        case .concrete(let data):
            value = data
        }
        subject = .value(value)
        switch value {
        case .bool(let b): printBool(b, verb: verb)
        case .int(let i): printInteger(UInt64(bitPattern: Int64(i)), signed: true, verb: verb)
        case .uint8(let u): printInteger(UInt64(u), signed: false, verb: verb)
        case .float64(let f): printFloat(f, verb: verb)
        case .complex128(let re, let im): printComplex(re, im, verb: verb)
        case .string(let s): printString(s, verb: verb)
        case .map(let entries):
            printMap(value.typeName, keys: GoData.sortedKeys(entries), verb: verb, depth: depth) { .interface(entries[$0] ?? nil) }
        case .stringMap(let entries):
            printMap(value.typeName, keys: GoData.sortedKeys(entries), verb: verb, depth: depth) { key in
                .concrete(.string(entries[key] ?? []))
            }
        case .slice(let elements):
            if flags.sharpV {
                buffer.append(contentsOf: Array(value.typeName.utf8))
                buffer.append(UInt8(ascii: "{"))
            } else {
                buffer.append(UInt8(ascii: "["))
            }
            for (index, element) in elements.elements.enumerated() {
                if index > 0 { buffer.append(contentsOf: flags.sharpV ? [UInt8(ascii: ","), UInt8(ascii: " ")] : [UInt8(ascii: " ")]) }
                printValue(.interface(element), verb: verb, depth: depth + 1)
            }
            buffer.append(flags.sharpV ? UInt8(ascii: "}") : UInt8(ascii: "]"))
        }
    }

    private mutating func printMap(_ typeName: String, keys: [[UInt8]], verb: UInt32, depth: Int, value: ([UInt8]) -> Printed) {
        buffer.append(contentsOf: Array((flags.sharpV ? typeName + "{" : "map[").utf8))
        for (index, key) in keys.enumerated() {
            if index > 0 { buffer.append(contentsOf: flags.sharpV ? [UInt8(ascii: ","), UInt8(ascii: " ")] : [UInt8(ascii: " ")]) }
            printValue(.concrete(.string(key)), verb: verb, depth: depth + 1)
            buffer.append(UInt8(ascii: ":"))
            printValue(value(key), verb: verb, depth: depth + 1)
        }
        buffer.append(flags.sharpV ? UInt8(ascii: "}") : UInt8(ascii: "]"))
    }

    // MARK: Printf

    private static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    /// Go's `parsenum`: a decimal number, refusing absurdly large ones.
    private static func parseNumber(_ format: [UInt8], from start: Int) -> (value: Int, present: Bool, next: Int) {
        var value = 0
        var present = false
        var index = start
        while index < format.count && isDigit(format[index]) {
            if value > 1_000_000 || value < -1_000_000 { return (0, false, format.count) }
            value = value * 10 + Int(format[index] - UInt8(ascii: "0"))
            present = true
            index += 1
        }
        return (value, present, index)
    }

    /// Go's `intFromArg`: a `*` width or precision taken from the arguments.
    private static func intFromArgument(_ args: [GoData?], _ argNumber: Int) -> (value: Int, isInt: Bool, next: Int) {
        guard argNumber < args.count else { return (0, false, argNumber) }
        var value = 0
        var isInt = false
        switch args[argNumber] {
        case .int(let n):
            value = n
            isInt = true
        case .uint8(let n):
            value = Int(n)
            isInt = true
        default:
            break
        }
        if value > 1_000_000 || value < -1_000_000 { return (0, false, argNumber + 1) }
        return (value, isInt, argNumber + 1)
    }

    /// Go's `argNumber`: an explicit `[n]` argument index.
    private mutating func argumentNumber(_ argNumber: Int, _ format: [UInt8], _ index: Int, _ count: Int) -> (Int, Int, Bool) {
        guard index < format.count, format[index] == UInt8(ascii: "[") else { return (argNumber, index, false) }
        reordered = true
        // parseArgNumber
        var width = 1
        var ok = false
        var parsed = 0
        if format.count - index >= 3 {
            var close = index + 1
            while close < format.count && format[close] != UInt8(ascii: "]") { close += 1 }
            if close < format.count {
                let (number, present, next) = Self.parseNumber(format, from: index + 1)
                if !present || next != close {
                    width = close - index + 1
                } else {
                    parsed = number - 1
                    width = close - index + 1
                    ok = true
                }
            }
        }
        if ok && parsed >= 0 && parsed < count { return (parsed, index + width, true) }
        goodArgumentNumber = false
        return (argNumber, index + width, ok)
    }

    private mutating func printf(_ format: [UInt8], _ args: [GoData?]) {
        let end = format.count
        var argNumber = 0
        var afterIndex = false
        reordered = false
        var i = 0
        formatLoop: while i < end {
            goodArgumentNumber = true
            let start = i
            while i < end && format[i] != UInt8(ascii: "%") { i += 1 }
            if i > start { buffer.append(contentsOf: format[start..<i]) }
            if i >= end { break }
            i += 1
            flags = Flags()
            simpleFormat: while i < end {
                let c = format[i]
                switch c {
                case UInt8(ascii: "#"): flags.sharp = true
                case UInt8(ascii: "0"): flags.zero = true
                case UInt8(ascii: "+"): flags.plus = true
                case UInt8(ascii: "-"): flags.minus = true
                case UInt8(ascii: " "): flags.space = true
                default:
                    if c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z") && argNumber < args.count {
                        if c == UInt8(ascii: "v") || c == UInt8(ascii: "w") {
                            flags.sharpV = flags.sharp
                            flags.sharp = false
                            flags.plusV = flags.plus
                            flags.plus = false
                        }
                        printArg(args[argNumber], verb: UInt32(c))
                        argNumber += 1
                        i += 1
                        continue formatLoop
                    }
                    break simpleFormat
                }
                i += 1
            }
            (argNumber, i, afterIndex) = argumentNumber(argNumber, format, i, args.count)
            if i < end && format[i] == UInt8(ascii: "*") {
                i += 1
                (flags.width, flags.widthPresent, argNumber) = Self.intFromArgument(args, argNumber)
                if !flags.widthPresent { buffer.append(contentsOf: Array("%!(BADWIDTH)".utf8)) }
                if flags.width < 0 {
                    flags.width = -flags.width
                    flags.minus = true
                    flags.zero = false
                }
                afterIndex = false
            } else {
                (flags.width, flags.widthPresent, i) = Self.parseNumber(format, from: i)
                if afterIndex && flags.widthPresent { goodArgumentNumber = false }
            }
            if i + 1 < end && format[i] == UInt8(ascii: ".") {
                i += 1
                if afterIndex { goodArgumentNumber = false }
                (argNumber, i, afterIndex) = argumentNumber(argNumber, format, i, args.count)
                if i < end && format[i] == UInt8(ascii: "*") {
                    i += 1
                    (flags.precision, flags.precisionPresent, argNumber) = Self.intFromArgument(args, argNumber)
                    if flags.precision < 0 {
                        flags.precision = 0
                        flags.precisionPresent = false
                    }
                    if !flags.precisionPresent { buffer.append(contentsOf: Array("%!(BADPREC)".utf8)) }
                    afterIndex = false
                } else {
                    (flags.precision, flags.precisionPresent, i) = Self.parseNumber(format, from: i)
                    if !flags.precisionPresent {
                        flags.precision = 0
                        flags.precisionPresent = true
                    }
                }
            }
            if !afterIndex { (argNumber, i, afterIndex) = argumentNumber(argNumber, format, i, args.count) }
            if i >= end {
                buffer.append(contentsOf: Array("%!(NOVERB)".utf8))
                break
            }
            var verb = UInt32(format[i])
            var size = 1
            if verb >= 0x80 { (verb, size) = GoUTF8.decode(format, at: i) }
            i += size
            if verb == UInt32(UInt8(ascii: "%")) {
                buffer.append(UInt8(ascii: "%"))
            } else if !goodArgumentNumber {
                buffer.append(contentsOf: [UInt8(ascii: "%"), UInt8(ascii: "!")])
                GoUTF8.append(verb, to: &buffer)
                buffer.append(contentsOf: Array("(BADINDEX)".utf8))
            } else if argNumber >= args.count {
                buffer.append(contentsOf: [UInt8(ascii: "%"), UInt8(ascii: "!")])
                GoUTF8.append(verb, to: &buffer)
                buffer.append(contentsOf: Array("(MISSING)".utf8))
            } else {
                if verb == Self.verbV || verb == UInt32(UInt8(ascii: "w")) {
                    flags.sharpV = flags.sharp
                    flags.sharp = false
                    flags.plusV = flags.plus
                    flags.plus = false
                }
                printArg(args[argNumber], verb: verb)
                argNumber += 1
            }
        }
        if !reordered && argNumber < args.count {
            flags = Flags()
            buffer.append(contentsOf: Array("%!(EXTRA ".utf8))
            for (index, arg) in args[argNumber...].enumerated() {
                if index > 0 { buffer.append(contentsOf: [UInt8(ascii: ","), UInt8(ascii: " ")]) }
                if let arg {
                    buffer.append(contentsOf: Array(arg.typeName.utf8))
                    buffer.append(UInt8(ascii: "="))
                    printArg(arg, verb: Self.verbV)
                } else {
                    buffer.append(contentsOf: Array("<nil>".utf8))
                }
            }
            buffer.append(UInt8(ascii: ")"))
        }
    }
}
