/// Executes parsed trees with Go's text/template semantics (Go's `state`), writing into a byte buffer.
struct TemplateExecutor {
    /// Go's limit on nested template invocations (`maxExecDepth`).
    static let maximumTemplateDepth = 100_000

    /// A node being evaluated, for error messages (Go's `state.node`).
    private enum Location {
        case node(TemplateNode)
        case list(ListNode)
        case pipe(PipeNode)
        case command(CommandNode)
        case argument(ArgumentNode)
        case variable(VariableNode)
        case call(TemplateCallNode)

        var position: Int {
            switch self {
            case .node(let node): node.position
            case .list(let list): list.position
            case .pipe(let pipe): pipe.position
            case .command(let command): command.position
            case .argument(let argument): argument.position
            case .variable(let variable): variable.position
            case .call(let call): call.position
            }
        }

        var description: String {
            switch self {
            case .node(let node): node.description
            case .list(let list): list.description
            case .pipe(let pipe): pipe.description
            case .command(let command): command.description
            case .argument(let argument): argument.description
            case .variable(let variable): variable.description
            case .call(let call): call.description
            }
        }
    }

    /// What a walk did: finish normally, or hit `{{break}}` / `{{continue}}` inside a `range`.
    private enum Flow {
        case normal, breakLoop, continueLoop
    }

    /// A function a command can name.
    private enum Callable {
        case builtin(TemplateBuiltin)
        case custom(TemplateFunctions.Function)

        var signature: FunctionSignature {
            switch self {
            case .builtin(let builtin): return builtin.signature
            case .custom(let function):
                func kind(_ type: TemplateFunctions.ParameterType) -> ParameterKind { type == .string ? .string : .any }
                return FunctionSignature(fixed: function.parameters.map(kind), variadic: function.variadic.map(kind))
            }
        }
    }

    private let templates: [String: ListNode]
    private let functions: TemplateFunctions
    private let parseName: String
    private let text: [UInt8]
    private(set) var output: [UInt8] = []
    private var variables: [(name: String, value: Operand)] = []
    private var location: Location?
    private var templateName: String
    private var depth = 0
    private let stack: StackGuard

    init(templates: [String: ListNode], functions: TemplateFunctions, name: String, text: [UInt8], stack: StackGuard) {
        self.stack = stack
        self.templates = templates
        self.functions = functions
        parseName = name
        templateName = name
        self.text = text
    }

    /// Executes the template `name` on `data`.
    mutating func execute(_ data: Operand) throws(TemplateError) {
        guard let root = templates[templateName] else {
            throw TemplateError(
                kind: .execution, name: parseName, line: 0, column: 0,
                message: "\(quoted(templateName)) is an incomplete or empty template")
        }
        variables = [("$", data)]
        _ = try walk(data, list: root)
    }

    // MARK: Errors

    private mutating func at(_ location: Location) { self.location = location }

    private func quoted(_ text: String) -> String { GoFormat.format("%q", .string(Array(text.utf8))) }

    private func failure(_ message: String) -> TemplateError {
        guard let location else {
            return TemplateError(kind: .execution, name: parseName, line: 0, column: 0, message: message, executing: templateName)
        }
        let position = min(location.position, text.count)
        let prefix = text[..<position]
        let lineStart = prefix.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
        let line = 1 + prefix.lazy.filter { $0 == 0x0A }.count
        return TemplateError(
            kind: .execution, name: parseName, line: line, column: position - lineStart, message: message, executing: templateName,
            context: location.description)
    }

    /// Go has no limit besides its template depth, and dies of a stack overflow when deeply nested actions
    /// recurse deeply; here that is an error.
    private func checkStack() throws(TemplateError) {
        if stack.isExhausted { throw failure("template recursion too deep: nested actions exhaust the stack") }
    }

    // MARK: Variables

    private mutating func setVariable(_ name: String, _ value: Operand) throws(TemplateError) {
        guard let index = variables.lastIndex(where: { $0.name == name }) else { throw failure("undefined variable: \(name)") }
        variables[index].value = value
    }

    private func variable(_ name: String) throws(TemplateError) -> Operand {
        guard let entry = variables.last(where: { $0.name == name }) else { throw failure("undefined variable: \(name)") }
        return entry.value
    }

    private mutating func pop(to mark: Int) {
        if variables.count > mark { variables.removeSubrange(mark...) }
    }

    // MARK: Walking

    private mutating func walk(_ dot: Operand, list: ListNode) throws(TemplateError) -> Flow {
        at(.list(list))
        for node in list.nodes {
            let flow = try walk(dot, node)
            if flow != .normal { return flow }
        }
        return .normal
    }

    private mutating func walk(_ dot: Operand, _ node: TemplateNode) throws(TemplateError) -> Flow {
        try checkStack()
        at(.node(node))
        switch node {
        case .action(_, let pipe):
            let value = try evaluate(pipeline: pipe, dot: dot)
            if pipe.declarations.isEmpty {
                at(.node(node))
                switch value {
                case .invalid: output.append(contentsOf: Array("<no value>".utf8))
                default: output.append(contentsOf: GoFormat.sprint([value.dynamicValue]))
                }
            }
        case .breakNode:
            return .breakLoop
        case .continueNode:
            return .continueLoop
        case .ifNode(let branch):
            return try walkIfOrWith(dot, branch, setsDot: false)
        case .withNode(let branch):
            return try walkIfOrWith(dot, branch, setsDot: true)
        case .list(let list):
            return try walk(dot, list: list)
        case .rangeNode(let branch):
            try walkRange(dot, branch, node: node)
        case .template(let call):
            try walkTemplate(dot, call)
        case .text(_, let bytes):
            output.append(contentsOf: bytes)
        }
        return .normal
    }

    private mutating func walkIfOrWith(_ dot: Operand, _ branch: BranchNode, setsDot: Bool) throws(TemplateError) -> Flow {
        let mark = variables.count
        defer { pop(to: mark) }
        let value = try evaluate(pipeline: branch.pipe, dot: dot)
        if value.isTrue { return try walk(setsDot ? value : dot, list: branch.list) }
        if let elseList = branch.elseList { return try walk(dot, list: elseList) }
        return .normal
    }

    private mutating func walkRange(_ dot: Operand, _ branch: BranchNode, node: TemplateNode) throws(TemplateError) {
        at(.node(node))
        let outerMark = variables.count
        defer { pop(to: outerMark) }
        let value = try evaluate(pipeline: branch.pipe, dot: dot).indirected
        let mark = variables.count
        let declarations = branch.pipe.declarations
        // Returns false to stop iterating ({{break}}).
        func iterate(_ executor: inout TemplateExecutor, index: Operand, element: Operand) throws(TemplateError) -> Bool {
            if !declarations.isEmpty {
                if branch.pipe.isAssign {
                    try executor.setVariable(declarations[0].identifiers[0], declarations.count > 1 ? index : element)
                } else {
                    executor.variables[executor.variables.count - 1].value = element
                }
            }
            if declarations.count > 1 {
                if branch.pipe.isAssign {
                    try executor.setVariable(declarations[1].identifiers[0], element)
                } else {
                    executor.variables[executor.variables.count - 2].value = index
                }
            }
            let flow = try executor.walk(element, list: branch.list)
            executor.pop(to: mark)
            return flow != .breakLoop
        }
        switch value {
        case .value(.slice(let slice)) where slice.count > 0:
            for (position, element) in slice.elements.enumerated() {
                if try !iterate(&self, index: .value(.int(position)), element: .interface(element)) { break }
            }
            return
        case .value(.map(let entries)) where !entries.isEmpty:
            for key in GoData.sortedKeys(entries) {
                if try !iterate(&self, index: .value(.string(key)), element: .interface(entries[key] ?? nil)) { break }
            }
            return
        case .value(.stringMap(let entries)) where !entries.isEmpty:
            for key in GoData.sortedKeys(entries) {
                if try !iterate(&self, index: .value(.string(key)), element: .value(.string(entries[key] ?? []))) { break }
            }
            return
        case .value(.slice), .value(.map), .value(.stringMap), .invalid:
            break
        default:
            throw failure("range can't iterate over \(GoUTF8.string(GoFormat.sprint([value.dynamicValue])))")
        }
        if let elseList = branch.elseList { _ = try walk(dot, list: elseList) }
    }

    private mutating func walkTemplate(_ dot: Operand, _ call: TemplateCallNode) throws(TemplateError) {
        at(.call(call))
        guard let root = templates[call.name] else { throw failure("template \(quoted(call.name)) not defined") }
        if depth == Self.maximumTemplateDepth { throw failure("exceeded maximum template depth (\(Self.maximumTemplateDepth))") }
        let newDot = try call.pipe.map { pipe throws(TemplateError) in try evaluate(pipeline: pipe, dot: dot) } ?? .invalid
        let saved = (variables, templateName, location)
        depth += 1
        templateName = call.name
        variables = [("$", newDot)]
        _ = try walk(newDot, list: root)
        depth -= 1
        (variables, templateName, location) = saved
    }

    // MARK: Evaluation

    private mutating func evaluate(pipeline pipe: PipeNode, dot: Operand) throws(TemplateError) -> Operand {
        try checkStack()
        at(.pipe(pipe))
        var value: Operand?
        for command in pipe.commands {
            var result = try evaluate(command: command, dot: dot, final: value)
            if case .interface(let data) = result { result = data.map(Operand.value) ?? .invalid }
            value = result
        }
        let result = value ?? .invalid
        for declaration in pipe.declarations {
            if pipe.isAssign {
                try setVariable(declaration.identifiers[0], result)
            } else {
                variables.append((declaration.identifiers[0], result))
            }
        }
        return result
    }

    private mutating func notAFunction(_ arguments: [ArgumentNode], final: Operand?) throws(TemplateError) {
        if arguments.count > 1 || final != nil {
            throw failure("can't give argument to non-function \(arguments[0].description)")
        }
    }

    private mutating func evaluate(command: CommandNode, dot: Operand, final: Operand?) throws(TemplateError) -> Operand {
        let first = command.arguments[0]
        switch first {
        case .field(_, let names):
            return try evaluateField(first, names: names, dot: dot, arguments: command.arguments, final: final)
        case .chain:
            return try evaluateChain(first, dot: dot, arguments: command.arguments, final: final)
        case .identifier(_, let name):
            return try evaluateFunction(first, name: name, dot: dot, node: .command(command), arguments: command.arguments, final: final)
        case .pipe(let pipe):
            try notAFunction(command.arguments, final: final)
            return try evaluate(pipeline: pipe, dot: dot)
        case .variable(let variable):
            return try evaluateVariable(variable, dot: dot, arguments: command.arguments, final: final)
        default:
            break
        }
        at(.argument(first))
        try notAFunction(command.arguments, final: final)
        switch first {
        case .bool(_, let value): return .value(.bool(value))
        case .dot: return dot
        case .nilValue: throw failure("nil is not a command")
        case .number(let number): return try constant(number)
        case .string(_, _, let value): return .value(.string(value))
        default: throw failure("can't evaluate command \(quoted(first.description))")
        }
    }

    /// `idealConstant`: a number with no context gets the type its spelling implies.
    private mutating func constant(_ number: NumberNode) throws(TemplateError) -> Operand {
        at(.argument(.number(number)))
        let text = number.text
        let isHexInt =
            text.utf8.count > 2 && text.hasPrefix("0") && (text.dropFirst().hasPrefix("x") || text.dropFirst().hasPrefix("X"))
            && !text.contains(where: { $0 == "p" || $0 == "P" })
        let isRuneInt = text.hasPrefix("'")
        if number.isComplex { return .value(.complex128(number.complex.re, number.complex.im)) }
        if number.isFloat && !isHexInt && !isRuneInt && text.contains(where: { ".eEpP".contains($0) }) {
            return .value(.float64(number.float64))
        }
        if number.isInt { return .value(.int(Int(number.int64))) }
        if number.isUint { throw failure("\(text) overflows int") }
        return .invalid
    }

    private mutating func evaluateField(
        _ node: ArgumentNode, names: [String], dot: Operand, arguments: [ArgumentNode]?, final: Operand?
    ) throws(TemplateError) -> Operand {
        at(.argument(node))
        return try evaluateFieldChain(dot: dot, receiver: dot, names: names, arguments: arguments, final: final)
    }

    private mutating func evaluateChain(
        _ node: ArgumentNode, dot: Operand, arguments: [ArgumentNode]?, final: Operand?
    ) throws(TemplateError)
        -> Operand
    {
        at(.argument(node))
        guard case .chain(_, let inner, let fields) = node else { return .invalid }
        if case .nilValue = inner { throw failure("indirection through explicit nil in \(node.description)") }
        let receiver = try evaluateArgument(inner, as: nil, dot: dot)
        return try evaluateFieldChain(dot: dot, receiver: receiver, names: fields, arguments: arguments, final: final)
    }

    private mutating func evaluateVariable(
        _ variable: VariableNode, dot: Operand, arguments: [ArgumentNode]?, final: Operand?
    ) throws(TemplateError) -> Operand {
        at(.variable(variable))
        let value = try self.variable(variable.identifiers[0])
        if variable.identifiers.count == 1 {
            try notAFunction(arguments ?? [], final: final)
            return value
        }
        return try evaluateFieldChain(dot: dot, receiver: value, names: Array(variable.identifiers.dropFirst()), arguments: arguments, final: final)
    }

    private mutating func evaluateFieldChain(
        dot: Operand, receiver start: Operand, names: [String], arguments: [ArgumentNode]?, final: Operand?
    ) throws(TemplateError) -> Operand {
        var receiver = start
        for name in names.dropLast() {
            receiver = try field(name, of: receiver, arguments: nil, final: nil)
        }
        return try field(names[names.count - 1], of: receiver, arguments: arguments, final: final)
    }

    /// `.Name` on a value: a map lookup (missing keys give no value); anything else is an error.
    private func field(_ name: String, of receiver: Operand, arguments: [ArgumentNode]?, final: Operand?) throws(TemplateError) -> Operand {
        let data: GoData
        switch receiver {
        case .invalid: return .invalid
        case .interface(nil): throw failure("nil pointer evaluating interface {}.\(name)")
        case .value(let value), .interface(let value?): data = value
        }
        let hasArguments = (arguments?.count ?? 0) > 1 || final != nil
        switch data {
        case .map(let entries):
            if hasArguments { throw failure("\(name) is not a method but has arguments") }
            guard let value = entries[Array(name.utf8)] else { return .invalid }
            return .interface(value)
        case .stringMap(let entries):
            if hasArguments { throw failure("\(name) is not a method but has arguments") }
            guard let value = entries[Array(name.utf8)] else { return .invalid }
            return .value(.string(value))
        default:
            throw failure("can't evaluate field \(name) in type \(receiver.typeName)")
        }
    }

    private func lookup(_ name: String) -> Callable? {
        if let function = functions[name] { return .custom(function) }
        return TemplateBuiltin(rawValue: name).map(Callable.builtin)
    }

    private mutating func evaluateFunction(
        _ node: ArgumentNode, name: String, dot: Operand, node callNode: Location, arguments: [ArgumentNode]?, final: Operand?
    ) throws(TemplateError) -> Operand {
        at(.argument(node))
        guard let function = lookup(name) else { throw failure("\(quoted(name)) is not a defined function") }
        return try evaluateCall(function, name: name, dot: dot, node: callNode, arguments: arguments, final: final)
    }

    private mutating func evaluateCall(
        _ function: Callable, name: String, dot: Operand, node: Location, arguments: [ArgumentNode]?, final: Operand?
    ) throws(TemplateError) -> Operand {
        let args = Array((arguments ?? []).dropFirst())
        let signature = function.signature
        let inputCount = args.count + (final == nil ? 0 : 1)
        var fixedCount = args.count
        if signature.variadic != nil {
            fixedCount = signature.fixed.count
            if inputCount < fixedCount {
                throw failure("wrong number of args for \(name): want at least \(fixedCount) got \(args.count)")
            }
        } else if inputCount != signature.fixed.count {
            throw failure("wrong number of args for \(name): want \(signature.fixed.count) got \(inputCount)")
        }
        if case .builtin(let builtin) = function, builtin == .and || builtin == .or {
            var value = Operand.invalid
            for argument in args {
                value = try evaluateArgument(argument, as: .reflectValue, dot: dot)
                if value.isTrue == (builtin == .or) { return value }
            }
            if let final { value = try validate(final, as: .reflectValue) }
            return value
        }
        var values: [Operand] = []
        values.reserveCapacity(inputCount)
        var index = 0
        while index < fixedCount && index < args.count {
            values.append(try evaluateArgument(args[index], as: signature.fixed[index], dot: dot))
            index += 1
        }
        if let variadic = signature.variadic {
            while index < args.count {
                values.append(try evaluateArgument(args[index], as: variadic, dot: dot))
                index += 1
            }
        }
        if let final {
            var type = signature.fixed.last ?? .any
            if let variadic = signature.variadic {
                type = inputCount - 1 < fixedCount ? signature.fixed[inputCount - 1] : variadic
            }
            values.append(try validate(final, as: type))
        }
        do {
            return try Self.invoke(function, values, arguments: args)
        } catch {
            at(node)
            throw failure("error calling \(name): \(error.message)")
        }
    }

    private static func invoke(_ function: Callable, _ values: [Operand], arguments: [ArgumentNode]) throws(FunctionFailure) -> Operand {
        switch function {
        case .builtin(.call):
            guard let callee = values.first?.indirected.dynamicValue else { throw FunctionFailure(message: "call of nil") }
            let calleeName = arguments.first?.description ?? ""
            throw FunctionFailure(message: "non-function \(calleeName) of type \(callee.typeName)")
        case .builtin(let builtin):
            return try builtin.call(values)
        case .custom(let custom):
            do {
                let result = try custom.call(values.map(\.dynamicValue))
                return result.map(Operand.value) ?? .interface(nil)
            } catch {
                throw FunctionFailure(message: error.message)
            }
        }
    }

    /// `validateType`: checks that a value can be passed as a parameter of the given kind.
    private func validate(_ value: Operand, as kind: ParameterKind?) throws(TemplateError) -> Operand {
        guard let kind else { return value }
        switch (value, kind) {
        case (.invalid, .reflectValue): return .invalid
        case (.invalid, .any): return .interface(nil)
        case (.invalid, .string): throw failure("invalid value; expected string")
        case (_, .reflectValue), (_, .any): return value
        case (.value(.string), .string): return value
        case (.interface(.string(let text)?), .string): return .value(.string(text))
        case (.interface(let data?), .string): throw failure("wrong type for value; expected string; got \(data.typeName)")
        default: throw failure("wrong type for value; expected string; got \(value.typeName)")
        }
    }

    /// `evalArg`: evaluates an argument for a parameter of the given kind (`nil`: no conversion).
    private mutating func evaluateArgument(_ node: ArgumentNode, as kind: ParameterKind?, dot: Operand) throws(TemplateError) -> Operand {
        at(.argument(node))
        switch node {
        case .dot:
            return try validate(dot, as: kind)
        case .nilValue:
            switch kind {
            case .reflectValue, nil: return .invalid
            case .any: return .interface(nil)
            case .string: throw failure("cannot assign nil to string")
            }
        case .field(_, let names):
            return try validate(evaluateField(node, names: names, dot: dot, arguments: [node], final: nil), as: kind)
        case .variable(let variable):
            return try validate(evaluateVariable(variable, dot: dot, arguments: nil, final: nil), as: kind)
        case .pipe(let pipe):
            return try validate(evaluate(pipeline: pipe, dot: dot), as: kind)
        case .identifier(_, let name):
            return try validate(evaluateFunction(node, name: name, dot: dot, node: .argument(node), arguments: nil, final: nil), as: kind)
        case .chain:
            return try validate(evaluateChain(node, dot: dot, arguments: nil, final: nil), as: kind)
        case .bool(_, let value):
            if kind == .string { throw failure("expected string; found \(node.description)") }
            return .value(.bool(value))
        case .number(let number):
            if kind == .string { throw failure("expected string; found \(node.description)") }
            return try constant(number)
        case .string(_, _, let value):
            return .value(.string(value))
        }
    }
}
