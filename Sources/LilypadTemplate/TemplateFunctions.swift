/// Extra functions for templates, like Go's `template.FuncMap`. Function names must be known when a
/// template is parsed: calling an unknown name is a parse error, as in Go.
public struct TemplateFunctions: Sendable {
    /// The Go type of a parameter, which decides how arguments are checked, as text/template does.
    public enum ParameterType: Sendable, Hashable {
        /// A Go `string`: only strings are accepted (a string constant, or a string value).
        case string
        /// A Go `interface{}`: anything is accepted; a missing value arrives as ``TemplateValue/null``.
        case any
    }

    /// A function: its Go signature and its body.
    public struct Function: Sendable {
        enum Body: Sendable {
            case values(@Sendable ([TemplateValue]) throws(TemplateFunctionError) -> TemplateValue)
            case native(@Sendable ([GoData?]) throws(TemplateFunctionError) -> GoData?)
        }

        /// The fixed parameters.
        public var parameters: [ParameterType]
        /// The element type of a final `...` parameter, if the function is variadic.
        public var variadic: ParameterType?
        let body: Body

        /// A function receiving its arguments as template values. Returning ``TemplateValue/null`` is
        /// returning a nil `interface{}`; throwing is returning a non-nil `error` in Go.
        ///
        /// The body should be free of side effects: an execution that outgrows the calling thread's stack is
        /// restarted from the beginning on a larger one, so a function may be called again with the same arguments.
        public init(
            parameters: [ParameterType], variadic: ParameterType? = nil,
            _ body: @escaping @Sendable ([TemplateValue]) throws(TemplateFunctionError) -> TemplateValue
        ) {
            self.parameters = parameters
            self.variadic = variadic
            self.body = .values(body)
        }

        init(parameters: [ParameterType], variadic: ParameterType?, native: @escaping @Sendable ([GoData?]) throws(TemplateFunctionError) -> GoData?)
        {
            self.parameters = parameters
            self.variadic = variadic
            self.body = .native(native)
        }

        func call(_ arguments: [GoData?]) throws(TemplateFunctionError) -> GoData? {
            switch body {
            case .native(let function): return try function(arguments)
            case .values(let function): return try function(arguments.map(TemplateValue.init(goData:))).goData
            }
        }
    }

    var functions: [String: Function]

    /// No extra functions: only text/template's builtins.
    public init() { functions = [:] }

    /// The given functions by name (names must be Go identifiers to be callable).
    public init(_ functions: [String: Function]) { self.functions = functions }

    /// The function registered under `name`.
    public subscript(name: String) -> Function? {
        get { functions[name] }
        set { functions[name] = newValue }
    }

    /// The function names.
    public var names: [String] { functions.keys.sorted() }

    /// Lilypad's module functions: `subst`.
    public static let lilypad = TemplateFunctions(["subst": subst])

    /// Lilypad's `subst(format string, jsonEncodedInputs ...string) string`: JSON-decodes every argument into a
    /// Go string (an argument that is not a JSON string literal makes the call fail with
    /// `subst: invalid input`), then returns `fmt.Sprintf(format, decoded...)`.
    public static let subst = Function(parameters: [.string], variadic: .string) { arguments throws(TemplateFunctionError) in
        guard case .string(let format)? = arguments.first else { throw TemplateFunctionError("subst: invalid input") }
        var decoded: [GoData?] = []
        for argument in arguments.dropFirst() {
            guard case .string(let encoded)? = argument, let value = try? GoJSON.decodeString(encoded) else {
                throw TemplateFunctionError("subst: invalid input")
            }
            decoded.append(.string(value))
        }
        return .string(GoFormat.sprintf(format, decoded))
    }
}

/// The error a template function reports; execution stops with `error calling NAME: MESSAGE`.
public struct TemplateFunctionError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var message: String

    /// An error with the given message.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}
