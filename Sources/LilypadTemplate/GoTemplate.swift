/// A parsed template with Go `text/template` semantics (Go 1.23): the same syntax, the same output bytes,
/// and errors in the same places, so Lilypad module templates render exactly as they do in Lilypad v2.
///
/// Templates `define`d or declared with `block` in the text are available to `{{template}}`.
public struct GoTemplate: Sendable {
    /// The template's name, used in error messages and as the entry point.
    public let name: String
    let trees: [String: ListNode]
    let functions: TemplateFunctions
    let text: [UInt8]
    /// Whether the parse trees nest deeply enough that executing them (and describing their nodes in errors,
    /// which recurses through them unchecked) belongs on a large stack straight away.
    let isDeeplyNested: Bool

    /// Parses `text` like `template.New(name).Funcs(functions).Parse(text)`.
    public init(name: String = "template", parsing text: String, functions: TemplateFunctions = .init()) throws(TemplateError) {
        self.name = name
        self.functions = functions
        self.text = Array(text.utf8)
        let names = Set(TemplateBuiltin.allCases.map(\.rawValue)).union(functions.functions.keys)
        let parsed = try LargeStack.run { (stack: StackGuard) throws(TemplateError) in
            try TemplateParser.parse(name: name, text: text, functionNames: names, stack: stack)
        }
        trees = parsed.trees
        isDeeplyNested = parsed.nesting > 64
    }

    /// The names of the templates the text defines, including this one.
    public var definedTemplates: [String] { trees.keys.sorted() }

    /// Executes the template on `data` and returns the output. Go strings are byte strings, so a template
    /// can produce invalid UTF-8 (for instance with `"\xff"`); such bytes become U+FFFD here, as they do when
    /// Go's `encoding/json` encodes the output. ``executeBytes(_:)`` gives the exact bytes.
    public func execute(_ data: TemplateValue) throws(TemplateError) -> String {
        GoUTF8.string(try executeBytes(data))
    }

    /// Executes the template on `data` and returns Go's exact output bytes.
    public func executeBytes(_ data: TemplateValue) throws(TemplateError) -> [UInt8] {
        // Converting and printing data recurses into it without checks, so deep data goes straight to a large stack.
        try executeBytes(deep: isDeeplyNested || data.isNested(deeperThan: 64)) { data.goData.map(Operand.value) ?? .invalid }
    }

    func executeBytes(deep: Bool = false, data: @escaping @Sendable () -> Operand) throws(TemplateError) -> [UInt8] {
        let (trees, functions, name, text) = (self.trees, self.functions, self.name, self.text)
        return try LargeStack.run(deep: deep || isDeeplyNested) { (stack: StackGuard) throws(TemplateError) in
            var executor = TemplateExecutor(templates: trees, functions: functions, name: name, text: text, stack: stack)
            try executor.execute(data())
            return executor.output
        }
    }
}
