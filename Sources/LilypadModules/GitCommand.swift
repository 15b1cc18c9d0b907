import Foundation
import LilypadCore

/// Runs `git` without a terminal: it never prompts for credentials (a prompt would hang a
/// resource provider), and its output is captured through files so any size is safe.
struct GitCommand {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `git arguments…` in `directory`.
    static func run(_ arguments: [String], in directory: String? = nil, environment extra: [String: String] = [:]) throws(ModuleError) -> Output {
        var environment = [
            "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "/bin/false", "SSH_ASKPASS": "/bin/false", "LC_ALL": "C",
            "GIT_SSH_COMMAND": ProcessInfo.processInfo.environment["GIT_SSH_COMMAND"] ?? "ssh -o BatchMode=yes",
        ]
        environment.merge(extra) { $1 }
        do {
            let output = try ExternalCommand("git", arguments, environment: environment, directory: directory).run()
            return Output(status: output.status, stdout: output.stdout, stderr: output.stderr)
        } catch {
            throw .gitFailed(command: arguments.first ?? "", detail: error.description)
        }
    }
}
