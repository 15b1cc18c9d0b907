/// Where Lilypad keeps its files: `$LILYPAD_HOME`, default `~/.lilypad`.
///
/// Lilypad's `DATA_DIR` is honoured for job creators' result folders (`downloaded-files/`).
public struct LilypadHome: Sendable, Hashable {
    /// The home folder.
    public var path: String

    public init(path: String) { self.path = path }

    /// The folder named by the environment: `LILYPAD_HOME`, else `$HOME/.lilypad`.
    public init(environment: [String: String]) {
        if let home = environment["LILYPAD_HOME"], !home.isEmpty {
            path = home
        } else {
            path = (environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp") + "/.lilypad"
        }
    }

    /// Module repository mirrors and checkouts.
    public var modules: String { path + "/modules" }
}
