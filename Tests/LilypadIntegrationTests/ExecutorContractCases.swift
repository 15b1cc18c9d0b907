import Foundation
import LilypadCore
import LilypadExecution
import LilypadImages
import LilypadTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The job contract every ``Executor`` must honour, as cases that run against any executor:
///
/// ```swift
/// @Test(arguments: ExecutorContractCases.Case.allCases)
/// func contract(_ contractCase: ExecutorContractCases.Case) async throws {
///     let image = try ExecutorContractCases.makeImage(at: folder.appendingPathComponent("rootfs"))  // once
///     try await ExecutorContractCases(executor: SandboxExecutor(...), image: image, scratch: folder).run(contractCase)
/// }
/// ```
///
/// Each case runs one or two jobs in a busybox image (``TestRootfs``) and checks the result.
struct ExecutorContractCases: Sendable {
    enum Case: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case imageDefaults
        case overridesEnvironmentAndWorkingDirectory
        case exitCodeAndSeparateStreams
        case outputsCollected
        case readOnlyRootWritableTemporary
        case timeoutKillsJobIgnoringTerm
        case memoryLimitReportsOutOfMemory
        case noNetworkReachesNoHostListener
        case logTruncationLetsTheJobFinish
        case outputsSizeCap
        case inputsReadOnly

        var testDescription: String { rawValue }
    }

    let executor: any Executor
    /// The image of ``makeImage(at:)``.
    let image: ExecutionImage
    /// A folder the cases may write in (outputs).
    let scratch: URL

    static let entrypointScript = """
        #!/bin/sh
        echo "entrypoint: GREETING=$GREETING ARGS=$* PWD=$(pwd)"
        """

    /// Makes the busybox root the cases run in, with `/entrypoint.sh`, and its image configuration.
    static func makeImage(at rootfs: URL) throws -> ExecutionImage {
        try TestRootfs.busybox(at: rootfs, extraFiles: ["entrypoint.sh": Self.entrypointScript])
        return ExecutionImage(
            reference: "test/busybox:contract", digest: nil, rootfs: rootfs,
            configuration: ImageConfiguration(
                environment: ["PATH=/bin", "GREETING=from-image", "A=image"], entrypoint: ["/entrypoint.sh"], command: ["arg1", "arg2"],
                workingDirectory: "/work"))
    }

    /// A request for a shell script (`/bin/sh -c script`) with a unique name and its own outputs folder.
    func request(
        _ script: String? = nil, environment: [(name: String, value: String)] = [], workingDirectory: String? = nil,
        limits: ResourceLimits = ResourceLimits(memory: 256, timeout: .seconds(60)), network: NetworkAccess = .none
    ) throws -> ExecutionRequest {
        let name = "contract-\(UUID().uuidString.prefix(8).lowercased())"
        return ExecutionRequest(
            name: name, image: image, entrypoint: script == nil ? nil : ["/bin/sh", "-c"], command: script.map { [$0] },
            environment: environment, workingDirectory: workingDirectory, limits: limits, network: network,
            outputsDirectory: scratch.appendingPathComponent("outputs-\(name)"))
    }

    func run(_ contractCase: Case) async throws {
        switch contractCase {
        case .imageDefaults: try await imageDefaults()
        case .overridesEnvironmentAndWorkingDirectory: try await overridesEnvironmentAndWorkingDirectory()
        case .exitCodeAndSeparateStreams: try await exitCodeAndSeparateStreams()
        case .outputsCollected: try await outputsCollected()
        case .readOnlyRootWritableTemporary: try await readOnlyRootWritableTemporary()
        case .timeoutKillsJobIgnoringTerm: try await timeoutKillsJobIgnoringTerm()
        case .memoryLimitReportsOutOfMemory: try await memoryLimitReportsOutOfMemory()
        case .noNetworkReachesNoHostListener: try await noNetworkReachesNoHostListener()
        case .logTruncationLetsTheJobFinish: try await logTruncationLetsTheJobFinish()
        case .outputsSizeCap: try await outputsSizeCap()
        case .inputsReadOnly: try await inputsReadOnly()
        }
    }

    func imageDefaults() async throws {
        let result = try await executor.run(try request(), output: nil)
        #expect(result.termination == .exited(code: 0), "\(result)")
        #expect(String(decoding: result.stdout, as: UTF8.self) == "entrypoint: GREETING=from-image ARGS=arg1 arg2 PWD=/work\n")
    }

    func overridesEnvironmentAndWorkingDirectory() async throws {
        let job = try request(
            #"echo "$GREETING $A $B"; pwd"#, environment: [("A", "job"), ("B", "first"), ("B", "second")], workingDirectory: "/tmp")
        let result = try await executor.run(job, output: nil)
        #expect(result.termination == .exited(code: 0), "\(result)")
        #expect(String(decoding: result.stdout, as: UTF8.self) == "from-image job second\n/tmp\n")
    }

    func exitCodeAndSeparateStreams() async throws {
        let live = LiveOutput()
        let result = try await executor.run(try request("echo out; echo err >&2; echo more; exit 3")) { stream, bytes in
            live.append(bytes, to: stream)
        }
        #expect(result.termination == .exited(code: 3))
        #expect(result.exitCode == 3)
        #expect(result.failureReason?.contains("code 3") == true)
        #expect(String(decoding: result.stdout, as: UTF8.self) == "out\nmore\n")
        #expect(String(decoding: result.stderr, as: UTF8.self) == "err\n")
        #expect(!result.stdoutTruncated && !result.stderrTruncated)
        #expect(live.bytes(of: .stdout) == result.stdout, "live output matches the result")
        #expect(live.bytes(of: .stderr) == result.stderr)
        #expect(result.usage.wallTime > .zero)
    }

    func outputsCollected() async throws {
        let job = try request("mkdir -p /outputs/sub && echo result > /outputs/result.txt && echo nested > /outputs/sub/n.txt")
        let result = try await executor.run(job, output: nil)
        #expect(result.termination == .exited(code: 0), "\(result)")
        #expect(result.outputsDirectory == job.outputsDirectory)
        let read = { (path: String) in try? String(contentsOf: job.outputsDirectory.appendingPathComponent(path), encoding: .utf8) }
        #expect(read("result.txt") == "result\n")
        #expect(read("sub/n.txt") == "nested\n")
    }

    func readOnlyRootWritableTemporary() async throws {
        let job = try request("touch /bin/new 2>/dev/null && echo root-writable; echo x > /tmp/t && cat /tmp/t")
        let result = try await executor.run(job, output: nil)
        #expect(result.termination == .exited(code: 0), "\(result)")
        #expect(String(decoding: result.stdout, as: UTF8.self) == "x\n")
        #expect(!FileManager.default.fileExists(atPath: image.rootfs.appendingPathComponent("bin/new").path))
    }

    /// The job's input files are at `/inputs`, readable by the job's user, and cannot be changed there.
    func inputsReadOnly() async throws {
        let inputs = scratch.appendingPathComponent("inputs-\(UUID().uuidString.prefix(8).lowercased())")
        try FileManager.default.createDirectory(at: inputs.appendingPathComponent("notes"), withIntermediateDirectories: true)
        try Data("from the job creator\n".utf8).write(to: inputs.appendingPathComponent("notes/hello.txt"))
        // As the provider leaves them (``ModuleRunner/unpackInputs``): readable by anyone, the folders searchable.
        for path in [inputs.path, inputs.appendingPathComponent("notes").path] { chmod(path, 0o755) }
        chmod(inputs.appendingPathComponent("notes/hello.txt").path, 0o644)
        defer { try? FileManager.default.removeItem(at: inputs) }
        var job = try request(
            "cat /inputs/notes/hello.txt; (echo changed > /inputs/notes/hello.txt || touch /inputs/new) 2>/dev/null && echo writable")
        job.inputsDirectory = inputs
        let result = try await executor.run(job, output: nil)
        #expect(result.termination == .exited(code: 1), "\(result)")
        #expect(String(decoding: result.stdout, as: UTF8.self) == "from the job creator\n", "\(result)")
        #expect(try String(contentsOf: inputs.appendingPathComponent("notes/hello.txt"), encoding: .utf8) == "from the job creator\n")
        #expect(!FileManager.default.fileExists(atPath: inputs.appendingPathComponent("new").path))
    }

    func timeoutKillsJobIgnoringTerm() async throws {
        let limits = ResourceLimits(memory: 256, timeout: .seconds(2))
        let job = try request(#"trap "" TERM INT HUP; echo started; sleep 1000; echo not-killed"#, limits: limits)
        let clock = ContinuousClock()
        let started = clock.now
        let result = try await executor.run(job, output: nil)
        let elapsed = clock.now - started
        #expect(result.termination == .timedOut, "\(result)")
        #expect(result.exitCode == 124)
        #expect(String(decoding: result.stdout, as: UTF8.self) == "started\n")
        // Killed, not finished: without the kill the job would sleep for 1000 s.
        #expect(elapsed >= .seconds(2) && elapsed < .seconds(900), "killed after \(elapsed)")
    }

    func memoryLimitReportsOutOfMemory() async throws {
        // `tail -c` keeps the last 200 MB of its input in memory: far over a 32 MiB limit. The job's
        // status is tail's (the last command of the pipeline), as a job's main process would be.
        let limits = ResourceLimits(memory: 32, timeout: .seconds(60))
        let result = try await executor.run(try request("head -c 300000000 /dev/zero | tail -c 200000000 >/dev/null", limits: limits), output: nil)
        #expect(result.termination == .outOfMemory, "\(result)")
        #expect(result.exitCode == 137)
    }

    func noNetworkReachesNoHostListener() async throws {
        let listener = try TCPListener()
        defer { listener.close() }
        // busybox nc: -e (last) runs a program once connected; true exits at once, so nc ends either way.
        let script = "if nc -w 2 127.0.0.1 \(listener.port) -e /bin/true; then echo connected; else echo unreachable; fi"
        let isolated = try await executor.run(try request(script), output: nil)
        #expect(String(decoding: isolated.stdout, as: UTF8.self) == "unreachable\n", "\(isolated)")
        // The control: with the host's network the same job does connect, so the check above can fail.
        let control = try await executor.run(try request(script, network: .host), output: nil)
        #expect(String(decoding: control.stdout, as: UTF8.self) == "connected\n", "\(control)")
    }

    func logTruncationLetsTheJobFinish() async throws {
        let limits = ResourceLimits(memory: 256, logBytes: 1024, timeout: .seconds(60))
        let job = try request("head -c 2000000 /dev/zero | tr '\\0' x; echo short >&2; echo done > /outputs/done", limits: limits)
        let result = try await executor.run(job, output: nil)
        #expect(result.termination == .exited(code: 0), "\(result.failureReason ?? "")")
        #expect(result.stdout.count == 1024 && result.stdout.allSatisfy { $0 == UInt8(ascii: "x") })
        #expect(result.stdoutTruncated)
        #expect(String(decoding: result.stderr, as: UTF8.self) == "short\n" && !result.stderrTruncated)
        #expect((try? String(contentsOf: job.outputsDirectory.appendingPathComponent("done"), encoding: .utf8)) == "done\n")
    }

    func outputsSizeCap() async throws {
        let limits = ResourceLimits(memory: 256, outputs: ByteCount(1 << 20), timeout: .seconds(60))
        let job = try request("dd if=/dev/zero of=/outputs/big bs=4096 count=1024 2>/dev/null; echo dd=$?", limits: limits)
        let result = try await executor.run(job, output: nil)
        #expect(result.termination == .exited(code: 0), "\(result)")
        #expect(String(decoding: result.stdout, as: UTF8.self) == "dd=1\n", "dd must fail with ENOSPC")
        let size = (try? FileManager.default.attributesOfItem(atPath: job.outputsDirectory.appendingPathComponent("big").path)[.size] as? Int) ?? -1
        #expect(size > 0 && size <= 1 << 20, "outputs/big is \(size) bytes")
    }
}

/// What an executor passed to its `output` callback.
final class LiveOutput: Sendable {
    private let received = Mutex<[OutputStreamKind: [UInt8]]>([:])

    func append(_ bytes: [UInt8], to stream: OutputStreamKind) { received.withLock { $0[stream, default: []] += bytes } }
    func bytes(of stream: OutputStreamKind) -> [UInt8] { received.withLock { $0[stream] ?? [] } }
}

/// A TCP socket listening on 127.0.0.1 at a free port (connections complete in the backlog; none is accepted).
struct TCPListener: ~Copyable {
    let descriptor: Int32
    let port: UInt16

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(descriptor, 16) == 0 else {
            Glibc.close(descriptor)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        self.descriptor = descriptor
        self.port = UInt16(bigEndian: address.sin_port)
    }

    func close() { Glibc.close(descriptor) }
}
