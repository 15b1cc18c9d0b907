/// Go's text/template parser: builds the trees of a template and of the templates it `define`s, with
/// Go's error messages and line numbers.
struct TemplateParser {
    /// What `textOrAction` produces: a node, or an `{{end}}` / `{{else}}` that closes the enclosing list.
    private enum Item {
        case node(TemplateNode)
        case end(position: Int)
        case elseMarker(position: Int, line: Int)

        var description: String {
            switch self {
            case .node(let node): node.description
            case .end: "{{end}}"
            case .elseMarker: "{{else}}"
            }
        }
    }

    /// Parser state that belongs to one tree (the top-level template, or one definition being parsed).
    private struct TreeState {
        var name: String
        var tokens = [TemplateToken](repeating: TemplateToken(kind: .eof, position: 0, value: "", line: 0), count: 3)
        var peekCount = 0
        var variables = ["$"]
        var actionLine = 0
        var rangeDepth = 0
    }

    private let parseName: String
    private let text: [UInt8]
    private let functionNames: Set<String>
    private var lexer: TemplateLexer
    private var tree: TreeState
    private(set) var trees: [String: ListNode] = [:]
    private let stack: StackGuard
    private var nesting = 0
    private var maximumNesting = 0

    /// Every tree by name, and how deeply pipelines and control structures nest in them.
    typealias Parsed = (trees: [String: ListNode], nesting: Int)

    /// Parses `text` as the template `name`.
    static func parse(name: String, text: String, functionNames: Set<String>, stack: StackGuard) throws(TemplateError) -> Parsed {
        var parser = TemplateParser(name: name, text: text, functionNames: functionNames, stack: stack)
        let root = try parser.parseTopLevel()
        try parser.add(name: name, root: root)
        return (parser.trees, parser.maximumNesting)
    }

    private init(name: String, text: String, functionNames: Set<String>, stack: StackGuard) {
        self.stack = stack
        parseName = name
        self.text = Array(text.utf8)
        self.functionNames = functionNames
        lexer = TemplateLexer(text, breakOK: !functionNames.contains("break"), continueOK: !functionNames.contains("continue"))
        tree = TreeState(name: name)
    }

    // MARK: Errors

    private func error(_ message: String) -> TemplateError {
        let token = tree.tokens[0]
        let position = min(token.position, text.count)
        let lineStart = text[..<position].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
        return TemplateError(kind: .parse, name: parseName, line: token.line, column: position - lineStart, message: message)
    }

    private func unexpected(_ token: TemplateToken, _ context: String) -> TemplateError {
        if token.kind == .error {
            var extra = ""
            if tree.actionLine != 0 && tree.actionLine != token.line {
                extra = " in action started at \(parseName):\(tree.actionLine)"
                if token.value.hasSuffix(" action") { extra = String(extra.dropFirst(" in action".count)) }
            }
            return error("\(token.description)\(extra)")
        }
        return error("unexpected \(token.description) in \(context)")
    }

    // MARK: Tokens

    private mutating func next() -> TemplateToken {
        if tree.peekCount > 0 {
            tree.peekCount -= 1
        } else {
            tree.tokens[0] = lexer.next()
        }
        return tree.tokens[tree.peekCount]
    }

    private mutating func backup() { tree.peekCount += 1 }

    private mutating func backup2(_ t1: TemplateToken) {
        tree.tokens[1] = t1
        tree.peekCount = 2
    }

    private mutating func backup3(_ t2: TemplateToken, _ t1: TemplateToken) {
        tree.tokens[1] = t1
        tree.tokens[2] = t2
        tree.peekCount = 3
    }

    private mutating func peek() -> TemplateToken {
        if tree.peekCount > 0 { return tree.tokens[tree.peekCount - 1] }
        tree.peekCount = 1
        tree.tokens[0] = lexer.next()
        return tree.tokens[0]
    }

    private mutating func nextNonSpace() -> TemplateToken {
        var token: TemplateToken
        repeat { token = next() } while token.kind == .space
        return token
    }

    private mutating func peekNonSpace() -> TemplateToken {
        let token = nextNonSpace()
        backup()
        return token
    }

    private mutating func expect(_ kind: TemplateToken.Kind, _ context: String) throws(TemplateError) -> TemplateToken {
        let token = nextNonSpace()
        if token.kind != kind { throw unexpected(token, context) }
        return token
    }

    // MARK: Trees

    /// Records a finished tree; an empty tree never replaces a non-empty one, and two non-empty ones clash.
    private mutating func add(name: String, root: ListNode) throws(TemplateError) {
        if let existing = trees[name], !existing.isEmpty {
            if !root.isEmpty {
                throw error("template: multiple definition of template \(GoFormat.format("%q", .string(Array(name.utf8))))")
            }
            return
        }
        trees[name] = root
    }

    /// Parses a nested tree (a `define` or `block` body) with fresh per-tree state.
    private mutating func withNewTree<T>(named name: String, _ body: (inout TemplateParser) throws(TemplateError) -> T) throws(TemplateError) -> T {
        let saved = tree
        tree = TreeState(name: name)
        let result = try body(&self)
        tree = saved
        return result
    }

    /// Go's parser recurses without limit (until its 1 GB stack overflows); here nesting that would exhaust
    /// the stack is an error.
    private mutating func enterNesting() throws(TemplateError) {
        if stack.isExhausted { throw error("template nesting too deep") }
        nesting += 1
        maximumNesting = max(maximumNesting, nesting)
    }

    private mutating func parseTopLevel() throws(TemplateError) -> ListNode {
        var root = ListNode(position: peek().position)
        while peek().kind != .eof {
            if peek().kind == .leftDelim {
                let delim = next()
                if nextNonSpace().kind == .define {
                    try withNewTree(named: "definition") { (parser: inout TemplateParser) throws(TemplateError) in
                        try parser.parseDefinition()
                    }
                    continue
                }
                backup2(delim)
            }
            let item = try textOrAction()
            switch item {
            case .end, .elseMarker: throw error("unexpected \(item.description)")
            case .node(let node): root.nodes.append(node)
            }
        }
        return root
    }

    private mutating func parseDefinition() throws(TemplateError) {
        let context = "define clause"
        let token = nextNonSpace()
        guard token.kind == .string || token.kind == .rawString else { throw unexpected(token, context) }
        guard let name = GoStrconv.unquote(Array(token.value.utf8)) else { throw error("invalid syntax") }
        tree.name = GoUTF8.string(name)
        _ = try expect(.rightDelim, context)
        let (root, end) = try itemList()
        guard case .end = end else { throw error("unexpected \(end.description) in \(context)") }
        try add(name: tree.name, root: root)
    }

    private mutating func itemList() throws(TemplateError) -> (ListNode, Item) {
        var list = ListNode(position: peekNonSpace().position)
        while peekNonSpace().kind != .eof {
            let item = try textOrAction()
            switch item {
            case .end, .elseMarker: return (list, item)
            case .node(let node): list.nodes.append(node)
            }
        }
        throw error("unexpected EOF")
    }

    private mutating func textOrAction() throws(TemplateError) -> Item {
        let token = nextNonSpace()
        switch token.kind {
        case .text:
            return .node(.text(position: token.position, bytes: Array(token.value.utf8)))
        case .leftDelim:
            tree.actionLine = token.line
            let item = try action()
            tree.actionLine = 0
            return item
        default:
            throw unexpected(token, "input")
        }
    }

    private mutating func action() throws(TemplateError) -> Item {
        let token = nextNonSpace()
        switch token.kind {
        case .block: return .node(try blockControl())
        case .breakKeyword, .continueKeyword:
            let keyword = token.kind == .breakKeyword ? "break" : "continue"
            let closing = nextNonSpace()
            if closing.kind != .rightDelim { throw unexpected(closing, "{{\(keyword)}}") }
            if tree.rangeDepth == 0 { throw error("{{\(keyword)}} outside {{range}}") }
            return .node(token.kind == .breakKeyword ? .breakNode(position: token.position) : .continueNode(position: token.position))
        case .elseKeyword:
            let lookahead = peekNonSpace()
            if lookahead.kind == .ifKeyword || lookahead.kind == .with {
                return .elseMarker(position: lookahead.position, line: lookahead.line)
            }
            let closing = try expect(.rightDelim, "else")
            return .elseMarker(position: closing.position, line: closing.line)
        case .end:
            return .end(position: try expect(.rightDelim, "end").position)
        case .ifKeyword: return .node(.ifNode(try parseControl("if")))
        case .range: return .node(.rangeNode(try parseControl("range")))
        case .template: return .node(try templateControl())
        case .with: return .node(.withNode(try parseControl("with")))
        default:
            backup()
            let start = peek()
            return .node(.action(position: start.position, pipe: try pipeline("command", end: .rightDelim)))
        }
    }

    private mutating func pipeline(_ context: String, end: TemplateToken.Kind) throws(TemplateError) -> PipeNode {
        try enterNesting()
        defer { nesting -= 1 }
        let start = peekNonSpace()
        var pipe = PipeNode(position: start.position, line: start.line)
        declarations: while true {
            let variable = peekNonSpace()
            guard variable.kind == .variable else { break }
            _ = next()
            let tokenAfterVariable = peek()
            let following = peekNonSpace()
            if following.kind == .assign || following.kind == .declare {
                pipe.isAssign = following.kind == .assign
                _ = nextNonSpace()
                pipe.declarations.append(VariableNode(position: variable.position, identifiers: [variable.value]))
                tree.variables.append(variable.value)
            } else if following.kind == .char && following.value == "," {
                _ = nextNonSpace()
                pipe.declarations.append(VariableNode(position: variable.position, identifiers: [variable.value]))
                tree.variables.append(variable.value)
                if context == "range" && pipe.declarations.count < 2 {
                    switch peekNonSpace().kind {
                    case .variable, .rightDelim, .rightParen: continue declarations
                    default: throw error("range can only initialize variables")
                    }
                }
                throw error("too many declarations in \(context)")
            } else if tokenAfterVariable.kind == .space {
                backup3(variable, tokenAfterVariable)
            } else {
                backup2(variable)
            }
            break
        }
        while true {
            let token = nextNonSpace()
            switch token.kind {
            case end:
                try checkPipeline(pipe, context)
                return pipe
            case .bool, .charConstant, .complex, .dot, .field, .identifier, .number, .nilKeyword, .rawString, .string, .variable,
                .leftParen:
                backup()
                pipe.commands.append(try command())
            default:
                throw unexpected(token, context)
            }
        }
    }

    private func checkPipeline(_ pipe: PipeNode, _ context: String) throws(TemplateError) {
        if pipe.commands.isEmpty { throw error("missing value for \(context)") }
        for (index, command) in pipe.commands.enumerated().dropFirst() {
            switch command.arguments.first {
            case .bool, .dot, .nilValue, .number, .string:
                throw error("non executable command in pipeline stage \(index + 1)")
            default:
                break
            }
        }
    }

    private mutating func parseControl(_ context: String) throws(TemplateError) -> BranchNode {
        try enterNesting()
        defer { nesting -= 1 }
        let savedVariables = tree.variables.count
        let pipe = try pipeline(context, end: .rightDelim)
        if context == "range" { tree.rangeDepth += 1 }
        let (list, next) = try itemList()
        if context == "range" { tree.rangeDepth -= 1 }
        var elseList: ListNode?
        if case .elseMarker(let position, _) = next {
            if context == "if" && peek().kind == .ifKeyword {
                _ = self.next()
                elseList = ListNode(position: position, nodes: [.ifNode(try parseControl("if"))])
            } else if context == "with" && peek().kind == .with {
                _ = self.next()
                elseList = ListNode(position: position, nodes: [.withNode(try parseControl("with"))])
            } else {
                let (list, end) = try itemList()
                guard case .end = end else { throw error("expected end; found \(end.description)") }
                elseList = list
            }
        }
        tree.variables.removeSubrange(savedVariables...)
        return BranchNode(position: pipe.position, line: pipe.line, pipe: pipe, list: list, elseList: elseList)
    }

    private mutating func blockControl() throws(TemplateError) -> TemplateNode {
        let context = "block clause"
        let token = nextNonSpace()
        let name = try templateName(token, context)
        let pipe = try pipeline(context, end: .rightDelim)
        let end = try withNewTree(named: name) { (parser: inout TemplateParser) throws(TemplateError) -> Item in
            let (root, end) = try parser.itemList()
            if case .end = end { try parser.add(name: name, root: root) }
            return end
        }
        // A misplaced {{else}} is reported against the enclosing tree, as Go does.
        guard case .end = end else { throw error("unexpected \(end.description) in \(context)") }
        return .template(TemplateCallNode(position: token.position, line: token.line, name: name, pipe: pipe))
    }

    private mutating func templateControl() throws(TemplateError) -> TemplateNode {
        let context = "template clause"
        let token = nextNonSpace()
        let name = try templateName(token, context)
        var pipe: PipeNode?
        if nextNonSpace().kind != .rightDelim {
            backup()
            pipe = try pipeline(context, end: .rightDelim)
        }
        return .template(TemplateCallNode(position: token.position, line: token.line, name: name, pipe: pipe))
    }

    private func templateName(_ token: TemplateToken, _ context: String) throws(TemplateError) -> String {
        guard token.kind == .string || token.kind == .rawString else { throw unexpected(token, context) }
        guard let name = GoStrconv.unquote(Array(token.value.utf8)) else { throw error("invalid syntax") }
        return GoUTF8.string(name)
    }

    private mutating func command() throws(TemplateError) -> CommandNode {
        var command = CommandNode(position: peekNonSpace().position)
        loop: while true {
            _ = peekNonSpace()
            if let operand = try operand() { command.arguments.append(operand) }
            let token = next()
            switch token.kind {
            case .space: continue loop
            case .rightDelim, .rightParen: backup()
            case .pipe: break
            default: throw unexpected(token, "operand")
            }
            break
        }
        if command.arguments.isEmpty { throw error("empty command") }
        return command
    }

    private mutating func operand() throws(TemplateError) -> ArgumentNode? {
        guard let node = try term() else { return nil }
        guard peek().kind == .field else { return node }
        let chainPosition = peek().position
        var fields: [String] = []
        while peek().kind == .field { fields.append(String(next().value.dropFirst())) }
        switch node {
        case .field(_, let names):
            return .field(position: chainPosition, names: names + fields)
        case .variable(let variable):
            return .variable(VariableNode(position: chainPosition, identifiers: variable.identifiers + fields))
        case .bool, .string, .number, .nilValue, .dot:
            throw error("unexpected . after term \(GoFormat.format("%q", .string(Array(node.description.utf8))))")
        default:
            return .chain(position: chainPosition, node: node, fields: fields)
        }
    }

    private mutating func term() throws(TemplateError) -> ArgumentNode? {
        let token = nextNonSpace()
        switch token.kind {
        case .identifier:
            if !functionNames.contains(token.value) {
                throw error("function \(GoFormat.format("%q", .string(Array(token.value.utf8)))) not defined")
            }
            return .identifier(position: token.position, name: token.value)
        case .dot:
            return .dot(position: token.position)
        case .nilKeyword:
            return .nilValue(position: token.position)
        case .variable:
            guard tree.variables.contains(token.value) else {
                throw error("undefined variable \(GoFormat.format("%q", .string(Array(token.value.utf8))))")
            }
            return .variable(VariableNode(position: token.position, identifiers: [token.value]))
        case .field:
            return .field(
                position: token.position, names: token.value.dropFirst().split(separator: ".", omittingEmptySubsequences: false).map(String.init))
        case .bool:
            return .bool(position: token.position, value: token.value == "true")
        case .charConstant, .complex, .number:
            switch NumberParser.parse(token.value, kind: token.kind) {
            case .success(let number):
                var node = number
                node.position = token.position
                return .number(node)
            case .failure(let message):
                throw error(message.description)
            }
        case .leftParen:
            return .pipe(try pipeline("parenthesized pipeline", end: .rightParen))
        case .string, .rawString:
            guard let value = GoStrconv.unquote(Array(token.value.utf8)) else { throw error("invalid syntax") }
            return .string(position: token.position, quoted: token.value, value: value)
        default:
            backup()
            return nil
        }
    }
}
