import Synchronization

/// A request, from outside the job, to end it early: its job creator no longer wants the result
/// (an Anura client that disconnected). Whoever runs the job registers what stopping means for it
/// (``onStop(_:)``); whoever learns of the request calls ``stop()``, once or many times.
public final class StopSignal: Sendable {
    private struct State {
        var stopped = false
        var handlers: [Int: @Sendable () -> Void] = [:]
        var next = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Whether ``stop()`` has been called.
    public var isStopped: Bool { state.withLock { $0.stopped } }

    /// Asks the job to stop: runs every registered handler, once.
    public func stop() {
        let handlers = state.withLock { state -> [@Sendable () -> Void] in
            guard !state.stopped else { return [] }
            state.stopped = true
            defer { state.handlers = [:] }
            return Array(state.handlers.values)
        }
        for handler in handlers { handler() }
    }

    /// Runs `handler` when the job is asked to stop (at once if it already was). The returned
    /// registration forgets the handler when cancelled (the job ended first).
    @discardableResult
    public func onStop(_ handler: @escaping @Sendable () -> Void) -> Registration {
        let id = state.withLock { state -> Int? in
            guard !state.stopped else { return nil }
            defer { state.next += 1 }
            state.handlers[state.next] = handler
            return state.next
        }
        guard let id else {
            handler()
            return Registration(signal: nil, id: 0)
        }
        return Registration(signal: self, id: id)
    }

    fileprivate func forget(_ id: Int) {
        _ = state.withLock { $0.handlers.removeValue(forKey: id) }
    }

    /// A handler registered with ``StopSignal/onStop(_:)``.
    public struct Registration: Sendable {
        fileprivate let signal: StopSignal?
        fileprivate let id: Int

        /// Forgets the handler: it will not run.
        public func cancel() { signal?.forget(id) }
    }
}
