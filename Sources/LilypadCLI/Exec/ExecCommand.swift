import ArgumentParser
import Dispatch
import Foundation
import LilypadCore
import LilypadExecution
import LilypadImages
import Synchronization

extension LilypadCommand {
    /// `lilypad exec [options] IMAGE [-- CMD ARGS...]` or `lilypad exec --rootfs DIR [options] [-- CMD ARGS...]`.
    struct ExecCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "exec",
            abstract: "Run a job locally, sandboxed exactly as a resource provider runs it.",
            discussion: """
                Streams the job's stdout and stderr to this command's and exits with the job's exit code: 124 when it ran \
                past --timeout, 137 when it ran out of memory, 128+N when killed by signal N. 125 means the job could not \
                be started (as with `docker run`). What the job writes to /outputs is copied to --outputs.

                IMAGE is a reference or digest from `lilypad image ls`; an image not on this machine is built when it is \
                a built-in one, else pulled from its registry. --rootfs runs an unpacked folder instead.
                """
        )

        @OptionGroup var executorOptions: ExecutorOptions

        @Option(help: "A name for the job, unique among running jobs: A-Z a-z 0-9 _ . - (default: exec-PID).")
        var name: String?

        @Option(help: "An unpacked root filesystem to run instead of an image (run defaults come from the flags below).")
        var rootfs: String?

        @Option(name: .customLong("insecure-registry"), help: "A registry HOST[:PORT] reached over plain http (repeatable; loopback always is).")
        var insecureRegistries: [String] = []

        @Option(help: "Memory limit in MiB (including what the job writes to /tmp).")
        var memory: Int = 1024

        @Option(help: "CPU limit in cores, e.g. 0.5 (default: no limit).")
        var cpus: Double?

        @Option(help: "Wall-clock limit in seconds.")
        var timeout: Double = 600

        @Option(help: "The most processes and threads alive at once.")
        var pids: Int = 512

        @Option(name: .customLong("outputs-size"), help: "Size of /outputs in MiB.")
        var outputsSize: Int = 1024

        @Option(name: .customLong("tmp-size"), help: "Size of /tmp in MiB.")
        var tmpSize: Int = 256

        @Option(name: .customLong("env"), help: "An environment variable, K=V (repeatable; set after the image's).")
        var environment: [String] = []

        @Option(help: "Host folder that receives what the job writes to /outputs.")
        var outputs = "outputs"

        @Option(help: "Network access: none (own namespace, loopback only) or host.")
        var network: NetworkAccess = .none

        @Option(help: "Replaces the image's entrypoint (an empty string clears it).")
        var entrypoint: String?

        @Option(help: "Working directory inside the job.")
        var workdir: String?

        @Option(help: "User inside the job: USER[:GROUP], numeric or from the image's /etc/passwd.")
        var user: String?

        @Argument(
            parsing: .captureForPassthrough,
            help: ArgumentHelp(
                "IMAGE, then the command and its arguments (after --), which replace the image's Cmd.", valueName: "IMAGE [-- CMD ARGS]"))
        var arguments: [String] = []

        /// The image named before `--` (none with `--rootfs`).
        var imageName: String? {
            guard rootfs == nil, let first = arguments.first, first != "--" else { return nil }
            return first
        }

        /// The command after the image (and an optional `--`).
        var command: [String] {
            let rest = rootfs == nil && imageName != nil ? Array(arguments.dropFirst()) : arguments
            return rest.first == "--" ? Array(rest.dropFirst()) : rest
        }

        func validate() throws {
            // The passthrough argument captures `--help` too when it comes first.
            if let first = arguments.first, ["-h", "--help", "-help"].contains(first) { throw CleanExit.helpRequest(self) }
            guard memory > 0 else { throw ValidationError("--memory must be positive") }
            if let cpus, !(cpus > 0 && cpus <= 1024) { throw ValidationError("--cpus must be between 0 and 1024") }
            guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
            guard pids > 0, outputsSize > 0, tmpSize > 0 else { throw ValidationError("--pids, --outputs-size and --tmp-size must be positive") }
            if rootfs == nil && imageName == nil { throw ValidationError("name an IMAGE (see `lilypad image ls`) or pass --rootfs DIR") }
            for entry in environment where !entry.contains("=") || entry.hasPrefix("=") {
                throw ValidationError("--env \(entry): expected K=V")
            }
        }

        func run() async throws {
            let request: ExecutionRequest
            let executor: any Executor
            do {
                executor = try executorOptions.makeExecutor()
                let image: ExecutionImage
                if let rootfs {
                    image = try Self.image(rootfs: rootfs)
                } else {
                    image = try await Self.image(named: imageName ?? "", insecureRegistries: insecureRegistries)
                }
                request = try makeRequest(image: image)
            } catch {
                printError("Error: \(error)")
                throw ExitCode(125)
            }
            let result = try await Self.run(request, on: executor)
            Self.report(result, of: request)
            throw ExitCode(result.exitCode)
        }

        /// Tells the user on stderr what the job's output alone does not: warnings, cut output, and
        /// why it was killed (its own non-zero exit speaks through the exit code).
        static func report(_ result: ExecutionResult, of request: ExecutionRequest) {
            for warning in result.warnings { printError("lilypad: warning: \(warning)") }
            if result.stdoutTruncated { printError("lilypad: the job's stdout was cut after \(request.limits.logBytes) bytes") }
            if result.stderrTruncated { printError("lilypad: the job's stderr was cut after \(request.limits.logBytes) bytes") }
            switch result.termination {
            case .exited: break
            case .timedOut, .outOfMemory, .signaled, .stopped:
                if let reason = result.failureReason { printError("lilypad: \(reason) (exit code \(result.exitCode))") }
            }
        }

        /// Runs the job, streaming its output; SIGINT and SIGTERM cancel it (the job is killed and
        /// cleaned up, and the command exits 130 or 143).
        static func run(_ request: ExecutionRequest, on executor: any Executor) async throws -> ExecutionResult {
            // A closed stdout (`lilypad exec … | head -1`) must not kill this process mid-job: the
            // job would be left without anyone to clean up after it.
            signal(SIGPIPE, SIG_IGN)
            // Signals are caught before the job starts, so none can kill this process mid-job.
            let received = SignalBox()
            let signals = TerminationSignals.subscribe()
            let watcher = Task {
                for await signal in signals { received.received(signal) }
            }
            let task = Task { () async throws -> ExecutionResult in
                try await executor.run(request) { kind, bytes in Self.write(bytes, to: kind == .stdout ? STDOUT_FILENO : STDERR_FILENO) }
            }
            received.attach(task)
            defer { watcher.cancel() }
            do {
                return try await task.value
            } catch ExecutionError.cancelled {
                printError("lilypad: the job was cancelled and killed")
                throw ExitCode(128 + received.value)
            } catch {
                printError("Error: \(error)")
                throw ExitCode(125)
            }
        }

        /// Writes all of `bytes`, dropping them if the reader has gone.
        static func write(_ bytes: [UInt8], to descriptor: Int32) {
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress.map { $0 + offset }, bytes.count - offset) }
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }

        /// The stored image for `reference`, built or pulled first when it is not on this machine.
        static func image(named reference: String, insecureRegistries: [String] = []) async throws -> ExecutionImage {
            ExecutionImage(try await makeImageProvisioner(insecureRegistries: insecureRegistries).image(reference), reference: reference)
        }

        /// The image for `--rootfs DIR`: the folder with an empty run configuration (the flags give it).
        static func image(rootfs: String) throws -> ExecutionImage {
            let url = URL(fileURLWithPath: rootfs).standardizedFileURL
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw CLIError("--rootfs \(rootfs): not a folder")
            }
            return ExecutionImage(
                reference: url.path, digest: nil, rootfs: url, configuration: ImageConfiguration(environment: ["PATH=\(JobProcess.defaultPath)"]))
        }

        func makeRequest(image: ExecutionImage) throws -> ExecutionRequest {
            let limits = ResourceLimits(
                memory: Mebibytes(memory), cpu: cpus.map { Millicores(Int(($0 * 1000).rounded())) }, processes: pids,
                outputs: Mebibytes(outputsSize).bytes, temporary: Mebibytes(tmpSize).bytes, timeout: .milliseconds(Int64((timeout * 1000).rounded())))
            let variables = environment.map { entry in
                let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                return (name: String(parts[0]), value: parts.count > 1 ? String(parts[1]) : "")
            }
            let arguments = command
            return ExecutionRequest(
                name: name ?? "exec-\(getpid())", image: image, entrypoint: entrypoint.map { $0.isEmpty ? [] : [$0] },
                command: arguments.isEmpty ? nil : arguments, environment: variables, workingDirectory: workdir, user: user, limits: limits,
                network: network, outputsDirectory: URL(fileURLWithPath: outputs).standardizedFileURL)
        }
    }
}

extension NetworkAccess: ExpressibleByArgument {}

/// The last signal that cancelled a job, and the job's task to cancel; a signal that arrives
/// before the task exists cancels it as soon as it is attached.
private final class SignalBox: Sendable {
    private struct State {
        var signal: Int32?
        var task: Task<ExecutionResult, any Error>?
    }

    private let state = Mutex(State())

    func received(_ signal: Int32) {
        let task = state.withLock { state in
            state.signal = signal
            return state.task
        }
        task?.cancel()
    }

    func attach(_ task: Task<ExecutionResult, any Error>) {
        let signalled = state.withLock { state in
            state.task = task
            return state.signal != nil
        }
        if signalled { task.cancel() }
    }

    var value: Int32 { state.withLock { $0.signal ?? SIGINT } }
}
