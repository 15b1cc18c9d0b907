/// How a function parameter receives its argument, mirroring the Go parameter types text/template cares about.
enum ParameterKind: Sendable {
    /// `reflect.Value`: the argument exactly as evaluated, possibly nothing at all.
    case reflectValue
    /// `interface{}`: the dynamic value, or nil.
    case any
    /// `string`.
    case string
}

/// A function's signature: fixed parameters and an optional variadic element type.
struct FunctionSignature: Sendable {
    var fixed: [ParameterKind]
    var variadic: ParameterKind?
}

/// A function failing, which text/template reports as `error calling NAME: MESSAGE`.
struct FunctionFailure: Error {
    var message: String
}

/// text/template's predefined functions.
enum TemplateBuiltin: String, Sendable, CaseIterable {
    case and, call, html, index, slice, js, len, not, or, print, printf, println, urlquery
    case eq, ge, gt, le, lt, ne

    var signature: FunctionSignature {
        switch self {
        case .and, .or, .call, .index, .slice, .eq: FunctionSignature(fixed: [.reflectValue], variadic: .reflectValue)
        case .html, .js, .urlquery, .print, .println: FunctionSignature(fixed: [], variadic: .any)
        case .printf: FunctionSignature(fixed: [.string], variadic: .any)
        case .len, .not: FunctionSignature(fixed: [.reflectValue])
        case .ne, .lt, .le, .gt, .ge: FunctionSignature(fixed: [.reflectValue, .reflectValue])
        }
    }

    /// Runs the function on evaluated arguments (`and`, `or` and `call` are special-cased by the executor).
    func call(_ arguments: [Operand]) throws(FunctionFailure) -> Operand {
        switch self {
        case .and, .or, .call:
            throw FunctionFailure(message: "unreachable")
        case .html, .js, .urlquery:
            let text = Self.evalArgs(arguments.map(\.dynamicValue))
            switch self {
            case .html: return .value(.string(GoEscaping.html(text)))
            case .js: return .value(.string(GoEscaping.javaScript(text)))
            default: return .value(.string(GoEscaping.queryComponent(text)))
            }
        case .print: return .value(.string(GoFormat.sprint(arguments.map(\.dynamicValue))))
        case .println: return .value(.string(GoFormat.sprintln(arguments.map(\.dynamicValue))))
        case .printf:
            guard case .string(let format)? = arguments.first?.dynamicValue else { throw FunctionFailure(message: "unreachable") }
            return .value(.string(GoFormat.sprintf(format, arguments.dropFirst().map(\.dynamicValue))))
        case .len: return try Self.length(arguments[0])
        case .not: return .value(.bool(!arguments[0].isTrue))
        case .index: return try Self.index(arguments[0], Array(arguments.dropFirst()))
        case .slice: return try Self.slice(arguments[0], Array(arguments.dropFirst()))
        case .eq: return .value(.bool(try Self.equal(arguments[0], Array(arguments.dropFirst()))))
        case .ne: return .value(.bool(!(try Self.equal(arguments[0], [arguments[1]]))))
        case .lt: return .value(.bool(try Self.less(arguments[0], arguments[1])))
        case .le: return .value(.bool(try Self.lessOrEqual(arguments[0], arguments[1])))
        case .gt: return .value(.bool(!(try Self.lessOrEqual(arguments[0], arguments[1]))))
        case .ge: return .value(.bool(!(try Self.less(arguments[0], arguments[1]))))
        }
    }

    /// `evalArgs`: `fmt.Sprint` of the arguments, where a nil argument prints as `<no value>`.
    private static func evalArgs(_ arguments: [GoData?]) -> [UInt8] {
        if arguments.count == 1, case .string(let text)? = arguments[0] { return text }
        return GoFormat.sprint(arguments.map { $0 ?? .string(Array("<no value>".utf8)) })
    }

    /// `reflect` panics that text/template turns into errors.
    private static let zeroValueTypeCall = "reflect: call of reflect.Value.Type on zero Value"

    private static func length(_ item: Operand) throws(FunctionFailure) -> Operand {
        switch item {
        case .invalid: throw FunctionFailure(message: zeroValueTypeCall)
        case .interface(nil): throw FunctionFailure(message: "len of nil pointer")
        case .value(let data), .interface(let data?):
            guard let length = data.length else { throw FunctionFailure(message: "len of type \(data.typeName)") }
            return .value(.int(length))
        }
    }

    /// `indexArg`: an integer index no greater than `limit`.
    private static func indexArgument(_ index: Operand, limit: Int) throws(FunctionFailure) -> Int {
        let value: Int
        switch index {
        case .value(.int(let n)): value = n
        case .value(.uint8(let n)): value = Int(n)
        case .invalid: throw FunctionFailure(message: "cannot index slice/array with nil")
        default: throw FunctionFailure(message: "cannot index slice/array with type \(index.typeName)")
        }
        if value < 0 || value > limit { throw FunctionFailure(message: "index out of range: \(value)") }
        return value
    }

    private static func index(_ start: Operand, _ indexes: [Operand]) throws(FunctionFailure) -> Operand {
        var item = start.indirected
        if case .invalid = item { throw FunctionFailure(message: "index of untyped nil") }
        for rawIndex in indexes {
            let index = rawIndex.indirected
            let data: GoData
            switch item {
            case .value(let value), .interface(let value?): data = value
            case .interface(nil): throw FunctionFailure(message: "index of nil pointer")
            case .invalid: throw FunctionFailure(message: "unreachable")
            }
            switch data {
            case .slice(let slice):
                let position = try indexArgument(index, limit: slice.count)
                guard position < slice.count else { throw FunctionFailure(message: "reflect: slice index out of range") }
                item = .interface(slice.storage[position])
            case .string(let bytes):
                let position = try indexArgument(index, limit: bytes.count)
                guard position < bytes.count else { throw FunctionFailure(message: "reflect: string index out of range") }
                item = .value(.uint8(bytes[position]))
            case .map(let entries):
                let key = try mapKey(index)
                item = .interface(entries[key] ?? nil)
            case .stringMap(let entries):
                let key = try mapKey(index)
                item = .value(.string(entries[key] ?? []))
            default:
                throw FunctionFailure(message: "can't index item of type \(data.typeName)")
            }
        }
        return item
    }

    /// `prepareArg` for a `string` map key.
    private static func mapKey(_ index: Operand) throws(FunctionFailure) -> [UInt8] {
        switch index {
        case .invalid: throw FunctionFailure(message: "value is nil; should be of type string")
        case .value(.string(let key)): return key
        default: throw FunctionFailure(message: "value has type \(index.typeName); should be string")
        }
    }

    private static func slice(_ start: Operand, _ indexes: [Operand]) throws(FunctionFailure) -> Operand {
        let item = start.indirected
        guard let data = item.dynamicValue else { throw FunctionFailure(message: "slice of untyped nil") }
        if indexes.count > 3 { throw FunctionFailure(message: "too many slice indexes: \(indexes.count)") }
        let capacity: Int
        let length: Int
        switch data {
        case .string(let bytes):
            if indexes.count == 3 { throw FunctionFailure(message: "cannot 3-index slice a string") }
            capacity = bytes.count
            length = bytes.count
        case .slice(let slice):
            capacity = slice.capacity
            length = slice.count
        default:
            throw FunctionFailure(message: "can't slice item of type \(data.typeName)")
        }
        var bounds = [0, length, 0]
        for (position, index) in indexes.enumerated() {
            bounds[position] = try indexArgument(index, limit: capacity)
        }
        if bounds[0] > bounds[1] { throw FunctionFailure(message: "invalid slice index: \(bounds[0]) > \(bounds[1])") }
        if indexes.count == 3 && bounds[1] > bounds[2] {
            throw FunctionFailure(message: "invalid slice index: \(bounds[1]) > \(bounds[2])")
        }
        switch data {
        case .string(let bytes): return .value(.string(Array(bytes[bounds[0]..<bounds[1]])))
        case .slice(let slice):
            return .value(.slice(slice.sliced(bounds[0], bounds[1], max: indexes.count == 3 ? bounds[2] : nil)))
        default: throw FunctionFailure(message: "unreachable")
        }
    }

    // MARK: Comparison

    private enum BasicKind {
        case bool, complex, int, float, string, uint
    }

    private static func basicKind(_ value: Operand) -> BasicKind? {
        guard case .value(let data) = value else { return nil }
        switch data {
        case .bool: return .bool
        case .int: return .int
        case .uint8: return .uint
        case .float64: return .float
        case .complex128: return .complex
        case .string: return .string
        default: return nil
        }
    }

    private static func signedValue(_ value: Operand) -> Int {
        if case .value(.int(let n)) = value { return n }
        return 0
    }

    private static func unsignedValue(_ value: Operand) -> UInt64 {
        if case .value(.uint8(let n)) = value { return UInt64(n) }
        return 0
    }

    private static func describe(_ value: Operand, verb: String) -> String {
        GoFormat.format(verb, value.dynamicValue)
    }

    /// `eq arg1 arg2 arg3…`: whether `arg1` equals any of the others.
    static func equal(_ first: Operand, _ others: [Operand]) throws(FunctionFailure) -> Bool {
        let a = first.indirected
        if others.isEmpty { throw FunctionFailure(message: "missing argument for comparison") }
        let k1 = basicKind(a)
        for other in others {
            let b = other.indirected
            let k2 = basicKind(b)
            var truth = false
            if k1 != k2 {
                if k1 == .int && k2 == .uint {
                    truth = signedValue(a) >= 0 && UInt64(signedValue(a)) == unsignedValue(b)
                } else if k1 == .uint && k2 == .int {
                    truth = signedValue(b) >= 0 && unsignedValue(a) == UInt64(signedValue(b))
                } else if a.dynamicValue != nil && b.dynamicValue != nil {
                    throw FunctionFailure(message: "incompatible types for comparison")
                }
            } else if case .value(let x) = a, case .value(let y) = b, k1 != nil {
                switch (x, y) {
                case (.bool(let p), .bool(let q)): truth = p == q
                case (.complex128(let pr, let pi), .complex128(let qr, let qi)): truth = pr == qr && pi == qi
                case (.float64(let p), .float64(let q)): truth = p == q
                case (.int(let p), .int(let q)): truth = p == q
                case (.string(let p), .string(let q)): truth = p == q
                case (.uint8(let p), .uint8(let q)): truth = p == q
                default: break
                }
            } else {
                // Neither is a basic kind: nil, or a slice or map.
                guard let x = a.dynamicValue, let y = b.dynamicValue else {
                    truth = a.dynamicValue == nil && b.dynamicValue == nil
                    if truth { return true }
                    continue
                }
                if sameKind(x, y) {
                    throw FunctionFailure(message: "non-comparable type \(describe(b, verb: "%s")): \(y.typeName)")
                }
                throw FunctionFailure(
                    message: "non-comparable types \(describe(a, verb: "%s")): \(x.typeName), \(y.typeName): \(describe(b, verb: "%v"))")
            }
            if truth { return true }
        }
        return false
    }

    private static func sameKind(_ x: GoData, _ y: GoData) -> Bool {
        switch (x, y) {
        case (.slice, .slice): true
        case (.map, .map), (.map, .stringMap), (.stringMap, .map), (.stringMap, .stringMap): true
        default: false
        }
    }

    static func less(_ first: Operand, _ second: Operand) throws(FunctionFailure) -> Bool {
        let a = first.indirected
        guard let k1 = basicKind(a) else { throw FunctionFailure(message: "invalid type for comparison") }
        let b = second.indirected
        guard let k2 = basicKind(b) else { throw FunctionFailure(message: "invalid type for comparison") }
        if k1 != k2 {
            if k1 == .int && k2 == .uint { return signedValue(a) < 0 || UInt64(signedValue(a)) < unsignedValue(b) }
            if k1 == .uint && k2 == .int { return signedValue(b) >= 0 && unsignedValue(a) < UInt64(signedValue(b)) }
            throw FunctionFailure(message: "incompatible types for comparison")
        }
        guard case .value(let x) = a, case .value(let y) = b else { return false }
        switch (x, y) {
        case (.float64(let p), .float64(let q)): return p < q
        case (.int(let p), .int(let q)): return p < q
        case (.string(let p), .string(let q)): return p.lexicographicallyPrecedes(q)
        case (.uint8(let p), .uint8(let q)): return p < q
        default: throw FunctionFailure(message: "invalid type for comparison")
        }
    }

    static func lessOrEqual(_ first: Operand, _ second: Operand) throws(FunctionFailure) -> Bool {
        if try less(first, second) { return true }
        return try equal(first, [second])
    }
}
