/// Why a job could not be run at all, worded for the person running it.
public enum ExecutionError: Error, Sendable, CustomStringConvertible {
    /// The request itself is wrong (empty command, bad name, bad working directory...).
    case invalidRequest(String)
    /// The image cannot be run (no command, missing user...).
    case invalidImage(reference: String, reason: String)
    /// The host lacks something the executor needs; `fix` says what to do.
    case hostUnsupported(String, fix: String)
    /// A step of setting up or tearing down the job failed.
    case setupFailed(step: String, reason: String)
    /// The container engine refused or failed.
    case engine(String)
    /// The calling task was cancelled; the job was killed and cleaned up.
    case cancelled

    public var description: String {
        switch self {
        case .invalidRequest(let reason): "invalid job: \(reason)"
        case .invalidImage(let reference, let reason): "cannot run image \(reference): \(reason)"
        case .hostUnsupported(let what, let fix): "\(what); \(fix)"
        case .setupFailed(let step, let reason): "could not \(step): \(reason)"
        case .engine(let message): "container engine: \(message)"
        case .cancelled: "the job was cancelled and killed"
        }
    }
}
