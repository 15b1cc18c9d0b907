import Foundation
import LilypadCore
import LilypadSolverService
import Logging

/// A party's events from the solver, as one endless stream: it long-polls the solver, resumes
/// after the last event it delivered, and reconnects with exponential backoff and jitter when the
/// solver is unreachable, so a restart of the solver loses nothing.
public struct SolverEventFeed: Sendable {
    public let client: SolverClient
    public var logger: Logger

    public init(client: SolverClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Events after `seq`, until the consuming task is cancelled.
    public func events(after seq: Int) -> AsyncStream<SolverEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: SolverEvent.self)
        let task = Task {
            var last = seq
            var failures = 0
            while !Task.isCancelled {
                do {
                    let events = try await client.events(after: last, wait: 25)
                    failures = 0
                    for event in events where event.seq > last {
                        last = event.seq
                        continuation.yield(event)
                    }
                } catch {
                    if Task.isCancelled { break }
                    failures += 1
                    let delay = Self.backoff(attempt: failures)
                    if failures == 1 || failures % 10 == 0 {
                        logger.warning("solver events unavailable; retrying", metadata: ["error": "\(error)", "in_ms": "\(delay)"])
                    }
                    try? await Task.sleep(for: .milliseconds(delay))
                }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// Exponential backoff from 100 ms to 10 s, with full jitter (milliseconds).
    public static func backoff(attempt: Int) -> Int {
        let ceiling = min(10_000, 100 << min(attempt, 7))
        return Int.random(in: ceiling / 2...ceiling)
    }
}
