import Foundation
import LilypadCore
import LilypadTestSupport
import Testing

@Suite("Child processes")
struct ChildProcessTests {
    @Test func exitCodesAndSignalsAreReported() async throws {
        #expect(try await ChildProcess("sh", ["-c", "exit 3"]).wait() == .exited(3))
        let sleeper = try ChildProcess("sleep", ["30"])
        #expect(sleeper.isRunning)
        sleeper.terminate()
        // SIGTERM ends it even where this test process runs with SIGTERM blocked: children start
        // with no blocked signals and default dispositions.
        let ended = await sleeper.wait()
        #expect(ended == .signalled(SIGTERM) && ended.status == 143)
        #expect(!sleeper.isRunning && sleeper.termination == ended)
        sleeper.terminate()  // after the end: a no-op, never a signal to a reused pid
    }

    @Test func standardStreamsGoWhereTheyAreSent() async throws {
        let folder = try TemporaryDirectory(prefix: "child-process")
        let input = folder.url.appendingPathComponent("in").path, output = folder.url.appendingPathComponent("out").path
        try "hello\n".write(toFile: input, atomically: true, encoding: .utf8)
        let child = try ChildProcess(
            "sh", ["-c", "tr a-z A-Z; pwd; echo \"$ONLY\""], environment: ["ONLY": "this", "PATH": "/usr/bin:/bin"], directory: "/tmp",
            stdin: .file(input), stdout: .file(output), stderr: .null)
        #expect(await child.wait() == .exited(0))
        #expect(try String(contentsOfFile: output, encoding: .utf8) == "HELLO\n/tmp\nthis\n")
    }

    /// The child gets stdin, stdout and stderr and nothing else, however many descriptors this
    /// process has open without close-on-exec (as Foundation's `Pipe` leaves them).
    @Test func theChildInheritsOnlyItsStandardStreams() async throws {
        let folder = try TemporaryDirectory(prefix: "child-process")
        let output = folder.url.appendingPathComponent("fds").path
        let pipes = (0..<4).map { _ in Pipe() }
        #expect(pipes.allSatisfy { fcntl($0.fileHandleForReading.fileDescriptor, F_GETFD) & FD_CLOEXEC == 0 })
        let child = try ChildProcess("sh", ["-c", "ls /proc/$$/fd"], stdout: .file(output))
        #expect(await child.wait() == .exited(0))
        let descriptors = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n").compactMap { Int($0) }
        #expect(Set(descriptors).isSubset(of: [0, 1, 2]), "\(descriptors)")
        for pipe in pipes { _ = pipe }
    }

    /// A child that leaves a background process behind has ended when it exits, even though the
    /// background process holds its descriptors (Foundation's `Process` waits for both).
    @Test func theEndIsSeenWhileAGrandchildLivesOn() async throws {
        let folder = try TemporaryDirectory(prefix: "child-process")
        let output = folder.url.appendingPathComponent("pid").path
        let child = try ChildProcess("sh", ["-c", "sleep 60 & echo $!"], stdout: .file(output), stderr: .inherit)
        #expect(await child.wait() == .exited(0))
        let grandchild = try #require(pid_t(try String(contentsOfFile: output, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(kill(grandchild, 0) == 0, "the grandchild is still running")
        kill(grandchild, SIGKILL)
    }

    @Test func aTimedWaitReturnsWhileTheChildRuns() async throws {
        let child = try ChildProcess("sleep", ["30"])
        #expect(await child.wait(timeout: .milliseconds(50)) == nil)
        child.send(SIGKILL)
        #expect(await child.wait(timeout: .seconds(60)) == .signalled(SIGKILL))
        #expect(child.waitUntilExit() == .signalled(SIGKILL))
    }

    @Test func launchFailuresSayWhat() throws {
        #expect {
            try ChildProcess("lilypad-no-such-program", [])
        } throws: { error in
            "\(error)" == "cannot run lilypad-no-such-program: not found on PATH (is it installed?)"
        }
        #expect {
            try ChildProcess("true", [], directory: "/nonexistent-folder")
        } throws: { error in
            "\(error)".contains("No such file or directory (in /nonexistent-folder)")
        }
    }
}
