import AsyncHTTPClient
import Foundation
import LilypadImages
import NIOCore

/// Runs jobs as containers of a Docker engine reached on a unix socket, under the same contract
/// as every ``Executor``.
///
/// ```swift
/// let docker = DockerExecutor(socketPath: "/var/run/docker.sock")
/// let result = try await docker.run(request) { stream, bytes in print(stream, bytes.count) }
/// ```
///
/// The image's unpacked root filesystem is imported into the engine once, as
/// `lilypad.local/rootfs:<digest or hash of the folder's path>`. Each job then gets a container
/// defined by ``DockerContainerSpec``, with `/outputs` bound from a size-capped tmpfs that this
/// executor mounts on the host (it needs `CAP_SYS_ADMIN` for that; without it the outputs are not
/// capped and the result says so in its warnings). The time limit is enforced here: when it
/// passes, the container is killed and the job ends as ``Termination/timedOut`` (exit code 124).
/// The container and the tmpfs are removed whatever happens, task cancellation included.
///
/// Output is read through `attach` (attached before the start, with the `none` log driver), so
/// nothing of it is stored by the engine and none is lost to log rotation.
///
/// Differences from the sandbox executor that come from the engine:
/// - Docker reports a process killed by a signal as exit code 128 + the signal, like a shell, so
///   such a job ends as ``Termination/exited(code:)`` with that code, never ``Termination/signaled(_:)``.
/// - ``ResourceUsage`` has the wall time only: the container's cgroup is gone when it has exited.
/// - The engine adds `PATH` (and `HOSTNAME`, `HOME`) when the image and job leave them unset.
public struct DockerExecutor: Executor {
    public let name = "docker"
    /// The engine's socket.
    public let socketPath: String
    /// Where per-job folders (the `/outputs` mounts) are made; it must be visible to the engine
    /// at the same path, which holds when the engine runs on this host's filesystem.
    public let scratchDirectory: URL
    /// The repository imported root filesystems are tagged in.
    public static let imageRepository = "lilypad.local/rootfs"

    let state: DockerExecutorState

    /// - Parameters:
    ///   - socketPath: the engine's API socket.
    ///   - scratchDirectory: where per-job folders go; the default is `lilypad-docker` in the temporary directory.
    ///   - http: the HTTP client the engine is reached with.
    public init(socketPath: String = "/var/run/docker.sock", scratchDirectory: URL? = nil, http: HTTPClient = DockerEngineClient.defaultHTTPClient) {
        self.socketPath = socketPath
        self.scratchDirectory = scratchDirectory ?? FileManager.default.temporaryDirectory.appendingPathComponent("lilypad-docker")
        self.state = DockerExecutorState(socketPath: socketPath, http: http)
    }

    /// The engine client, connected (and its API version negotiated) on first use.
    public func engine() async throws(ExecutionError) -> DockerEngineClient {
        try await state.engine()
    }

    public func run(
        _ request: ExecutionRequest, output: (@Sendable (OutputStreamKind, [UInt8]) -> Void)?
    ) async throws(ExecutionError) -> ExecutionResult {
        try Self.validate(name: request.name)
        let engine = try await state.engine()
        let imageName = try await prepareImage(request.image)
        let outputs = try OutputsMount(jobName: request.name, size: request.limits.outputs, owner: 0, mode: 0o777, in: scratchDirectory)
        let body: Data
        do {
            body = try DockerContainerSpec(request: request, image: imageName, outputsHostPath: outputs.path).jsonBody()
        } catch {
            outputs.remove()
            throw error
        }

        var containerID: String?
        do throws(ExecutionError) {
            let id: String
            do throws(DockerEngineClient.Failure) {
                do {
                    id = try await engine.createContainer(name: "lilypad-\(request.name)", body: body)
                } catch let error where error.status == 404 {
                    // The image was removed from the engine since it was imported: import it again, once.
                    await state.forget(imageName)
                    _ = try? await prepareImage(request.image)
                    id = try await engine.createContainer(name: "lilypad-\(request.name)", body: body)
                }
            } catch {
                throw Self.engineError(error)
            }
            containerID = id
            let result = try await supervise(request: request, engine: engine, containerID: id, outputs: outputs, output: output)
            await Self.cleanUp(engine: engine, containerID: id, outputs: outputs)
            return result
        } catch {
            await Self.cleanUp(engine: engine, containerID: containerID, outputs: outputs)
            if Task.isCancelled { throw .setupFailed(step: "finish the job", reason: "the run was cancelled") }
            throw error
        }
    }

    /// Starts the container, reads its output, enforces the time limit, and collects the result.
    private func supervise(
        request: ExecutionRequest, engine: DockerEngineClient, containerID id: String, outputs: OutputsMount,
        output: (@Sendable (OutputStreamKind, [UInt8]) -> Void)?
    ) async throws(ExecutionError) -> ExecutionResult {
        let clock = ContinuousClock()
        let limits = request.limits
        let logDeadline = NIODeadline.now() + .nanoseconds(Int64(limits.timeout.nanoseconds)) + .minutes(5)
        let stream: HTTPClientResponse.Body
        do { stream = try await engine.attachContainer(id, deadline: logDeadline) } catch { throw Self.engineError(error) }
        let logs = Task { await CapturedOutput.drain(stream, limit: limits.logBytes, output: output) }
        defer { logs.cancel() }
        let started = clock.now
        do { try await engine.startContainer(id) } catch {
            // 400: the runtime could not start the process (no such executable, unknown user...).
            if error.status == 400, case .refused(_, _, let message) = error {
                throw .invalidImage(reference: request.image.reference, reason: "its process could not be started: \(message)")
            }
            throw Self.engineError(error)
        }

        let outcome: WaitOutcome
        do { outcome = try await Self.waitOrTimeOut(engine: engine, containerID: id, timeout: limits.timeout) } catch {
            throw Self.engineError(error)
        }
        let exited = clock.now
        if case .timedOut = outcome {
            do {
                try await engine.killContainer(id)
                _ = try await engine.waitContainer(id, deadline: .now() + .seconds(60))
            } catch {
                throw Self.engineError(error)
            }
        }
        // The log stream ends when the container stops; don't let a stuck stream hold the job.
        let watchdog = Task {
            try? await Task.sleep(for: .seconds(15))
            logs.cancel()
        }
        let captured = await logs.value
        watchdog.cancel()

        let state: DockerEngineClient.ContainerState
        do {
            state = try await Self.finalState(engine: engine, containerID: id, killedBySIGKILL: outcome == .exited(137))
        } catch {
            throw Self.engineError(error)
        }
        var warnings = captured.problems
        let termination: Termination
        let exitCode: Int32
        switch outcome {
        case .timedOut:
            (termination, exitCode) = (.timedOut, 124)
        case .exited(let code) where state.oomKilled && code != 0:
            (termination, exitCode) = (.outOfMemory, 137)
        case .exited(let code):
            (termination, exitCode) = (.exited(code: code), code)
        }
        if let error = state.error, !error.isEmpty { warnings.append("the engine reported: \(error)") }
        warnings += try outputs.copy(to: request.outputsDirectory).map { "outputs: skipped \($0)" }
        return ExecutionResult(
            termination: termination, exitCode: exitCode, stdout: captured.stdout, stderr: captured.stderr,
            stdoutTruncated: captured.stdoutTruncated, stderrTruncated: captured.stderrTruncated, outputsDirectory: request.outputsDirectory,
            usage: ResourceUsage(wallTime: exited - started), warnings: warnings)
    }

    /// The stopped container's state. The engine learns of an out-of-memory kill from a separate
    /// event that can arrive after the exit (and then never sets `OOMKilled`), so for a job killed
    /// by SIGKILL that we did not kill, the engine's `oom` events decide, looked at for a moment.
    static func finalState(
        engine: DockerEngineClient, containerID id: String, killedBySIGKILL: Bool
    ) async throws(DockerEngineClient.Failure) -> DockerEngineClient.ContainerState {
        var state = try await engine.inspectContainer(id)
        guard killedBySIGKILL, !state.oomKilled else { return state }
        for attempt in 0...20 {  // 2 s
            if attempt > 0 { try? await Task.sleep(for: .milliseconds(100)) }
            if try await engine.hasOutOfMemoryEvent(id) {
                state.oomKilled = true
                break
            }
        }
        return state
    }

    enum WaitOutcome: Sendable, Equatable {
        case exited(Int32)
        case timedOut
    }

    /// Waits for the container to stop, or for `timeout` to pass, whichever comes first.
    static func waitOrTimeOut(
        engine: DockerEngineClient, containerID id: String, timeout: Duration
    ) async throws(DockerEngineClient.Failure) -> WaitOutcome {
        let result = await withTaskGroup(of: Result<WaitOutcome, DockerEngineClient.Failure>?.self) { group in
            group.addTask {
                do throws(DockerEngineClient.Failure) {
                    let deadline = NIODeadline.now() + .nanoseconds(Int64(timeout.nanoseconds)) + .minutes(1)
                    return .success(.exited(try await engine.waitContainer(id, deadline: deadline)))
                } catch {
                    return .failure(error)
                }
            }
            group.addTask {
                do { try await Task.sleep(for: timeout) } catch { return nil }  // cancelled: the wait answered first
                return .success(.timedOut)
            }
            defer { group.cancelAll() }
            while let next = await group.next() {
                if let next { return next }
            }
            return Result<WaitOutcome, DockerEngineClient.Failure>.failure(
                .unexpected(operation: "wait for container \(id.prefix(12))", detail: "the wait was cancelled"))
        }
        return try result.get()
    }

    static func cleanUp(engine: DockerEngineClient, containerID: String?, outputs: OutputsMount) async {
        // A fresh task, so that cleaning up still happens when the job's task was cancelled.
        await Task {
            if let containerID { try? await engine.removeContainer(containerID, force: true) }
            outputs.remove()
        }.value
    }

    static func validate(name: String) throws(ExecutionError) {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
        guard !name.isEmpty, name.count <= 200, name.allSatisfy(allowed.contains), name.first != "." && name.first != "-" else {
            throw .invalidRequest("the job name \"\(name)\" must be 1 to 200 of A-Z a-z 0-9 _ . - and not start with . or -")
        }
    }

    static func engineError(_ error: DockerEngineClient.Failure) -> ExecutionError {
        .engine(error.description)
    }
}

extension Duration {
    fileprivate var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (total, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : total.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue
    }
}

/// The engine connection and the images imported so far, shared by the copies of a ``DockerExecutor``.
actor DockerExecutorState {
    let socketPath: String
    let http: HTTPClient
    private var client: DockerEngineClient?
    /// Imports under way or done, by image name, so that concurrent jobs import an image once.
    var imports: [String: Task<Result<Void, ExecutionError>, Never>] = [:]

    init(socketPath: String, http: HTTPClient) {
        self.socketPath = socketPath
        self.http = http
    }

    func engine() async throws(ExecutionError) -> DockerEngineClient {
        if let client { return client }
        do {
            let connected = try await DockerEngineClient.connect(socketPath: socketPath, http: http)
            client = connected
            return connected
        } catch {
            throw .hostUnsupported(error.description, fix: "start dockerd, or give the executor the right socket path")
        }
    }

    /// Forgets that `name` was imported (the engine no longer has it).
    func forget(_ name: String) {
        imports[name] = nil
    }

    /// Runs `work` once per `name`, sharing its result with concurrent callers; a failure is forgotten so that it can be retried.
    func once(_ name: String, _ work: @escaping @Sendable () async -> Result<Void, ExecutionError>) async -> Result<Void, ExecutionError> {
        if let task = imports[name] { return await task.value }
        let task = Task { await work() }
        imports[name] = task
        let result = await task.value
        if case .failure = result { imports[name] = nil }
        return result
    }
}
