import Foundation
import LilypadCore
import Testing

@testable import LilypadImages

/// The job harness of the model images (`ModelPrograms.harness`), run by the host's Python as a
/// warm process would run it, with a program whose other thread writes to stderr all the time (as
/// llama.cpp's log thread does).
@Suite("Model job harness")
struct ModelHarnessTests {
    static let program = #"""
        import os, sys, threading, time
        from lilypad_job import main, stopped

        def chatter():
            # Straight to the descriptor, as C++ code logs: Python's stream lock does not order it.
            while True:
                os.write(2, b"log line\n")

        def load():
            threading.Thread(target=chatter, daemon=True).start()
            return "model"

        def handle(request, outputs, model):
            print("data: %s" % request["n"], flush=True)
            if request.get("wait_for_stop"):
                while not stopped():
                    time.sleep(0.01)

        main(load, handle)
        sys.stdout.flush()
        os._exit(0)  # not through interpreter shutdown, which a writing daemon thread aborts
        """#

    @Test func endLinesReachBothStreamsWholeWhileAnotherThreadWritesToStderr() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("harness-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try ModelPrograms.harness.write(to: folder.appendingPathComponent("lilypad_job.py"), atomically: true, encoding: .utf8)
        try Self.program.write(to: folder.appendingPathComponent("program.py"), atomically: true, encoding: .utf8)

        // 200 jobs, then one that waits for its stop line, then the end of stdin.
        var input = ""
        var tokens: [String] = []
        for n in 0...200 {
            let token = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            tokens.append(token)
            let request = Data(#"{"n": \#(n)\#(n == 200 ? #", "wait_for_stop": true"# : "")}"#.utf8).base64EncodedString()
            input +=
                #"{"end": "\#(token)", "environment": {"REQUEST": "\#(request)"}, "id": "job-\#(n)", "outputs": "\#(folder.path)/out/job-\#(n)"}"#
                + "\n"
        }
        input += #"{"stop": "job-200"}"# + "\n"
        let stdinPath = folder.appendingPathComponent("stdin").path
        try input.write(toFile: stdinPath, atomically: true, encoding: .utf8)
        let stdoutPath = folder.appendingPathComponent("stdout").path
        let stderrPath = folder.appendingPathComponent("stderr").path
        let process = try ChildProcess(
            "python3", [folder.appendingPathComponent("program.py").path],
            environment: [
                "LILYPAD_WARM": "1", "PYTHONUNBUFFERED": "1", "PYTHONPATH": folder.path,
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin",
            ], stdin: .file(stdinPath), stdout: .file(stdoutPath), stderr: .file(stderrPath))
        let termination = await process.wait()
        let stdout = try String(contentsOfFile: stdoutPath, encoding: .utf8)
        let stderr = try String(contentsOfFile: stderrPath, encoding: .utf8)
        #expect(termination == .exited(0), "\(stderr.suffix(2000))")
        for (n, token) in tokens.enumerated() {
            let code = n == 200 ? 130 : 0
            let onStdout = stdout.contains("\(token) \(code)\n"), onStderr = stderr.contains("\(token) \(code)\n")
            #expect(onStdout, "job \(n)'s end line on stdout")
            #expect(onStderr, "job \(n)'s end line on stderr, whole among the other thread's writes")
        }
        #expect(stdout.contains("data: 200\n"))
    }
}
