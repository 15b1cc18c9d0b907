import Foundation
import LilypadCore
import LilypadExecution
import LilypadImages
import LilypadTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// ``DockerExecutor`` against a real dockerd that the suite starts on a private socket.
@Suite(
    "Docker executor", .privateDockerDaemon,
    .enabled(
        if: DockerDaemon.isAvailable && TestRootfs.isAvailable,
        "needs root, /usr/sbin/dockerd (docker.io) and busybox-static, and no LILYPAD_SKIP_DOCKER_TESTS"))
struct DockerExecutorTests {
    static func contract() throws -> ExecutorContractCases {
        let daemon = try DockerDaemon.required()
        return ExecutorContractCases(executor: daemon.executor, image: daemon.contractImage, scratch: daemon.scratch)
    }

    @Test(arguments: ExecutorContractCases.Case.allCases)
    func contract(_ contractCase: ExecutorContractCases.Case) async throws {
        try await Self.contract().run(contractCase)
    }

    @Test func importsAnImageOnceAndNamesItStably() async throws {
        let daemon = try DockerDaemon.required()
        let rootfs = daemon.scratch.appendingPathComponent("rootfs-import")
        try TestRootfs.busybox(at: rootfs)
        let image = ExecutionImage(reference: "test/import", digest: nil, rootfs: rootfs, configuration: ImageConfiguration(command: ["true"]))
        let engine = try await daemon.executor.engine()
        #expect(engine.apiVersion == "1.41")
        let name = DockerExecutor.engineImageName(for: image)
        #expect(try await engine.inspectImage(name) == nil)
        // Concurrent jobs import once.
        async let first = daemon.executor.prepareImage(image)
        async let second = daemon.executor.prepareImage(image)
        let names = try await [first, second]
        #expect(names == [name, name])
        let info = try #require(try await engine.inspectImage(name))
        #expect(info.repoTags?.contains(name) == true)
        // A second executor finds it in the engine instead of importing again: same image ID.
        let other = DockerExecutor(socketPath: daemon.socketPath, scratchDirectory: daemon.scratch.appendingPathComponent("other"))
        try await other.prepareImage(image)
        #expect(try await engine.inspectImage(name)?.id == info.id)
    }

    @Test func missingRootfsIsAnImageError() async throws {
        let daemon = try DockerDaemon.required()
        let image = ExecutionImage(
            reference: "test/missing", digest: nil, rootfs: daemon.scratch.appendingPathComponent("nope"), configuration: ImageConfiguration())
        await #expect(throws: ExecutionError.self) { try await daemon.executor.prepareImage(image) }
    }

    @Test func engineErrorsCarryTheEngineMessage() async throws {
        let engine = try await DockerDaemon.required().executor.engine()
        do {
            _ = try await engine.createContainer(name: "lilypad-no-image", body: Data(#"{"Image":"lilypad.local/rootfs:missing"}"#.utf8))
            Issue.record("a container of a missing image was created")
        } catch {
            #expect(error.status == 404)
            #expect(error.description.contains("No such image"), "\(error)")
        }
        let unreachable = DockerExecutor(socketPath: "/nonexistent/docker.sock")
        do {
            _ = try await unreachable.engine()
            Issue.record("connected to a missing socket")
        } catch {
            #expect(error.description.contains("/nonexistent/docker.sock"))
        }
    }

    @Test func anImageRemovedFromTheEngineIsImportedAgain() async throws {
        let daemon = try DockerDaemon.required()
        let rootfs = daemon.scratch.appendingPathComponent("rootfs-reimport")
        try TestRootfs.busybox(at: rootfs)
        let image = ExecutionImage(reference: "test/reimport", digest: nil, rootfs: rootfs, configuration: ImageConfiguration(command: ["true"]))
        let outputs = daemon.scratch.appendingPathComponent("outputs-reimport")
        let first = try await daemon.executor.run(ExecutionRequest(name: "reimport-1", image: image, outputsDirectory: outputs), output: nil)
        #expect(first.termination == .exited(code: 0))
        try await daemon.executor.engine().removeImage(DockerExecutor.engineImageName(for: image), force: true)
        let second = try await daemon.executor.run(ExecutionRequest(name: "reimport-2", image: image, outputsDirectory: outputs), output: nil)
        #expect(second.termination == .exited(code: 0))
    }

    /// 200 MB of stdout then a line of stderr, 1 MiB kept of each: nothing is lost, nothing is stored by the engine.
    @Test func aChattyJobFinishesPromptlyWithItsOutputCut() async throws {
        let daemon = try DockerDaemon.required()
        let contract = try Self.contract()
        let limits = ResourceLimits(memory: 256, logBytes: 1 << 20, timeout: .seconds(120))
        let job = try contract.request("head -c 200000000 /dev/zero | tr '\\0' y; echo end >&2", limits: limits)
        let clock = ContinuousClock()
        let started = clock.now
        let result = try await daemon.executor.run(job, output: nil)
        let elapsed = clock.now - started
        #expect(result.termination == .exited(code: 0))
        #expect(result.stdout.count == 1 << 20 && result.stdoutTruncated)
        #expect(String(decoding: result.stderr, as: UTF8.self) == "end\n")
        #expect(result.warnings.isEmpty, "\(result.warnings)")
        print("docker: 200 MB of stdout, 1 MiB kept: \(elapsed)")
    }

    @Test func aMissingExecutableIsAnImageErrorAndLeavesNothing() async throws {
        let daemon = try DockerDaemon.required()
        var job = try Self.contract().request()
        job.entrypoint = ["/nonexistent"]
        do {
            _ = try await daemon.executor.run(job, output: nil)
            Issue.record("a job with a missing executable ran")
        } catch {
            guard case .invalidImage(_, let reason) = error else {
                Issue.record("expected an image error, got \(error)")
                return
            }
            #expect(reason.contains("/nonexistent"), "\(reason)")
        }
        let engine = try await daemon.executor.engine()
        await #expect(throws: DockerEngineClient.Failure.self) { try await engine.inspectContainer("lilypad-\(job.name)") }
        #expect(Self.mountedOutputs(in: daemon.root.appendingPathComponent("jobs").path, job: job.name).isEmpty)
    }

    @Test func containerAndMountAreRemovedAfterARunAndOnCancellation() async throws {
        let daemon = try DockerDaemon.required()
        let contract = try Self.contract()
        let engine = try await daemon.executor.engine()
        // After a normal run.
        let job = try contract.request("echo hi > /outputs/x")
        _ = try await daemon.executor.run(job, output: nil)
        await #expect(throws: DockerEngineClient.Failure.self) { try await engine.inspectContainer("lilypad-\(job.name)") }
        let jobs = daemon.root.appendingPathComponent("jobs").path
        #expect(Self.mountedOutputs(in: jobs, job: job.name).isEmpty)

        // Cancelled while running.
        let long = try contract.request("echo started; sleep 1000")
        let (started, startedContinuation) = AsyncStream<Void>.makeStream()
        let run = Task { try await daemon.executor.run(long) { _, _ in startedContinuation.yield() } }
        for await _ in started { break }
        #expect(!Self.mountedOutputs(in: jobs, job: long.name).isEmpty, "the outputs tmpfs is mounted while the job runs")
        run.cancel()
        let clock = ContinuousClock()
        let cancelled = clock.now
        await #expect(throws: ExecutionError.self) { _ = try await run.value }
        #expect(clock.now - cancelled < .seconds(15))
        await #expect(throws: DockerEngineClient.Failure.self) { try await engine.inspectContainer("lilypad-\(long.name)") }
        #expect(Self.mountedOutputs(in: jobs, job: long.name).isEmpty)
        let left = (try? FileManager.default.contentsOfDirectory(atPath: jobs))?.filter { $0.hasPrefix("\(long.name)-") }
        #expect(left == [], "the job's scratch folder is removed")
    }

    /// A job quiet for longer than HTTP clients' usual 90 s read timeout still gets its wait and output.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["LILYPAD_SLOW_TESTS"] != nil, "set LILYPAD_SLOW_TESTS=1 (takes 100 s)"))
    func aSilentJobOutlivesReadTimeouts() async throws {
        let daemon = try DockerDaemon.required()
        let job = try Self.contract().request("sleep 100; echo done", limits: ResourceLimits(memory: 64, timeout: .seconds(150)))
        let result = try await daemon.executor.run(job, output: nil)
        #expect(result.termination == .exited(code: 0))
        #expect(String(decoding: result.stdout, as: UTF8.self) == "done\n")
        #expect(result.usage.wallTime >= .seconds(100))
    }

    /// Start→exit of `/bin/true` through the executor (debug build, image imported): figures for BENCHMARKS.md.
    @Test func trivialJobLatency() async throws {
        let daemon = try DockerDaemon.required()
        let contract = try Self.contract()
        var request = try contract.request()
        request.entrypoint = ["/bin/true"]
        request.command = []
        try await daemon.executor.prepareImage(request.image)
        var wall: [Duration] = []
        var total: [Duration] = []
        let clock = ContinuousClock()
        for index in 0..<12 {
            request.name = "latency-\(index)"
            let started = clock.now
            let result = try await daemon.executor.run(request, output: nil)
            let elapsed = clock.now - started
            #expect(result.termination == .exited(code: 0))
            if index >= 2 {  // two warm-ups
                wall.append(result.usage.wallTime)
                total.append(elapsed)
            }
        }
        func milliseconds(_ values: [Duration], _ quantile: Double) -> String {
            let sorted = values.sorted()
            let value = sorted[min(sorted.count - 1, Int(Double(sorted.count) * quantile))]
            return String(format: "%.1f", Double(value.components.seconds) * 1e3 + Double(value.components.attoseconds) / 1e15)
        }
        print(
            "docker /bin/true (debug, 10 runs): start→exit median \(milliseconds(wall, 0.5)) ms p90 \(milliseconds(wall, 0.9)) ms; "
                + "whole run() median \(milliseconds(total, 0.5)) ms p90 \(milliseconds(total, 0.9)) ms")
    }

    /// The outputs folders of the job's scratch folders (`<jobs>/<name>-*/outputs`) that are mount points.
    static func mountedOutputs(in jobs: String, job name: String) -> [String] {
        let folders = ((try? FileManager.default.contentsOfDirectory(atPath: jobs)) ?? []).filter { $0.hasPrefix("\(name)-") }
        return folders.map { "\(jobs)/\($0)/outputs" }.filter { path in
            var inner = stat()
            var outer = stat()
            return lstat(path, &inner) == 0 && lstat(path + "/..", &outer) == 0 && inner.st_dev != outer.st_dev
        }
    }
}
