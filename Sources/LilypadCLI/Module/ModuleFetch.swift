import ArgumentParser
import LilypadModules

extension LilypadCommand.Module {
    /// `lilypad module fetch REF`.
    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch a module into the cache and print its commit and folder.",
            discussion: "Tags and branches are resolved to a commit; a commit fetched before works offline."
        )

        @Argument(help: "The module, e.g. cowsay:v0.0.4.")
        var module: String

        func run() throws {
            let loaded = try makeModuleLoader().load(try ModuleReference(parsing: module))
            if loaded.offline { printError("warning: \(loaded.config.repo) is unreachable; using the copy fetched before") }
            print("\(loaded.config.hash.isEmpty ? "(working tree)" : loaded.config.hash)  \(loaded.directory)")
        }
    }
}
