import Foundation

/// How a job ended.
public enum Termination: Sendable, Hashable {
    /// The job's main process exited by itself with this code.
    case exited(code: Int32)
    /// Killed by this signal (not by us).
    case signaled(Int32)
    /// Killed because it ran past its time limit.
    case timedOut
    /// Killed by the kernel because it exceeded its memory limit.
    case outOfMemory
    /// Ended early because its job creator asked for it to stop (``StopSignal``); exit code 130.
    case stopped
}

/// What a finished job produced.
public struct ExecutionResult: Sendable {
    public var termination: Termination
    /// The exit code the job creator sees: the process's own, 128+signal when killed, 124 on a
    /// timeout (as `timeout(1)`), 137 on OOM.
    public var exitCode: Int32
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    /// Whether stdout or stderr went past ``ResourceLimits/logBytes`` and was cut.
    public var stdoutTruncated: Bool
    public var stderrTruncated: Bool
    /// The host folder holding what the job wrote to `/outputs`.
    public var outputsDirectory: URL
    public var usage: ResourceUsage
    /// Protections that could not be applied on this host (e.g. no cgroups), in words.
    public var warnings: [String]

    public init(
        termination: Termination, exitCode: Int32, stdout: [UInt8], stderr: [UInt8], stdoutTruncated: Bool, stderrTruncated: Bool,
        outputsDirectory: URL, usage: ResourceUsage, warnings: [String]
    ) {
        self.termination = termination
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderr = stderr
        self.stdoutTruncated = stdoutTruncated
        self.stderrTruncated = stderrTruncated
        self.outputsDirectory = outputsDirectory
        self.usage = usage
        self.warnings = warnings
    }

    /// A one-line explanation when the job did not succeed, for users and for deal results.
    public var failureReason: String? {
        switch termination {
        case .exited(code: 0): nil
        case .exited(let code): "the job exited with code \(code)"
        case .signaled(let signal): "the job was killed by signal \(signal)"
        case .timedOut: "the job ran past its time limit and was killed"
        case .outOfMemory: "the job ran out of memory (its limit) and was killed"
        case .stopped: "the job was stopped early at its job creator's request"
        }
    }
}

/// What a job used, as far as the executor could measure.
public struct ResourceUsage: Sendable, Hashable {
    public var wallTime: Duration
    public var cpuTime: Duration?
    public var peakMemoryBytes: Int64?

    public init(wallTime: Duration, cpuTime: Duration? = nil, peakMemoryBytes: Int64? = nil) {
        self.wallTime = wallTime
        self.cpuTime = cpuTime
        self.peakMemoryBytes = peakMemoryBytes
    }
}

/// Which stream a chunk of live output came from.
public enum OutputStreamKind: Sendable, Hashable {
    case stdout, stderr
}
