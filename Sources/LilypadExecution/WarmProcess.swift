import CLinuxSupport
import Foundation
import Synchronization

/// A module's process kept running in the sandbox between jobs, so that a job costs the module's
/// work and not its start-up (loading a model, say). Modules opt in (``ModuleSpec/warm``); the
/// provider decides whether and for how long to keep one.
///
/// The process runs as any job does — the same image, sandbox, limits and no network — with
/// `LILYPAD_WARM=1` set and a pipe as its stdin. It is given one job at a time, as one JSON line:
///
///     {"id": "<job name>", "environment": {"NAME": "value", …}, "outputs": "/outputs/jobs/<job name>",
///      "end": "<token>"}
///
/// `environment` is the job's module environment (what a cold run would have had); the process
/// writes the job's files under `outputs` (creating it), its output to stdout and stderr, and ends
/// the job with `<token> <exit code>` and a newline on stdout *and* on stderr (so that all of both
/// streams is the job's; it need not start a line, but must be written whole, in one `write`,
/// since other threads of the program may be writing to the same stream). The token is random
/// per job, so nothing the job prints can end it early. A job that outlives its timeout kills the whole process; so
/// does anything that makes the process exit.
///
/// A job asked to stop early (``StopSignal``) is sent `{"stop": "<job name>"}` as a line on stdin;
/// the process ends it as soon as it can (with its end line, exit code 130 by convention), or is
/// killed after ``stopGrace``.
///
/// Jobs of different parties meet in one process: a module that opts in must keep nothing from one
/// job to the next (the sandbox's `/tmp` lives as long as the process).
public final class WarmProcess: Sendable {
    /// One job for the process.
    public struct Job: Sendable {
        /// Unique among this process's jobs; `[A-Za-z0-9_.-]`.
        public var name: String
        /// The job's module environment, in order (a later duplicate wins).
        public var environment: [(name: String, value: String)]
        /// A host folder (created if missing) that receives the job's outputs.
        public var outputsDirectory: URL
        /// Wall-clock limit for this job, from when it is handed over.
        public var timeout: Duration
        /// How much of each of stdout and stderr is kept in the result.
        public var logBytes: Int

        public init(
            name: String, environment: [(name: String, value: String)], outputsDirectory: URL, timeout: Duration, logBytes: Int = 4 << 20
        ) {
            self.name = name
            self.environment = environment
            self.outputsDirectory = outputsDirectory
            self.timeout = timeout
            self.logBytes = logBytes
        }
    }

    private struct Current {
        var name: String
        /// Whether the job was asked to stop early.
        var stopRequested = false
        var output: CapturedOutput
        var live: (@Sendable (OutputStreamKind, [UInt8]) -> Void)?
        /// Finds the end line in stdout and in stderr.
        var scanners: [EndLineScanner]
        var continuation: CheckedContinuation<Ending, Never>?
        /// The exit code each stream's end line gave (stdout, stderr).
        var ended: [Int32?] = [nil, nil]

        var ending: Ending? {
            guard let code = ended[0], ended[1] != nil else { return nil }
            return .exited(code)
        }
    }

    private enum Ending: Sendable {
        case exited(Int32)
        case processEnded
    }

    private struct State {
        var outputsPath: String?
        var startWaiters: [CheckedContinuation<Void, Never>] = []
        var session: Result<ExecutionResult, ExecutionError>?
        var current: Current?
        var timedOut = false
        var jobs = 0
    }

    private let state = Mutex(State())
    private let input: Int32
    private let task: Mutex<Task<Void, Never>?> = Mutex(nil)
    /// The request the process was started with.
    public let request: ExecutionRequest
    /// How long a job asked to stop has to end before its process is killed.
    public static let stopGrace: Duration = .seconds(5)

    /// Starts `request` (its environment gains `LILYPAD_WARM=1`) and returns once it runs.
    public static func start(_ request: ExecutionRequest, executor: SandboxExecutor) async throws(ExecutionError) -> WarmProcess {
        var fds: [Int32] = [0, 0]
        guard lp_pipe_cloexec(&fds) == 0 else { throw .setupFailed(step: "create a pipe", reason: String(cString: strerror(errno))) }
        var request = request
        request.environment.append((name: "LILYPAD_WARM", value: "1"))
        let process = WarmProcess(request: request, input: fds[1])
        try await process.launch(executor: executor, standardInput: fds[0])
        return process
    }

    private init(request: ExecutionRequest, input: Int32) {
        self.request = request
        self.input = input
    }

    deinit { close(input) }

    private func launch(executor: SandboxExecutor, standardInput: Int32) async throws(ExecutionError) {
        // A job handed to a process that just died must fail, not kill the agent.
        signal(SIGPIPE, SIG_IGN)
        let streams = SandboxExecutor.SessionStreams(standardInput: standardInput) { [self] path in
            let waiters = state.withLock { state in
                state.outputsPath = path
                defer { state.startWaiters = [] }
                return state.startWaiters
            }
            for waiter in waiters { waiter.resume() }
        }
        let request = self.request
        let task = Task { [self] in
            let result: Result<ExecutionResult, ExecutionError>
            do throws(ExecutionError) {
                result = .success(try await executor.run(request, session: streams) { kind, bytes in self.received(kind, bytes) })
            } catch {
                result = .failure(error)
            }
            ended(result)
        }
        self.task.withLock { $0 = task }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state in
                if state.outputsPath != nil || state.session != nil { return true }
                state.startWaiters.append(continuation)
                return false
            }
            if ready { continuation.resume() }
        }
        if case .failure(let error)? = state.withLock({ $0.session }) { throw error }
    }

    /// Whether the process is still running.
    public var isRunning: Bool { state.withLock { $0.session == nil } }

    /// How many jobs the process has been given.
    public var jobCount: Int { state.withLock { $0.jobs } }

    /// Runs `job` in the process. The result is the job's: its exit code, the output printed while
    /// it ran and the files it wrote; usage is its wall time. If the process dies meanwhile (its
    /// memory limit, a crash, the job's timeout), the result says how and the process is gone.
    ///
    /// `stop` asks the process to end the job early (see the type's documentation); the result's
    /// termination is then ``Termination/stopped`` unless the job had already succeeded.
    ///
    /// - Throws: when the process is not running or a job is already running in it.
    public func run(
        _ job: Job, stop: StopSignal? = nil, output: (@Sendable (OutputStreamKind, [UInt8]) -> Void)? = nil
    ) async throws(ExecutionError) -> ExecutionResult {
        let clock = ContinuousClock()
        let start = clock.now
        let token = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        let folder = "/outputs/jobs/" + job.name
        try SandboxExecutor.validate(name: job.name)
        let accepted: String? = state.withLock { state in
            guard state.session == nil else { return "the module's warm process has exited" }
            guard state.current == nil else { return "the module's warm process is already running a job" }
            let scanner = EndLineScanner(token: Array(token.utf8))
            state.current = Current(name: job.name, output: CapturedOutput(limit: job.logBytes), live: output, scanners: [scanner, scanner])
            state.jobs += 1
            return nil
        }
        if let problem = accepted { throw .invalidRequest(problem) }
        var environment: [String: String] = [:]
        for variable in job.environment { environment[variable.name] = variable.value }
        let line: Data
        do {
            line = try JSONSerialization.data(
                withJSONObject: ["id": job.name, "environment": environment, "outputs": folder, "end": token],
                options: [.sortedKeys, .withoutEscapingSlashes])
        } catch {
            state.withLock { $0.current = nil }
            throw .invalidRequest("the job's environment cannot be sent as JSON: \(error)")
        }
        // A process that cannot take the job has died (or is dying): the job ends with it.
        if !write(Array(line) + [UInt8(ascii: "\n")]) { self.stop() }
        let stopping = stop?.onStop { [self] in requestStop(job.name) }
        defer { stopping?.cancel() }
        let ending = await withTaskCancellationHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { [self] in
                    do { try await Task.sleep(for: job.timeout) } catch { return }
                    state.withLock { $0.timedOut = true }
                    self.stop()
                }
                let ending = await waitForEnding()
                group.cancelAll()
                return ending
            }
        } onCancel: {
            self.stop()
        }
        let finished = state.withLock { state in
            defer { state.current = nil }
            return state.current
        }
        if Task.isCancelled, !state.withLock({ $0.timedOut }) { throw .cancelled }
        var warnings: [String] = []
        let termination: Termination, exitCode: Int32
        let stopRequested = finished?.stopRequested ?? false
        switch ending {
        case .exited(let code) where stopRequested && code != 0:
            (termination, exitCode) = (.stopped, 130)
        case .exited(let code):
            (termination, exitCode) = (code > 128 && code < 128 + 65 ? .signaled(code - 128) : .exited(code: code), code)
        case .processEnded where stopRequested:
            (termination, exitCode) = (.stopped, 130)
            warnings.append("the module's warm process did not end the stopped job within \(Self.stopGrace) and was killed")
        case .processEnded:
            let (session, timedOut) = state.withLock { ($0.session, $0.timedOut) }
            switch session {
            case _ where timedOut: (termination, exitCode) = (.timedOut, 124)
            case .success(let result)?: (termination, exitCode) = (result.termination, result.exitCode)
            case .failure(let error)?: throw error
            case nil: (termination, exitCode) = (.timedOut, 124)
            }
            warnings.append("the module's warm process ended during this job")
        }
        // While the process runs its `/outputs` is live; once it ended, the executor has copied it out.
        let source =
            state.withLock { $0.session == nil ? $0.outputsPath.map { $0 + "/jobs/" + job.name } : nil }
            ?? request.outputsDirectory.appendingPathComponent("jobs").appendingPathComponent(job.name).path
        if FileManager.default.fileExists(atPath: source) {
            let skipped = try OutputsMount.copy(from: source, to: job.outputsDirectory)
            try? FileManager.default.removeItem(atPath: source)
            if let first = skipped.first { warnings.append("\(skipped.count) of the job's outputs could not be collected (first: \(first))") }
        } else {
            try? FileManager.default.createDirectory(at: job.outputsDirectory, withIntermediateDirectories: true)
        }
        return ExecutionResult(
            termination: termination, exitCode: exitCode, stdout: finished?.output.stdout ?? [], stderr: finished?.output.stderr ?? [],
            stdoutTruncated: finished?.output.stdoutTruncated ?? false, stderrTruncated: finished?.output.stderrTruncated ?? false,
            outputsDirectory: job.outputsDirectory, usage: ResourceUsage(wallTime: clock.now - start), warnings: warnings)
    }

    /// Asks the process to end job `name` early, and kills it if the job still runs after ``stopGrace``.
    private func requestStop(_ name: String) {
        let line = Array(#"{"stop":"\#(name)"}"#.utf8) + [UInt8(ascii: "\n")]
        // Under the lock: the line is only ever written while `name` is the current job.
        let written = state.withLock { state -> Bool? in
            guard state.current?.name == name, state.current?.stopRequested == false else { return nil }
            state.current?.stopRequested = true
            return write(line)
        }
        guard let written else { return }
        if !written { stop() }
        Task { [self] in
            try? await Task.sleep(for: Self.stopGrace)
            if state.withLock({ $0.current?.name == name }) { stop() }
        }
    }

    /// Kills the process (and the job in it, if any).
    public func stop() {
        task.withLock { $0 }?.cancel()
    }

    /// Kills the process and waits until it is gone and its sandbox is cleaned up.
    public func stopAndWait() async {
        let task = self.task.withLock { $0 }
        task?.cancel()
        await task?.value
    }

    // MARK: - The process's streams

    private func write(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(input, $0.baseAddress.map { $0 + offset }, bytes.count - offset) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return false }
            offset += count
        }
        return true
    }

    private func waitForEnding() async -> Ending {
        await withCheckedContinuation { (continuation: CheckedContinuation<Ending, Never>) in
            let ending: Ending? = state.withLock { state in
                if let ending = state.current?.ending { return ending }
                if state.session != nil { return .processEnded }
                state.current?.continuation = continuation
                return nil
            }
            if let ending { continuation.resume(returning: ending) }
        }
    }

    private func received(_ kind: OutputStreamKind, _ bytes: [UInt8]) {
        let stream = kind == .stderr ? 1 : 0
        var forwarded: (live: (@Sendable (OutputStreamKind, [UInt8]) -> Void)?, bytes: [UInt8])?
        var ended: (CheckedContinuation<Ending, Never>, Ending)?
        state.withLock { state in
            // Taken out and put back, so that the kept output is appended to in place.
            guard var job = state.current.take() else { return }  // between jobs: not a job's output
            defer { state.current = job }
            guard job.ended[stream] == nil else { return }
            let (output, code) = job.scanners[stream].scan(bytes)
            if !output.isEmpty {
                job.output.append(output, to: kind)
                forwarded = (job.live, output)
            }
            guard let code else { return }
            job.ended[stream] = code
            // The job is over once both streams carried its end line (stdout's code counts).
            if let ending = job.ending, let continuation = job.continuation {
                job.continuation = nil
                ended = (continuation, ending)
            }
        }
        if let forwarded, !forwarded.bytes.isEmpty { forwarded.live?(kind, forwarded.bytes) }
        if let (continuation, ending) = ended { continuation.resume(returning: ending) }
    }

    private func ended(_ result: Result<ExecutionResult, ExecutionError>) {
        let (waiters, continuation) = state.withLock { state in
            state.session = result
            defer {
                state.startWaiters = []
                state.current?.continuation = nil
            }
            return (state.startWaiters, state.current?.continuation)
        }
        for waiter in waiters { waiter.resume() }
        continuation?.resume(returning: .processEnded)
    }
}

/// Finds `<token> <exit code>\n` in a stream that arrives in pieces, passing on every byte before
/// it at once except a tail that could be the start of the end line (Knuth–Morris–Pratt over
/// `<token> `, then the code's digits).
struct EndLineScanner: Sendable {
    private let prefix: [UInt8]
    /// `failure[i]`: the length of the longest proper border of `prefix[0..<i+1]`.
    private let failure: [Int]
    /// How much of `prefix` the stream's tail matches.
    private var matched = 0
    /// The code's characters read after a full `prefix`.
    private var code: [UInt8] = []

    init(token: [UInt8]) {
        prefix = token + [UInt8(ascii: " ")]
        var failure = [Int](repeating: 0, count: prefix.count)
        var length = 0
        for index in 1..<prefix.count {
            while length > 0 && prefix[index] != prefix[length] { length = failure[length - 1] }
            if prefix[index] == prefix[length] { length += 1 }
            failure[index] = length
        }
        self.failure = failure
    }

    /// The job's output in `bytes` (what can no longer be part of an end line), and the exit code
    /// once the end line is complete (bytes after it are not the job's).
    mutating func scan(_ bytes: [UInt8]) -> (output: [UInt8], code: Int32?) {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        for byte in bytes {
            if matched == prefix.count {
                if byte == UInt8(ascii: "\n"), !code.isEmpty, let value = Int32(String(decoding: code, as: UTF8.self)) {
                    matched = 0
                    code = []
                    return (output, value)
                }
                if (48...57).contains(byte) || (byte == UInt8(ascii: "-") && code.isEmpty), code.count < 11 {
                    code.append(byte)
                    continue
                }
                // Not an end line after all: what was held is output; look again from this byte.
                output += prefix + code
                matched = 0
                code = []
            }
            var length = matched
            while length > 0 && byte != prefix[length] { length = failure[length - 1] }
            if byte == prefix[length] { length += 1 }
            // The held tail was `prefix[0..<matched]` plus this byte; what the match no longer covers is the job's.
            let released = matched + 1 - length
            if released > matched {
                output += prefix[0..<matched]
                output.append(byte)
            } else if released > 0 {
                output += prefix[0..<released]
            }
            matched = length
        }
        return (output, nil)
    }
}
