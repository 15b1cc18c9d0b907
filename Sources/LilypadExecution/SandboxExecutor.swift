import CLinuxSupport
import Foundation
import LilypadCore
import Synchronization

/// Runs jobs under bubblewrap as a dedicated unprivileged host uid per job slot, in cgroups of
/// their own, with a system call filter, a read-only image root, a private network, a sized `/tmp`
/// and a size-capped `/outputs`. The default executor: no daemon, tens of milliseconds per start.
///
/// Needs root (to switch each job to its slot's uid, mount its `/outputs` and make its cgroups),
/// bubblewrap and unprivileged user namespaces. Without writable cgroup v1 hierarchies it falls
/// back to rlimits and says so in ``ExecutionResult/warnings``.
public struct SandboxExecutor: Executor {
    public var name: String { "sandbox" }

    /// How the executor uses the host.
    public struct Configuration: Sendable {
        public var slots: SlotAllocator
        /// Use cgroups when the host has them (`true`), or always use the rlimit fallback (`false`).
        public var useCgroups: Bool

        public init(slots: SlotAllocator = SlotAllocator(), useCgroups: Bool = true) {
            self.slots = slots
            self.useCgroups = useCgroups
        }
    }

    public let configuration: Configuration
    public let host: HostCapabilities

    /// Checks the host; throws when jobs cannot be sandboxed here. Makes this process a child
    /// subreaper, so the sandbox's init is reparented to (and reaped by) the agent, not the host's init.
    public init(configuration: Configuration = Configuration(), host: HostCapabilities = .detect()) throws(ExecutionError) {
        try host.check()
        if case .failure(let error) = SeccompFilter.cached { throw error }
        self.configuration = configuration
        self.host = host
        _ = lp_set_child_subreaper()
    }

    public func run(
        _ request: ExecutionRequest, output: (@Sendable (OutputStreamKind, [UInt8]) -> Void)?
    ) async throws(ExecutionError)
        -> ExecutionResult
    {
        try await run(request, session: nil, output: output)
    }

    /// What a process that serves many jobs (``WarmProcess``) needs beyond a job's contract.
    struct SessionStreams: Sendable {
        /// The read end of a pipe the process reads as its stdin; the executor closes it once the
        /// process has its copy (or could not start).
        var standardInput: Int32
        /// Called once the process runs, with the host path of its `/outputs` mount.
        var started: @Sendable (_ outputsPath: String) -> Void
    }

    /// Runs `request`; with `session`, the process reads `session.standardInput`, none of its output
    /// is kept (all of it goes to `output`), and `session.started` learns where its `/outputs` is.
    func run(
        _ request: ExecutionRequest, session: SessionStreams?, output: (@Sendable (OutputStreamKind, [UInt8]) -> Void)?
    ) async throws(ExecutionError) -> ExecutionResult {
        var sessionInput = session?.standardInput
        defer { if let descriptor = sessionInput { close(descriptor) } }
        let clock = ContinuousClock()
        let start = clock.now
        try Self.validate(name: request.name)
        let process = try JobProcess.resolve(request)
        let entries = try RootfsEntry.list(request.image.rootfs)
        let createWorkingDirectory = try Self.workingDirectoryNeedsCreating(process.workingDirectory, request: request, entries: entries)
        guard let bwrap = host.bubblewrap else { throw .hostUnsupported("bubblewrap is not installed", fix: "apt-get install bubblewrap") }
        if Task.isCancelled { throw .cancelled }

        let slot = try configuration.slots.acquire()
        defer { slot.release() }
        sweepLeftovers(holding: slot)
        let jobID = Self.jobID(name: request.name, slot: slot.index)
        var warnings: [String] = []
        let layout: CgroupV1Layout?
        if configuration.useCgroups, case .success(let found) = host.cgroups {
            layout = found
        } else {
            layout = nil
            warnings +=
                configuration.useCgroups ? host.warnings : ["weaker isolation: cgroups turned off; no memory limit, CPU limited by total CPU time"]
        }

        let outputs = try OutputsMount(jobName: jobID, size: request.limits.outputs, owner: slot.uid)
        var cgroup: JobCgroup?
        defer {
            cgroup?.destroy()
            outputs.remove()
        }
        let rootfs = try outputs.bindRootfs(request.image.rootfs)
        let inputs = try request.inputsDirectory.map { directory throws(ExecutionError) in try outputs.bindInputs(directory) }
        let devices = GPUDetector.deviceNodes(for: request.gpus)
        let libraries = request.gpus.isEmpty ? [] : GPUDetector.driverLibraries()
        if let layout {
            let rules: [String]? =
                request.gpus.isEmpty
                ? nil : GPUDetector.deviceRules(for: request.gpus, procDevices: (try? String(contentsOfFile: "/proc/devices", encoding: .utf8)) ?? "")
            cgroup = try JobCgroup(layout: layout, name: jobID, limits: request.limits, deviceRules: rules)
        }
        if !request.gpus.isEmpty && devices.isEmpty { warnings.append("no NVIDIA device nodes found on this host for the requested GPUs") }

        // Pipes: the job's stdout and stderr, the seccomp program and bubblewrap's info.
        let stdoutPipe = try Self.pipe(), stderrPipe = try Self.pipe(), seccompPipe = try Self.pipe(), infoPipe = try Self.pipe()
        let program: [UInt8]
        switch SeccompFilter.cached {
        case .success(let bpf): program = bpf
        case .failure(let error): throw error
        }
        let written = program.withUnsafeBytes { write(seccompPipe.write, $0.baseAddress, $0.count) }
        close(seccompPipe.write)
        guard written == program.count else {
            for fd in [stdoutPipe.read, stdoutPipe.write, stderrPipe.read, stderrPipe.write, seccompPipe.read, infoPipe.read, infoPipe.write] {
                close(fd)
            }
            throw .setupFailed(step: "pass the system call filter to bubblewrap", reason: String(cString: strerror(errno)))
        }
        let devNull = sessionInput ?? open("/dev/null", O_RDONLY | O_CLOEXEC)
        sessionInput = nil  // closed with the other descriptors below

        let command = BubblewrapCommand(
            rootfs: rootfs, entries: entries, process: process, createWorkingDirectory: createWorkingDirectory,
            network: request.network, temporaryBytes: request.limits.temporary.value, outputs: outputs.path, inputs: inputs, devices: devices,
            libraries: libraries, seccompDescriptor: 3, infoDescriptor: 4)
        let cpuSeconds = layout == nil ? Self.cpuSeconds(request.limits) : nil
        let launch = SandboxProcess.Launch(
            executable: bwrap, arguments: command.arguments,
            descriptors: [devNull, stdoutPipe.write, stderrPipe.write, seccompPipe.read, infoPipe.write],
            cgroupProcs: cgroup?.procsFiles ?? [], uid: slot.uid, gid: slot.uid, rlimitProcesses: layout == nil ? request.limits.processes : nil,
            rlimitCPUSeconds: cpuSeconds, infoPipe: infoPipe.read)

        let keep = session == nil
        let stdout = OutputCollector(descriptor: stdoutPipe.read, limit: request.limits.logBytes, kind: .stdout, keep: keep, live: output)
        let stderr = OutputCollector(descriptor: stderrPipe.read, limit: request.limits.logBytes, kind: .stderr, keep: keep, live: output)
        let sandbox = SandboxProcess(launch)
        let startError: ExecutionError?
        do throws(ExecutionError) {
            try await sandbox.started()
            startError = nil
        } catch {
            startError = error
        }
        // The child has its copies now; ours would keep the pipes open.
        for fd in [devNull, stdoutPipe.write, stderrPipe.write, seccompPipe.read, infoPipe.write] { close(fd) }
        if let startError {
            _ = await stdout.finish()
            _ = await stderr.finish()
            _ = await sandbox.wait()
            throw startError
        }
        session?.started(outputs.path)

        let timedOut = Flag()
        let jobCgroup = cgroup
        let timeout = request.limits.timeout
        let status = await withTaskCancellationHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    do { try await Task.sleep(for: timeout) } catch { return }
                    timedOut.set()
                    sandbox.kill()
                    jobCgroup?.killAll()
                }
                let status = await sandbox.wait()
                group.cancelAll()
                return status
            }
        } onCancel: {
            sandbox.kill()
            jobCgroup?.killAll()
        }
        // bubblewrap is gone; make sure nothing of the job survives it before reading the pipes to the end.
        cgroup?.killAll()
        _ = cgroup?.waitUntilEmpty()
        let (out, outTruncated) = await stdout.finish()
        let (err, errTruncated) = await stderr.finish()
        let wallTime = clock.now - start

        if Task.isCancelled { throw .cancelled }
        let oomKills = cgroup?.oomKills ?? 0
        let usage: (cpu: Duration?, peakMemory: Int64?) = cgroup?.usage ?? (nil, nil)
        if status & 0x7f == 0, (status >> 8) & 0xff == 1, err.starts(with: Array("bwrap: ".utf8)) {
            let message = String(decoding: err, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw .setupFailed(step: "set up the sandbox", reason: message)
        }
        let (termination, exitCode) = Self.termination(status: status, timedOut: timedOut.isSet, oomKills: oomKills)
        let skipped = try outputs.copy(to: request.outputsDirectory)
        if let first = skipped.first {
            warnings.append("\(skipped.count) of the job's outputs could not be collected (first: \(first))")
        }
        return ExecutionResult(
            termination: termination, exitCode: exitCode, stdout: out, stderr: err, stdoutTruncated: outTruncated, stderrTruncated: errTruncated,
            outputsDirectory: request.outputsDirectory,
            usage: ResourceUsage(wallTime: wallTime, cpuTime: usage.cpu, peakMemoryBytes: usage.peakMemory),
            warnings: warnings)
    }

    /// How the job ended, from bubblewrap's wait status: a timeout and an OOM kill come first
    /// (the kill shows up as a signal), then bubblewrap's exit code, which is 128+N for a job killed by signal N.
    static func termination(status: Int32, timedOut: Bool, oomKills: Int) -> (Termination, Int32) {
        if timedOut { return (.timedOut, 124) }
        if oomKills > 0 { return (.outOfMemory, 137) }
        guard status & 0x7f == 0 else {
            let signal = status & 0x7f
            return (.signaled(signal), 128 + signal)
        }
        let code = (status >> 8) & 0xff
        if code > 128 && code < 128 + 65 { return (.signaled(code - 128), code) }
        return (.exited(code: code), code)
    }

    static func validate(name: String) throws(ExecutionError) {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
        guard !name.isEmpty, name.count <= 64, name.allSatisfy({ allowed.contains($0) }), name != ".", name != ".." else {
            throw .invalidRequest("the job name \"\(name)\" must be 1 to 64 characters from A-Z a-z 0-9 _ . -")
        }
    }

    /// Whether the working directory must be made on the sandbox's tmpfs root because the image
    /// lacks it; throws when it cannot be (its top-level folder comes read-only from the image).
    static func workingDirectoryNeedsCreating(_ directory: String, request: ExecutionRequest, entries: [RootfsEntry]) throws(ExecutionError) -> Bool {
        let components = directory.split(separator: "/").map(String.init)
        guard let top = components.first else { return false }
        if components.contains("..") { throw .invalidRequest("the working directory \(directory) must not contain ..") }
        if top == "tmp" || top == "outputs" { return true }
        if BubblewrapCommand.reservedNames.contains(top) { return false }
        if RootfsReader.isDirectory(directory, in: request.image.rootfs) { return false }
        if !entries.contains(where: { $0.name == top }) { return true }
        throw .invalidRequest("the working directory \(directory) does not exist in the image \(request.image.reference)")
    }

    /// The CPU-time rlimit without cgroups: the timeout times the CPU limit (or every core).
    static func cpuSeconds(_ limits: ResourceLimits) -> Int {
        let seconds = Double(limits.timeout.components.seconds) + Double(limits.timeout.components.attoseconds) / 1e18
        let cores = limits.cpu.map { Double($0.value) / 1000 } ?? Double(ProcessInfo.processInfo.activeProcessorCount)
        return max(1, Int((seconds * cores).rounded(.up)))
    }

    private static func pipe() throws(ExecutionError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard lp_pipe_cloexec(&fds) == 0 else { throw .setupFailed(step: "create a pipe", reason: String(cString: strerror(errno))) }
        return (fds[0], fds[1])
    }
}

/// Set once, from any thread (the timeout task), read after the job.
private final class Flag: Sendable {
    private let value = Atomic<Bool>(false)

    func set() { value.store(true, ordering: .sequentiallyConsistent) }
    var isSet: Bool { value.load(ordering: .sequentiallyConsistent) }
}
