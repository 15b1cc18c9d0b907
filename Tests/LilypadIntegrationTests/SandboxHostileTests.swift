import Foundation
import LilypadCore
import Testing

/// Hostile jobs, each of which must be blocked or contained, with nothing left on the host.
@Suite(.serialized, .enabled(if: Sandbox.unavailableReason == nil, "needs root, bubblewrap and busybox-static"))
struct SandboxHostileTests {
    /// Runs `probe ARGS` in a fresh sandbox and expects it to report BLOCKED.
    func expectBlocked(_ arguments: [String], options: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) throws {
        try Sandbox.withRootfs { root in
            let run = try Sandbox.exec(root, options, ["/bin/probe"] + arguments)
            #expect(run.output.stdout.hasPrefix("BLOCKED"), "\(arguments): \(run.output)", sourceLocation: sourceLocation)
            #expect(run.output.status == 0, sourceLocation: sourceLocation)
        }
    }

    @Test func hostFilesAreInvisible() throws {
        let secretDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("lilypad-secret-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: secretDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: secretDirectory) }
        let secret = secretDirectory.appendingPathComponent("secret.txt")
        try "top secret".write(to: secret, atomically: true, encoding: .utf8)
        try expectBlocked(["read", secret.path])
        try expectBlocked(["read", "/etc/shadow"])
        try expectBlocked(["read", "/proc/1/root/etc/shadow"])
    }

    @Test func rootfsStaysUnchanged() throws {
        try Sandbox.withRootfs { root in
            let before = try FileManager.default.subpathsOfDirectory(atPath: root.path).sorted()
            let run = try Sandbox.exec(
                root, [],
                [
                    "sh", "-c",
                    "for p in /evil /bin/evil /etc/evil /work/evil /proc/evil; do echo x > $p && echo WROTE $p; done; echo ok > /tmp/t && cat /tmp/t",
                ])
            #expect(!run.output.stdout.contains("WROTE"), "\(run.output)")
            #expect(run.output.stdout.contains("ok"))
            #expect(try FileManager.default.subpathsOfDirectory(atPath: root.path).sorted() == before)
        }
        try expectBlocked(["write", "/bin/busybox"])
    }

    @Test func noNetworkNotEvenHostLoopback() throws {
        let listener = try Sandbox.listen()
        defer { close(listener.descriptor) }
        try expectBlocked(["connect", "127.0.0.1", String(listener.port)])
        try expectBlocked(["connect", "1.1.1.1", "53"])
        // The positive control: with --network host the same probe reaches the listener.
        try Sandbox.withRootfs { root in
            let run = try Sandbox.exec(root, ["--network", "host"], ["/bin/probe", "connect", "127.0.0.1", String(listener.port)])
            #expect(run.output.stdout.hasPrefix("ALLOWED"), "\(run.output)")
        }
    }

    @Test func hostProcessesAreInvisible() throws {
        try Sandbox.withRootfs { root in
            let run = try Sandbox.exec(root, [], ["sh", "-c", "ls /proc | grep -c '^[0-9]'"])
            let count = Int(run.output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 99
            #expect(count <= 4, "\(run.output)")
        }
    }

    @Test(arguments: [
        ["mount"], ["remount"], ["umount"], ["chroot"], ["ptrace1"], ["unshare"], ["packet"], ["clone-newuser"], ["clone3"], ["keyctl"],
        ["bpf"], ["userfaultfd"], ["io_uring"], ["perf"], ["tiocsti"],
    ])
    func kernelInterfacesAreDenied(_ probe: [String]) throws {
        try expectBlocked(probe)
    }

    @Test func forkBombHitsThePidsLimit() throws {
        try Sandbox.withRootfs { root in
            let run = try Sandbox.exec(root, ["--pids", "64", "--timeout", "20"], ["/bin/probe", "forkbomb"])
            let forks = run.output.stdout.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? -1
            #expect(forks >= 0 && forks < 64, "\(run.output)")
            #expect(run.output.status == 0)
        }
        // The host can still start processes.
        #expect(try Oracle.run("/bin/true", []).status == 0)
    }

    @Test func memoryExhaustionIsReportedAsOOM() throws {
        try Sandbox.withRootfs { root in
            let run = try Sandbox.exec(root, ["--memory", "64"], ["/bin/probe", "memhog", "400"])
            #expect(run.output.status == 137, "\(run.output)")
            #expect(run.output.stderr.contains("ran out of memory"))
            let fits = try Sandbox.exec(root, ["--memory", "64"], ["/bin/probe", "memhog", "16"])
            #expect(fits.output.status == 0 && fits.output.stdout.contains("survived"))
        }
    }

    @Test func outputsAreCapped() throws {
        try Sandbox.withRootfs { root in
            let run = try Sandbox.exec(root, ["--outputs-size", "8"], ["/bin/probe", "fill", "/outputs/big", "100"])
            defer { try? FileManager.default.removeItem(at: run.outputs) }
            #expect(run.output.stdout.contains("then ENOSPC") && run.output.stdout.contains("continued"), "\(run.output)")
            #expect(run.output.status == 0)
            let size = (try? FileManager.default.attributesOfItem(atPath: run.outputs.path + "/big")[.size] as? Int) ?? -1
            #expect(size > 0 && size <= 8 << 20)
        }
    }

    @Test func hugeStdoutIsTruncatedAndTheJobFinishes() throws {
        try Sandbox.withRootfs { root in
            let run = try Sandbox.exec(root, ["--timeout", "60"], ["sh", "-c", "head -c 200000000 /dev/zero | tr '\\0' x; echo finished >&2"])
            #expect(run.output.status == 0)
            #expect(run.output.stdout.utf8.count == 4 << 20)
            #expect(run.output.stderr.contains("finished") && run.output.stderr.contains("stdout was cut"))
        }
    }

    @Test func timeoutKillsAJobIgnoringSIGTERMAndItsOrphans() throws {
        let marker = String(Int.random(in: 700_000...799_999))
        try Sandbox.withRootfs { root in
            let run = try Sandbox.exec(
                root, ["--timeout", "2"],
                [
                    "sh", "-c",
                    "trap '' TERM HUP; setsid sleep \(marker)1 & nohup sleep \(marker)2 & (trap '' TERM HUP; sleep \(marker)3) & while :; do sleep 1; done",
                ])
            #expect(run.output.status == 124, "\(run.output)")
            #expect(run.seconds >= 1.9 && run.seconds < 6, "took \(run.seconds) s")
            #expect(run.output.stderr.contains("time limit"))
        }
        #expect(Sandbox.processes(containing: "sleep \(marker)").isEmpty)
    }

    @Test func orphansDoNotOutliveTheJob() throws {
        let marker = String(Int.random(in: 800_000...899_999))
        try Sandbox.withRootfs { root in
            let run = try Sandbox.exec(root, [], ["sh", "-c", "setsid sleep \(marker)1 & nohup sleep \(marker)2 >/dev/null & echo started"])
            #expect(run.output.status == 0 && run.output.stdout == "started\n")
        }
        #expect(Sandbox.processes(containing: "sleep \(marker)").isEmpty)
    }

    @Test func cancellingTheCommandKillsTheJob() throws {
        let number = Int.random(in: 900_000...999_999)
        let marker = String(number)
        let sleeping = "sleep \(number + 1)"
        try Sandbox.withRootfs { root in
            let outputs = FileManager.default.temporaryDirectory.appendingPathComponent("lilypad-outputs-\(UUID().uuidString)")
            let name = "cancel\(marker)"
            let process = try ChildProcess(
                Oracle.lilypadBinary,
                [
                    "exec", "--name", name, "--rootfs", root.path, "--outputs", outputs.path, "--", "sh", "-c",
                    "sleep $((\(marker) + 1)) & sleep $((\(marker) + 1))",
                ], stdout: .null, stderr: .null)
            var seen = false
            for _ in 0..<100 where !seen {
                usleep(50_000)
                seen = !Sandbox.processes(containing: sleeping).isEmpty
            }
            #expect(seen, "the job never started")
            process.terminate()
            #expect(process.waitUntilExit() == .exited(143))
            #expect(Sandbox.processes(containing: sleeping).isEmpty)
            Sandbox.expectNothingLeft(job: name)
            try? FileManager.default.removeItem(at: outputs)
        }
    }
}

/// Without cgroups the sandbox falls back to rlimits on the slot's uid, and says so.
@Suite(.serialized, .enabled(if: Sandbox.unavailableReason == nil, "needs root, bubblewrap and busybox-static"))
struct SandboxFallbackTests {
    @Test func rlimitsContainAForkBombAndTheResultWarns() throws {
        try Sandbox.withRootfs { root in
            let run = try Sandbox.exec(root, ["--no-cgroups", "--pids", "64"], ["/bin/probe", "forkbomb"])
            let forks = run.output.stdout.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? -1
            #expect(forks >= 0 && forks < 64, "\(run.output)")
            #expect(run.output.stderr.contains("weaker isolation"))
            let timeout = try Sandbox.exec(root, ["--no-cgroups", "--timeout", "1"], ["sh", "-c", "trap '' TERM; sleep 30"])
            #expect(timeout.output.status == 124)
        }
    }
}

extension SandboxHostileTests {
    @Test func outputsTooDeepToCopyAreSkippedWithAWarning() throws {
        try Sandbox.withRootfs { root in
            let run = try Sandbox.exec(root, [], ["sh", "-c", "echo kept > /outputs/kept; /bin/probe deep /outputs 400"])
            #expect(run.output.status == 0 && run.output.stdout == "levels 400\n", "\(run.output)")
            #expect(run.output.stderr.contains("could not be collected"))
            #expect(FileManager.default.fileExists(atPath: run.outputs.path + "/kept"))
        }
    }
}

extension SandboxHostileTests {
    /// An agent SIGKILLed mid-job: its job dies with it, and the next job's agent removes the
    /// cgroups and the outputs mount it left.
    @Test func leftoversOfAKilledAgentAreSweptByTheNextJob() throws {
        let number = Int.random(in: 400_000...499_999)
        let marker = String(number)
        let name = "killed\(marker)"
        let sleeping = "sleep \(number + 1)"
        try Sandbox.withRootfs { root in
            // The job's sleep gets its number from the shell, so the marker is not in this command's own arguments.
            let process = try ChildProcess(
                Oracle.lilypadBinary,
                ["exec", "--name", name, "--rootfs", root.path, "--outputs", root.path + "-outputs-k", "--", "sh", "-c", "sleep $((\(marker) + 1))"],
                stdout: .null, stderr: .null)
            var seen = false
            for _ in 0..<100 where !seen {
                usleep(50_000)
                seen = !Sandbox.processes(containing: sleeping).isEmpty
            }
            #expect(seen, "the job never started")
            #expect(!Sandbox.leftoverCgroups(prefix: "lilypad-\(name)-").isEmpty, "the running job has no cgroups: the test proves nothing")
            process.send(SIGKILL)
            process.waitUntilExit()
            for _ in 0..<40 where !Sandbox.processes(containing: sleeping).isEmpty { usleep(50_000) }
            #expect(Sandbox.processes(containing: sleeping).isEmpty, "the job outlived its agent")
            // Its cgroups are left now, unless a job of another test, running meanwhile, swept them already.
            _ = try Sandbox.exec(root, [], ["true"])
            Sandbox.expectNothingLeft(job: name)
        }
    }
}
