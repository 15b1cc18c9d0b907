/// Runs jobs: the sandbox executor by default, the Docker Engine executor where a provider runs Docker.
///
/// Every executor honours the same contract (``ExecutionRequest``): the same entrypoint, command,
/// environment, working directory, `/outputs`, limits and result, so a job's result does not
/// depend on which one ran it.
public protocol Executor: Sendable {
    /// A short name: `sandbox`, `docker`.
    var name: String { get }

    /// Runs the job to completion. `output` receives stdout/stderr as it is produced (within the
    /// kept limit), for live display; the full kept output is also in the result.
    ///
    /// Throws only when the job could not be run at all (bad image, host set-up); a job that
    /// fails, times out or runs out of memory is a result, not an error.
    func run(_ request: ExecutionRequest, output: (@Sendable (OutputStreamKind, [UInt8]) -> Void)?) async throws(ExecutionError) -> ExecutionResult
}
