import Foundation
import Testing

/// The job contract through `lilypad exec` and the sandbox executor: command, environment, working
/// directory, user, outputs, exit codes and separate stdout/stderr.
@Suite(.serialized, .enabled(if: Sandbox.unavailableReason == nil, "needs root, bubblewrap and busybox-static"))
struct SandboxContractTests {
    static let script = """
        #!/bin/sh
        echo "args=$* greeting=$GREETING pwd=$(pwd) uid=$(id -u) host=$(hostname)"
        echo "to stderr" >&2
        echo result > /outputs/result.txt
        mkdir /outputs/sub && echo nested > /outputs/sub/nested.txt
        ln -s /etc/passwd /outputs/link
        mkfifo /outputs/fifo
        exit 3
        """

    @Test func commandEnvironmentWorkdirOutputsAndExitCode() throws {
        try Sandbox.withRootfs(extraFiles: ["entrypoint.sh": Self.script]) { root in
            let run = try Sandbox.exec(root, ["--env", "GREETING=hi there", "--workdir", "/work"], ["/entrypoint.sh", "a1", "a2"])
            defer { try? FileManager.default.removeItem(at: run.outputs) }
            #expect(run.output.status == 3)
            #expect(run.output.stdout == "args=a1 a2 greeting=hi there pwd=/work uid=0 host=job\n")
            #expect(run.output.stderr == "to stderr\n")
            let outputs = run.outputs.path
            #expect(try String(contentsOfFile: outputs + "/result.txt", encoding: .utf8) == "result\n")
            #expect(try String(contentsOfFile: outputs + "/sub/nested.txt", encoding: .utf8) == "nested\n")
            // Symlinks are copied as symlinks, never followed; FIFOs are skipped.
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: outputs + "/link") == "/etc/passwd")
            #expect(!FileManager.default.fileExists(atPath: outputs + "/fifo"))
        }
    }

    @Test func entrypointUserAndMissingWorkdir() throws {
        try Sandbox.withRootfs { root in
            let echo = try Sandbox.exec(root, ["--entrypoint", "/bin/echo"], ["from", "echo"])
            #expect(echo.output.status == 0 && echo.output.stdout == "from echo\n")
            let user = try Sandbox.exec(root, ["--user", "nobody", "--workdir", "/newdir"], ["sh", "-c", "id -u; id -g; pwd"])
            #expect(user.output.stdout == "65534\n65534\n/newdir\n")
        }
    }

    @Test func jobsThatCannotStartExit125() throws {
        try Sandbox.withRootfs { root in
            let noCommand = try Sandbox.exec(root, [], [])
            #expect(noCommand.output.status == 125)
            #expect(noCommand.output.stderr.contains("no Entrypoint or Cmd"))
            let badUser = try Sandbox.exec(root, ["--user", "alice"], ["true"])
            #expect(badUser.output.status == 125 && badUser.output.stderr.contains("alice"))
            let missing = try Sandbox.exec(root, [], ["/bin/does-not-exist"])
            #expect(missing.output.status == 125 || missing.output.status == 127, "\(missing.output)")
            let executor = try Oracle.lilypad(["exec", "--executor", "podman", "--rootfs", root.path, "--", "true"])
            #expect(executor.status == 125 && executor.stderr.contains("available: sandbox"))
        }
    }

    @Test func signalsBecome128PlusN() throws {
        try Sandbox.withRootfs { root in
            let run = try Sandbox.exec(root, [], ["sh", "-c", "kill -SEGV $$"])
            #expect(run.output.status == 139)
        }
    }
}

extension SandboxContractTests {
    /// `lilypad exec … | head -c 1`: the command survives its reader going away and cleans up.
    @Test func aClosedStdoutDoesNotAbandonTheJob() throws {
        try Sandbox.withRootfs { root in
            let name = "pipe\(UInt32.random(in: 0...UInt32.max))"
            let command =
                "'\(Oracle.lilypadBinary)' exec --name \(name) --rootfs '\(root.path)' --outputs '\(root.path)-outputs-x' -- "
                + "sh -c 'sleep 0.2; yes | head -c 1000000; echo done > /outputs/done' | head -c 1 >/dev/null; echo ${PIPESTATUS[0]}"
            let run = try Oracle.run("/bin/bash", ["-c", command])
            #expect(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "\(run)")
            #expect(FileManager.default.fileExists(atPath: root.path + "-outputs-x/done"))
            Sandbox.expectNothingLeft(job: name)
        }
    }
}
