/// Where a module's template lives (Lilypad's `ModuleConfig`).
public struct ModuleConfig: Sendable, Hashable, Codable {
    /// A display name; empty for modules given by repository.
    public var name: String
    /// An https git URL, e.g. `https://github.com/Lilypad-Tech/lilypad-module-cowsay`.
    public var repo: String
    /// A commit, tag or branch.
    public var hash: String
    /// The template's path inside the repository, e.g. `/lilypad_module.json.tmpl`.
    public var path: String

    public init(name: String = "", repo: String, hash: String, path: String = "/lilypad_module.json.tmpl") {
        self.name = name
        self.repo = repo
        self.hash = hash
        self.path = path
    }

    /// Lilypad's module ID: the CIDv0 of this configuration's Go JSON (`GetModuleID`).
    public func moduleID() throws -> String {
        try LilypadID.compute(self)
    }
}
