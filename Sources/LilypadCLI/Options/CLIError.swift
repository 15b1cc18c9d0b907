/// An error a command reports as `Error: <message>` (without the usage text that
/// `ValidationError` adds, which only helps when the arguments themselves are wrong).
struct CLIError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) { self.description = description }
}
