import Foundation

/// Runs a program found on `PATH` without a terminal and waits for it, capturing stdout and
/// stderr through files (so output of any size neither blocks nor fills memory), or sending
/// stdout to a file of the caller's choice.
public struct ExternalCommand: Sendable {
    /// How a finished command ended and what it printed.
    public struct Output: Sendable {
        /// The exit code, or 128 + the signal that killed it.
        public var status: Int32
        public var stdout: String
        public var stderr: String

        /// stderr's first non-empty line, or the exit status, for error messages.
        public var summary: String {
            stderr.split(separator: "\n").first(where: { !$0.allSatisfy(\.isWhitespace) }).map(String.init) ?? "exit status \(status)"
        }
    }

    /// Why a command could not be run at all.
    public typealias LaunchError = ChildProcess.LaunchError

    public var program: String
    public var arguments: [String]
    /// Added to (and overriding) this process's environment.
    public var environment: [String: String]
    public var directory: String?
    /// When set, stdout goes to this file (created or truncated) instead of ``Output/stdout``.
    public var stdoutFile: String?

    public init(_ program: String, _ arguments: [String], environment: [String: String] = [:], directory: String? = nil, stdoutFile: String? = nil) {
        self.program = program
        self.arguments = arguments
        self.environment = environment
        self.directory = directory
        self.stdoutFile = stdoutFile
    }

    /// Runs the command to completion.
    public func run() throws(LaunchError) -> Output {
        let fm = FileManager.default
        let scratch = fm.temporaryDirectory.appendingPathComponent("lilypad-cmd-\(UUID().uuidString)")
        do {
            try fm.createDirectory(at: scratch, withIntermediateDirectories: true)
        } catch {
            throw LaunchError(program: program, reason: "cannot create a temporary folder: \(error.localizedDescription)")
        }
        defer { try? fm.removeItem(at: scratch) }
        let outPath = stdoutFile ?? scratch.appendingPathComponent("out").path
        let errPath = scratch.appendingPathComponent("err").path
        let child = try ChildProcess(
            program, arguments, environment: ProcessInfo.processInfo.environment.merging(environment) { $1 }, directory: directory,
            stdout: .file(outPath), stderr: .file(errPath))
        let termination = child.waitUntilExit()
        let stdout = stdoutFile == nil ? ((try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "") : ""
        let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        return Output(status: termination.status, stdout: stdout, stderr: stderr)
    }
}
