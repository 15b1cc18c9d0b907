import Foundation
import Synchronization

/// Reads one of a job's output pipes on its own thread until every writer has closed it, keeping
/// at most `limit` bytes and draining (dropping) the rest, so the job never blocks on a full pipe
/// nor gets `SIGPIPE`. Kept bytes also go to `live` as they arrive.
final class OutputCollector: Sendable {
    private struct State {
        var kept: [UInt8] = []
        var truncated = false
        var finished = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())
    private let limit: Int

    /// Starts reading `descriptor` (which the collector then owns and closes). With `keep` false
    /// nothing is kept and every byte goes to `live` (a process that runs for many jobs, whose
    /// reader splits the stream per job).
    init(descriptor: Int32, limit: Int, kind: OutputStreamKind, keep: Bool = true, live: (@Sendable (OutputStreamKind, [UInt8]) -> Void)?) {
        self.limit = max(0, limit)
        let thread = Thread { [self] in
            self.drain(descriptor, kind: kind, keep: keep, live: live)
        }
        thread.name = "lilypad-output-\(kind)"
        thread.start()
    }

    private func drain(_ descriptor: Int32, kind: OutputStreamKind, keep: Bool, live: (@Sendable (OutputStreamKind, [UInt8]) -> Void)?) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            guard keep else {
                live?(kind, Array(buffer[0..<count]))
                continue
            }
            let chunk: [UInt8]? = state.withLock { state in
                let room = limit - state.kept.count
                guard room > 0 else {
                    state.truncated = true
                    return nil
                }
                let taken = Array(buffer[0..<min(room, count)])
                if taken.count < count { state.truncated = true }
                state.kept += taken
                return taken
            }
            if let chunk, let live { live(kind, chunk) }
        }
        close(descriptor)
        markFinished()
    }

    private func markFinished() {
        let waiter = state.withLock { state in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Waits until the pipe is closed by every writer, then returns what was kept.
    func finish() async -> (bytes: [UInt8], truncated: Bool) {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state in
                if state.finished { return true }
                state.waiter = continuation
                return false
            }
            if done { continuation.resume() }
        }
        return state.withLock { ($0.kept, $0.truncated) }
    }
}
