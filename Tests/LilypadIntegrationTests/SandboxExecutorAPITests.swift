import Foundation
import LilypadExecution
import LilypadImages
import Synchronization
import Testing

/// The sandbox executor called directly, as the resource provider will call it.
@Suite(.serialized, .enabled(if: Sandbox.unavailableReason == nil, "needs root, bubblewrap and busybox-static"))
struct SandboxExecutorAPITests {
    @Test func cancellingTheCallingTaskKillsTheJob() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("lilypad-rootfs-\(UUID().uuidString)")
        let outputs = URL(fileURLWithPath: root.path + "-outputs")
        defer {
            try? FileManager.default.removeItem(at: root)
            try? FileManager.default.removeItem(at: outputs)
        }
        try TestRootfs.busybox(at: root)
        let marker = String(Int.random(in: 600_000...699_999))
        let name = "api\(marker)"
        let image = ExecutionImage(reference: "busybox", digest: nil, rootfs: root, configuration: ImageConfiguration(command: ["sh"]))
        let request = ExecutionRequest(
            name: name, image: image, command: ["sh", "-c", "setsid sleep \(marker) & sleep \(marker)"], outputsDirectory: outputs)
        let executor = try SandboxExecutor()
        let task = Task { try await executor.run(request, output: nil) }
        var seen = false
        for _ in 0..<100 where !seen {
            try await Task.sleep(for: .milliseconds(50))
            seen = !Sandbox.processes(containing: "sleep \(marker)").isEmpty
        }
        #expect(seen, "the job never started")
        task.cancel()
        let result = await task.result
        #expect(throws: ExecutionError.self) { try result.get() }
        #expect(Sandbox.processes(containing: "sleep \(marker)").isEmpty)
        Sandbox.expectNothingLeft(job: name)
    }

    @Test func resultCarriesOutputUsageAndLiveChunks() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("lilypad-rootfs-\(UUID().uuidString)")
        let outputs = URL(fileURLWithPath: root.path + "-outputs")
        defer {
            try? FileManager.default.removeItem(at: root)
            try? FileManager.default.removeItem(at: outputs)
        }
        try TestRootfs.busybox(at: root)
        let image = ExecutionImage(
            reference: "busybox", digest: nil, rootfs: root,
            configuration: ImageConfiguration(environment: ["PATH=/bin", "A=image"], entrypoint: ["sh", "-c"], command: ["echo $A; echo e >&2"]))
        let request = ExecutionRequest(
            name: "api-result", image: image, environment: [("A", "job")], limits: ResourceLimits(memory: 256, logBytes: 3),
            outputsDirectory: outputs)
        let live = LiveChunks()
        let result = try await SandboxExecutor().run(request) { kind, bytes in live.append(kind, bytes) }
        #expect(result.termination == .exited(code: 0) && result.exitCode == 0)
        #expect(result.stdout == Array("job".utf8) && result.stdoutTruncated)
        #expect(result.stderr == Array("e\n".utf8) && !result.stderrTruncated)
        #expect(live.bytes(.stdout) == result.stdout && live.bytes(.stderr) == result.stderr)
        #expect(result.usage.cpuTime != nil && (result.usage.peakMemoryBytes ?? 0) > 0 && result.warnings.isEmpty)
    }
}

private final class LiveChunks: Sendable {
    private let chunks = Mutex<[OutputStreamKind: [UInt8]]>([:])

    func append(_ kind: OutputStreamKind, _ bytes: [UInt8]) { chunks.withLock { $0[kind, default: []] += bytes } }
    func bytes(_ kind: OutputStreamKind) -> [UInt8] { chunks.withLock { $0[kind] ?? [] } }
}

extension SandboxExecutorAPITests {
    /// Runs `command` in a fresh busybox root through the executor.
    func run(_ command: [String], name: String, limits: ResourceLimits = ResourceLimits()) async throws -> ExecutionResult {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("lilypad-rootfs-\(UUID().uuidString)")
        let outputs = URL(fileURLWithPath: root.path + "-outputs")
        defer {
            try? FileManager.default.removeItem(at: root)
            try? FileManager.default.removeItem(at: outputs)
        }
        try TestRootfs.busybox(at: root)
        let image = ExecutionImage(reference: "busybox", digest: nil, rootfs: root, configuration: ImageConfiguration(environment: ["PATH=/bin"]))
        let request = ExecutionRequest(name: name, image: image, command: command, limits: limits, outputsDirectory: outputs)
        let result = try await SandboxExecutor().run(request, output: nil)
        Sandbox.expectNothingLeft(job: name)
        return result
    }

    /// The store may live where the job's uid cannot go (`/root/.lilypad`, a 0700 folder): the job
    /// still runs, and the folder stays closed to it.
    @Test func imageRootInAPrivateFolderRuns() async throws {
        let home = try TemporaryDirectory(prefix: "lilypad-private-home")
        chmod(home.path, 0o700)
        let root = home.url.appendingPathComponent("images/rootfs/x")
        try TestRootfs.busybox(at: root)
        let image = ExecutionImage(reference: "busybox", digest: nil, rootfs: root, configuration: ImageConfiguration(environment: ["PATH=/bin"]))
        let outputs = home.url.appendingPathComponent("outputs")
        let request = ExecutionRequest(
            name: "api-private", image: image, command: ["sh", "-c", "echo ok; ls \(home.path) 2>&1 || true"], outputsDirectory: outputs)
        let result = try await SandboxExecutor().run(request, output: nil)
        #expect(result.termination == .exited(code: 0), "\(String(decoding: result.stderr, as: UTF8.self))")
        #expect(String(decoding: result.stdout, as: UTF8.self).hasPrefix("ok\n"))
        Sandbox.expectNothingLeft(job: "api-private")
    }

    @Test func cpuLimitCapsCPUTime() async throws {
        let result = try await run(
            ["sh", "-c", "while :; do :; done & while :; do :; done"], name: "api-cpu",
            limits: ResourceLimits(cpu: 500, timeout: .seconds(2)))
        #expect(result.termination == .timedOut && result.exitCode == 124)
        let cpu = try #require(result.usage.cpuTime)
        // Two busy loops at 0.5 core: half a core-second per second of the job's life at most (less
        // when the host is busy), against twice the wall time without the quota.
        let wall = result.usage.wallTime
        #expect(cpu < wall * 0.5 + .milliseconds(300) && cpu > .milliseconds(200), "cpu time \(cpu) in \(wall)")
    }

    @Test func concurrentJobsGetDistinctHostUIDs() async throws {
        let marker = String(Int.random(in: 500_000...599_999))
        async let jobs: Void = withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<3 {
                group.addTask {
                    _ = try await self.run(["sleep", "\(marker)\(index)"], name: "api-slot\(index)", limits: ResourceLimits(timeout: .seconds(3)))
                }
            }
            try await group.waitForAll()
        }
        // The jobs' processes as the host sees them: each job under its own slot's uid.
        var uids: Set<String> = []
        for _ in 0..<50 where uids.count < 3 {
            try await Task.sleep(for: .milliseconds(50))
            uids = Set(
                Sandbox.processes(containing: "sleep \(marker)").compactMap { line -> String? in
                    let pid = line.prefix { $0 != ":" }
                    let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
                    return status.split(separator: "\n").first { $0.hasPrefix("Uid:") }?.split(separator: "\t").dropFirst().first.map(String.init)
                })
        }
        try await jobs
        #expect(uids.count == 3 && uids.allSatisfy { (Int($0) ?? 0) >= 60001 }, "\(uids)")
    }
}
