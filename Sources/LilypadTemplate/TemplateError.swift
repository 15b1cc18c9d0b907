/// A parse or execution error, positioned like Go's: the top-level template name, the 1-based line, and
/// the 0-based byte column within that line (Go prints the column only for execution errors).
///
/// ``description`` reads like Go's error, e.g.
/// `template: name:3:14: executing "name" at <.x>: can't evaluate field x in type string`.
public struct TemplateError: Error, Sendable, CustomStringConvertible {
    /// Where the error arose.
    public enum Kind: Sendable, Hashable {
        /// The template text is malformed (reported by `Parse` in Go).
        case parse
        /// Executing the template failed (reported by `Execute` in Go).
        case execution
    }

    /// Whether parsing or executing failed.
    public var kind: Kind
    /// The name of the template being parsed (for definitions, the top-level template's name, as in Go).
    public var name: String
    /// The 1-based line of the offending token or node.
    public var line: Int
    /// The byte offset of the offending node within its line, counting from 0 as Go does.
    public var column: Int
    /// The error itself, without the location prefix.
    public var message: String
    /// For execution errors: the name of the (possibly `define`d) template being executed.
    public var executing: String?
    /// For execution errors: the source text of the node being evaluated.
    public var context: String?

    /// An error with the given position and parts.
    public init(
        kind: Kind, name: String, line: Int, column: Int, message: String, executing: String? = nil, context: String? = nil
    ) {
        self.kind = kind
        self.name = name
        self.line = line
        self.column = column
        self.message = message
        self.executing = executing
        self.context = context
    }

    /// The error as Go words it: `template: NAME:LINE: MESSAGE` for parse errors,
    /// `template: NAME:LINE:COLUMN: executing "TEMPLATE" at <NODE>: MESSAGE` for execution errors.
    public var description: String {
        switch kind {
        case .parse:
            return "template: \(name):\(line): \(message)"
        case .execution:
            let executing = GoFormat.format("%q", .string(Array((self.executing ?? name).utf8)))
            return "template: \(name):\(line):\(column): executing \(executing) at <\(context ?? "")>: \(message)"
        }
    }
}
