import Foundation
import LilypadCore
import LilypadSolverService
import Logging

/// A party's events from the solver, as one endless sequence: it long-polls the solver, resumes
/// after the last event it delivered, and reconnects with exponential backoff and jitter when the
/// solver is unreachable, so a restart of the solver loses nothing.
///
/// The polling happens inside the consumer's own `next()` calls: nothing outlives the loop that
/// reads the events, and cancelling that task ends the sequence.
public struct SolverEventFeed: Sendable {
    public let client: SolverClient
    public var logger: Logger

    public init(client: SolverClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Events after `seq`, until the consuming task is cancelled.
    public func events(after seq: Int) -> Events { Events(feed: self, after: seq) }

    /// The sequence of events (see ``SolverEventFeed``).
    public struct Events: AsyncSequence, Sendable {
        public typealias Element = SolverEvent
        let feed: SolverEventFeed
        let after: Int

        public func makeAsyncIterator() -> Iterator { Iterator(feed: feed, last: after) }

        public struct Iterator: AsyncIteratorProtocol {
            let feed: SolverEventFeed
            var last: Int
            var buffered: [SolverEvent] = []
            var failures = 0

            public mutating func next() async -> SolverEvent? {
                while buffered.isEmpty {
                    if Task.isCancelled { return nil }
                    do {
                        buffered = try await feed.client.events(after: last, wait: 25).filter { $0.seq > last }
                        failures = 0
                    } catch {
                        if Task.isCancelled { return nil }
                        failures += 1
                        let delay = SolverEventFeed.backoff(attempt: failures)
                        if failures == 1 || failures % 10 == 0 {
                            feed.logger.warning("solver events unavailable; retrying", metadata: ["error": "\(error)", "in_ms": "\(delay)"])
                        }
                        try? await Task.sleep(for: .milliseconds(delay))
                    }
                }
                let event = buffered.removeFirst()
                last = event.seq
                return event
            }
        }
    }

    /// Exponential backoff from 100 ms to 10 s, with full jitter (milliseconds).
    public static func backoff(attempt: Int) -> Int {
        let ceiling = min(10_000, 100 << min(attempt, 7))
        return Int.random(in: ceiling / 2...ceiling)
    }
}
