/// The parse tree. Positions are byte offsets into the template text; ``description`` reproduces the node's
/// source the way Go's `Node.String()` does, for error messages.
indirect enum TemplateNode: Sendable, CustomStringConvertible {
    case text(position: Int, bytes: [UInt8])
    case action(position: Int, pipe: PipeNode)
    case ifNode(BranchNode)
    case rangeNode(BranchNode)
    case withNode(BranchNode)
    case template(TemplateCallNode)
    case breakNode(position: Int)
    case continueNode(position: Int)
    case list(ListNode)

    var position: Int {
        switch self {
        case .text(let position, _), .action(let position, _), .breakNode(let position), .continueNode(let position): position
        case .ifNode(let branch), .rangeNode(let branch), .withNode(let branch): branch.position
        case .template(let call): call.position
        case .list(let list): list.position
        }
    }

    var description: String {
        switch self {
        case .text(_, let bytes): GoUTF8.string(bytes)
        case .action(_, let pipe): "{{\(pipe)}}"
        case .ifNode(let branch): branch.description(keyword: "if")
        case .rangeNode(let branch): branch.description(keyword: "range")
        case .withNode(let branch): branch.description(keyword: "with")
        case .template(let call): call.description
        case .breakNode: "{{break}}"
        case .continueNode: "{{continue}}"
        case .list(let list): list.description
        }
    }

    /// Whether the node holds nothing but space (Go's `IsEmptyTree`), which lets a later definition replace it.
    var isEmpty: Bool {
        switch self {
        case .list(let list): list.isEmpty
        case .text(_, let bytes): GoUTF8.string(bytes).unicodeScalars.allSatisfy(\.properties.isWhitespace)
        default: false
        }
    }
}

struct ListNode: Sendable, CustomStringConvertible {
    var position: Int
    var nodes: [TemplateNode] = []

    var description: String { nodes.map(\.description).joined() }

    var isEmpty: Bool { nodes.allSatisfy(\.isEmpty) }
}

/// `if`, `range` and `with`.
struct BranchNode: Sendable {
    var position: Int
    var line: Int
    var pipe: PipeNode
    var list: ListNode
    var elseList: ListNode?

    func description(keyword: String) -> String {
        var text = "{{\(keyword) \(pipe)}}\(list)"
        if let elseList { text += "{{else}}\(elseList)" }
        return text + "{{end}}"
    }
}

/// `{{template "name" pipeline}}` (and the invocation half of `block`).
struct TemplateCallNode: Sendable, CustomStringConvertible {
    var position: Int
    var line: Int
    var name: String
    var pipe: PipeNode?

    var description: String {
        var text = "{{template " + GoFormat.format("%q", .string(Array(name.utf8)))
        if let pipe { text += " \(pipe)" }
        return text + "}}"
    }
}

/// A pipeline, possibly declaring or assigning variables: `$x := a | b c`.
struct PipeNode: Sendable, CustomStringConvertible {
    var position: Int
    var line: Int
    var isAssign = false
    var declarations: [VariableNode] = []
    var commands: [CommandNode] = []

    var description: String {
        var text = ""
        if !declarations.isEmpty {
            text = declarations.map(\.description).joined(separator: ", ") + (isAssign ? " = " : " := ")
        }
        return text + commands.map(\.description).joined(separator: " | ")
    }
}

struct CommandNode: Sendable, CustomStringConvertible {
    var position: Int
    var arguments: [ArgumentNode] = []

    var description: String {
        arguments.map { argument in
            if case .pipe(let pipe) = argument { return "(\(pipe))" }
            return argument.description
        }.joined(separator: " ")
    }
}

struct VariableNode: Sendable, CustomStringConvertible {
    var position: Int
    /// The variable name (with `$`) followed by any field names.
    var identifiers: [String]

    var description: String { identifiers.joined(separator: ".") }
}

/// A numeric constant with every interpretation Go's parser derives from its text.
struct NumberNode: Sendable {
    var position: Int
    var text: String
    var isInt = false
    var isUint = false
    var isFloat = false
    var isComplex = false
    var int64: Int64 = 0
    var uint64: UInt64 = 0
    var float64: Double = 0
    var complex: (re: Double, im: Double) = (0, 0)
}

/// An operand of a command.
indirect enum ArgumentNode: Sendable, CustomStringConvertible {
    case field(position: Int, names: [String])
    case chain(position: Int, node: ArgumentNode, fields: [String])
    case identifier(position: Int, name: String)
    case variable(VariableNode)
    case dot(position: Int)
    case nilValue(position: Int)
    case bool(position: Int, value: Bool)
    case number(NumberNode)
    case string(position: Int, quoted: String, value: [UInt8])
    case pipe(PipeNode)

    var position: Int {
        switch self {
        case .field(let position, _), .chain(let position, _, _), .identifier(let position, _), .dot(let position),
            .nilValue(let position), .bool(let position, _), .string(let position, _, _):
            position
        case .variable(let variable): variable.position
        case .number(let number): number.position
        case .pipe(let pipe): pipe.position
        }
    }

    var description: String {
        switch self {
        case .field(_, let names): names.map { "." + $0 }.joined()
        case .chain(_, let node, let fields):
            (node.isPipe ? "(\(node))" : node.description) + fields.map { "." + $0 }.joined()
        case .identifier(_, let name): name
        case .variable(let variable): variable.description
        case .dot: "."
        case .nilValue: "nil"
        case .bool(_, let value): value ? "true" : "false"
        case .number(let number): number.text
        case .string(_, let quoted, _): quoted
        case .pipe(let pipe): pipe.description
        }
    }

    var isPipe: Bool {
        if case .pipe = self { return true }
        return false
    }
}
