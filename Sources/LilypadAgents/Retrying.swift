import LilypadLedgerService
import LilypadSolverService
import Logging

/// Runs `body` again, with exponential backoff and jitter, while the solver or the ledger is
/// unreachable (restarting, say) — up to 60 attempts; refusals and other errors are thrown at
/// once. `what` names the step in the one warning logged.
func retryingWhileUnreachable<T: Sendable>(_ what: String, logger: Logger, _ body: @Sendable () async throws -> T) async throws -> T {
    var attempt = 0
    while true {
        do { return try await body() } catch {
            attempt += 1
            let unreachable: Bool
            if case .unreachable? = error as? SolverClient.Failure {
                unreachable = true
            } else if case .unreachable? = error as? LedgerClient.Failure {
                unreachable = true
            } else {
                unreachable = false
            }
            guard unreachable, attempt < 60, !Task.isCancelled else { throw error }
            if attempt == 1 { logger.warning("cannot \(what) yet; retrying", metadata: ["error": "\(error)"]) }
            try await Task.sleep(for: .milliseconds(SolverEventFeed.backoff(attempt: attempt)))
        }
    }
}
