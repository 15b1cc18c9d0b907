import Dispatch
import Foundation
import LilypadAgents
import LilypadCore
import LilypadSolverService
import Synchronization

/// Prints `lilypad run`'s progress lines (Lilypad's wording), one per change.
final class ProgressPrinter: Sendable {
    private let last = Mutex<String?>(nil)

    func show(_ progress: JobCreator.Progress) {
        let line: String?
        switch progress {
        case .submitting: line = "🌟 Lilypad submitting job"
        case .offerPosted: line = nil
        case .downloading: line = "📥 Downloading results..."
        case .state(let state, _): line = Self.line(for: state)
        }
        guard let line else { return }
        let fresh = last.withLock { previous in
            defer { previous = line }
            return previous != line
        }
        if fresh {
            print(line)
            fflush(nil)
        }
    }

    func finish() { fflush(nil) }

    static func line(for state: AgreementState) -> String {
        switch state {
        case .dealNegotiating: "🤝 Job submitted. Negotiating deal..."
        case .dealAgreed: "💌 Deal agreed. Running job..."
        case .uploading: "📤 Uploading results..."
        case .resultsSubmitted: "🤔 Results submitted. Awaiting verification..."
        case .downloading: "📥 Downloading results..."
        case .resultsAccepted: "✅ Results accepted."
        case .resultsChecked: "🔎 Results checked. Waiting for the mediator..."
        case .mediationAccepted: "⚖️  Mediator accepted the results."
        case .mediationRejected: "🙀 Results rejected! Getting refund..."
        case .jobOfferCancelled: "😭 Job cancelled..."
        case .timeoutMatch: "⏱️  Job timed out before a match could be made..."
        case .timeoutExecution: "⏱️  Job timed out during execution..."
        case .timeoutDownload: "⏱️  Job output download window expired..."
        case .jobTimedOut: "⏱️  Job timed out..."
        default: state.name
        }
    }
}

/// Ctrl-C (or SIGTERM) during `lilypad run`: withdraws the offer if it is still waiting, says so,
/// and exits 130. Once matched, it asks the job to stop instead and lets the deal settle (the
/// provider submits what the job produced so far, which is downloaded and paid for as usual); a
/// second Ctrl-C exits at once.
final class Interrupt: Sendable {
    let solver: SolverClient
    let offerID = Mutex<String?>(nil)
    /// The handling of the first signal.
    private let handling = Mutex<Task<Void, Never>?>(nil)

    init(solver: SolverClient) { self.solver = solver }

    /// Starts catching SIGINT and SIGTERM (``TerminationSignals``); the caller cancels the
    /// returned task once the job is over.
    func install() -> Task<Void, Never> {
        let signals = TerminationSignals.subscribe()
        return Task { [self] in
            for await _ in signals { interrupted() }
        }
    }

    /// Whether a signal has been caught.
    var caught: Bool { handling.withLock { $0 != nil } }

    /// When a signal is being handled, waits for the handling to end: the job's own failure (the
    /// withdrawn offer reads as cancelled) must not exit first with another status.
    func yieldToHandling() async {
        guard let task = handling.withLock({ $0 }) else { return }
        await task.value
    }

    private func interrupted() {
        let id = offerID.withLock { $0 }
        let solver = self.solver
        let first = handling.withLock { handling -> Bool in
            guard handling == nil else { return false }
            handling = Task {
                guard let id else {
                    FileHandle.standardError.write(Data("\ninterrupted\n".utf8))
                    exit(130)
                }
                if (try? await solver.withdraw(jobOffer: id)) != nil {
                    FileHandle.standardError.write(Data("\ninterrupted: job offer \(id) withdrawn\n".utf8))
                    exit(130)
                }
                let dealID = (try? await solver.jobOffer(id: id))?.dealID ?? ""
                if !dealID.isEmpty, (try? await solver.stop(dealID: dealID)) != nil {
                    FileHandle.standardError.write(
                        Data(
                            "\ninterrupted: asked the job to stop; waiting for what it produced so far (Ctrl-C again to leave the deal unsettled)\n"
                                .utf8))
                    return
                }
                FileHandle.standardError.write(
                    Data("\ninterrupted: job offer \(id) was already matched; the deal runs on and times out if abandoned\n".utf8))
                exit(130)
            }
            return true
        }
        if !first { exit(130) }
    }
}
