import ArgumentParser
import Foundation
import LilypadCore
import LilypadModules

extension LilypadCommand {
    /// `lilypad module …`: work with modules.
    struct Module: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch, render, validate and create modules.",
            discussion: """
                A module is a git repository with a lilypad_module.json.tmpl at its root. Name one as NAME:REF \
                (e.g. cowsay:v0.0.4), HOST/OWNER/REPO:REF, GIT-URL:REF, or a local folder (./my-module).
                """,
            subcommands: [Fetch.self, Render.self, Validate.self, New.self, Run.self]
        )
    }
}

/// The module loader for the current environment: `$LILYPAD_HOME`'s cache, and Lilypad's
/// registry with the built-in modules served locally.
func makeModuleLoader(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ModuleLoader {
    try ModuleLoader(home: LilypadHome(environment: environment))
}
