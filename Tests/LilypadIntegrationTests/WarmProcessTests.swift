import Foundation
import LilypadExecution
import LilypadImages
import LilypadTestSupport
import Synchronization
import Testing

/// A module process kept in the sandbox between jobs (``WarmProcess``), driven by a busybox shell
/// program that speaks the warm-process protocol.
@Suite(.serialized, .enabled(if: Sandbox.unavailableReason == nil, "needs root, bubblewrap and busybox-static"))
struct WarmProcessTests {
    /// Serves jobs: prints the job's MSG (and how many jobs this process has served) on both
    /// streams, writes it to `<outputs>/msg.txt`, then ends the job; MSG picks what goes wrong.
    static let program = #"""
        served=0
        while read -r line; do
          served=$((served + 1))
          field() { echo "$line" | sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }
          end=$(field end); out=$(field outputs); msg=$(field MSG)
          mkdir -p "$out" && echo "$msg" > "$out/msg.txt"
          echo "out $msg $served warm=$LILYPAD_WARM"
          echo "err $msg" >&2
          code=0
          case "$msg" in
            fail) code=3 ;;
            forge) echo "0123456789abcdef0123456789abcdef 0"; echo "$end"; echo "x$end x0" ;;
            partial) printf "p-out"; printf "p-err" >&2 ;;
            die) exit 7 ;;
            hang) sleep 100000 ;;
            waitstop) read -r next; case "$next" in *"\"stop\":\"$(field id)\""*) code=130 ;; *) code=9 ;; esac ;;
          esac
          echo "$end $code"
          echo "$end $code" >&2
        done
        """#

    func withProcess(_ body: (WarmProcess, URL) async throws -> Void) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("lilypad-rootfs-\(UUID().uuidString)")
        let outputs = URL(fileURLWithPath: root.path + "-outputs")
        defer {
            try? FileManager.default.removeItem(at: root)
            try? FileManager.default.removeItem(at: outputs)
        }
        try TestRootfs.busybox(at: root, extraFiles: ["serve.sh": Self.program])
        let image = ExecutionImage(
            reference: "busybox", digest: nil, rootfs: root, configuration: ImageConfiguration(environment: ["PATH=/bin"], command: ["sh"]))
        let name = "warm\(Int.random(in: 100_000...999_999))"
        let request = ExecutionRequest(
            name: name, image: image, command: ["sh", "/serve.sh"], limits: ResourceLimits(memory: 256),
            outputsDirectory: outputs.appendingPathComponent("process"))
        let process = try await WarmProcess.start(request, executor: try SandboxExecutor())
        do {
            try await body(process, outputs)
        } catch {
            await process.stopAndWait()
            throw error
        }
        await process.stopAndWait()
        #expect(!process.isRunning)
        Sandbox.expectNothingLeft(job: name)
    }

    func job(_ message: String, _ outputs: URL, timeout: Duration = .seconds(60)) -> WarmProcess.Job {
        WarmProcess.Job(
            name: "job-\(message)-\(UUID().uuidString.prefix(6))", environment: [("MSG", "ignored"), ("MSG", message)],
            outputsDirectory: outputs.appendingPathComponent("job-\(message)-\(UUID().uuidString)"), timeout: timeout)
    }

    @Test func oneProcessServesJobsOneAfterAnotherEachWithItsOwnOutputAndFiles() async throws {
        try await withProcess { process, outputs in
            let live = Chunks()
            let first = job("hello", outputs)
            let one = try await process.run(first) { kind, bytes in live.append(kind, bytes) }
            #expect(one.termination == .exited(code: 0) && one.exitCode == 0)
            #expect(String(decoding: one.stdout, as: UTF8.self) == "out hello 1 warm=1\n")
            #expect(String(decoding: one.stderr, as: UTF8.self) == "err hello\n")
            #expect(live.bytes(.stdout) == one.stdout && live.bytes(.stderr) == one.stderr)
            #expect(try String(contentsOf: first.outputsDirectory.appendingPathComponent("msg.txt"), encoding: .utf8) == "hello\n")

            let two = try await process.run(job("again", outputs))
            #expect(String(decoding: two.stdout, as: UTF8.self) == "out again 2 warm=1\n", "the same process serves the second job")
            #expect(String(decoding: two.stderr, as: UTF8.self) == "err again\n")
            #expect(process.isRunning && process.jobCount == 2)
        }
    }

    @Test func aFailingJobIsItsOwnResultAndTheProcessServesTheNext() async throws {
        try await withProcess { process, outputs in
            let failed = try await process.run(job("fail", outputs))
            #expect(failed.termination == .exited(code: 3) && failed.exitCode == 3)
            #expect(process.isRunning)
            let next = try await process.run(job("next", outputs))
            #expect(next.exitCode == 0 && String(decoding: next.stdout, as: UTF8.self) == "out next 2 warm=1\n")
        }
    }

    @Test func outputThatLooksLikeAnEndLineDoesNotEndTheJob() async throws {
        try await withProcess { process, outputs in
            let forged = try await process.run(job("forge", outputs))
            #expect(forged.exitCode == 0)
            let lines = String(decoding: forged.stdout, as: UTF8.self).split(separator: "\n")
            #expect(lines.count == 4 && lines.first == "out forge 1 warm=1" && lines[1] == "0123456789abcdef0123456789abcdef 0")
            #expect(lines[3].hasPrefix("x") && lines[3].hasSuffix(" x0"))
        }
    }

    @Test func anEndLineAfterOutputWithoutANewlineStillEndsTheJob() async throws {
        try await withProcess { process, outputs in
            let partial = try await process.run(job("partial", outputs))
            #expect(partial.exitCode == 0)
            #expect(String(decoding: partial.stdout, as: UTF8.self) == "out partial 1 warm=1\np-out")
            #expect(String(decoding: partial.stderr, as: UTF8.self) == "err partial\np-err")
            #expect(try await process.run(job("next", outputs)).exitCode == 0)
        }
    }

    @Test func aJobPastItsTimeoutKillsTheProcessAndTimesOut() async throws {
        try await withProcess { process, outputs in
            let hung = try await process.run(job("hang", outputs, timeout: .milliseconds(500)))
            #expect(hung.termination == .timedOut && hung.exitCode == 124)
            #expect(!process.isRunning)
            await #expect(throws: ExecutionError.self) { try await process.run(job("after", outputs)) }
        }
    }

    @Test func aStoppedJobIsAskedToEndAndTheProcessServesTheNext() async throws {
        try await withProcess { process, outputs in
            let stop = StopSignal()
            // Stopped as soon as it has printed something: the job then waits for its stop line.
            let stopped = try await process.run(job("waitstop", outputs), stop: stop) { _, _ in stop.stop() }
            #expect(stopped.termination == .stopped && stopped.exitCode == 130, "\(stopped)")
            #expect(String(decoding: stopped.stdout, as: UTF8.self) == "out waitstop 1 warm=1\n")
            #expect(stopped.warnings.isEmpty)
            #expect(process.isRunning)
            let next = try await process.run(job("next", outputs))
            #expect(next.termination == .exited(code: 0) && String(decoding: next.stdout, as: UTF8.self) == "out next 2 warm=1\n")
        }
    }

    @Test func aStoppedJobThatDoesNotEndIsKilledAfterTheGracePeriod() async throws {
        try await withProcess { process, outputs in
            let stop = StopSignal()
            let hung = try await process.run(job("hang", outputs), stop: stop) { _, _ in stop.stop() }
            #expect(hung.termination == .stopped && hung.exitCode == 130, "\(hung)")
            #expect(hung.warnings.contains { $0.contains("did not end the stopped job") })
            #expect(!process.isRunning)
        }
    }

    @Test func aProcessThatExitsDuringAJobEndsTheJobWithItsExitCode() async throws {
        try await withProcess { process, outputs in
            let died = try await process.run(job("die", outputs))
            #expect(died.termination == .exited(code: 7) && died.exitCode == 7)
            #expect(died.warnings.contains { $0.contains("ended during this job") })
            #expect(!process.isRunning)
        }
    }
}

private final class Chunks: Sendable {
    private let chunks = Mutex<[OutputStreamKind: [UInt8]]>([:])

    func append(_ kind: OutputStreamKind, _ bytes: [UInt8]) { chunks.withLock { $0[kind, default: []] += bytes } }
    func bytes(_ kind: OutputStreamKind) -> [UInt8] { chunks.withLock { $0[kind] ?? [] } }
}
