import CLinuxSupport
import Foundation
import Synchronization

/// SIGINT and SIGTERM as asynchronous sequences, for the commands that handle them: a service's
/// graceful shutdown, `lilypad run`'s withdraw or stop, `lilypad exec`'s cleanup.
///
/// Not through Dispatch's signal sources (which ServiceLifecycle's signal handling uses): on
/// Linux, Dispatch's handler relays each signal to the thread that registered the first source
/// for it, an ordinary worker thread that ends when idle; a signal relayed to it after that is
/// lost. Seen: a solver that a SIGTERM did not stop in about one loaded test run in three, its
/// signal consumed and nothing pending (`SolverProcessFixture.stop`). Here a handler writes the
/// signal's number to a pipe, on whichever thread the kernel delivers it, and a thread of ours
/// reads the pipe. Nothing in the process may then make a Dispatch signal source for these
/// signals: Dispatch would install its handler over this one.
public enum TerminationSignals {
    /// The signals that arrive from now on, until the sequence is dropped or its task cancelled.
    /// The first call installs the handlers: until then the signals keep their default action.
    public static func subscribe() -> AsyncStream<Int32> {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        let id = UUID()
        hub.subscribers.withLock { $0[id] = continuation }
        continuation.onTermination = { _ in hub.subscribers.withLock { _ = $0.removeValue(forKey: id) } }
        return stream
    }

    /// Makes SIGINT and SIGTERM deliverable to this process: a parent may have left them blocked
    /// (test runners do), and then Ctrl-C and SIGTERM would pend forever. Called first thing in
    /// `main`, before any other thread exists, so that every thread inherits the mask.
    public static func unblock() {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
    }

    private static let hub = Hub()

    private final class Hub: Sendable {
        let subscribers = Mutex<[UUID: AsyncStream<Int32>.Continuation]>([:])

        init() {
            let signals: [Int32] = [SIGINT, SIGTERM]
            let descriptor = signals.withUnsafeBufferPointer { lp_signal_pipe($0.baseAddress, Int32($0.count)) }
            guard descriptor >= 0 else { return }  // no pipe: the signals keep their default action
            let thread = Thread { [self] in self.relay(from: descriptor) }
            thread.name = "lilypad-signals"
            thread.stackSize = 64 << 10
            thread.start()
        }

        private func relay(from descriptor: Int32) {
            var byte: UInt8 = 0
            while true {
                let count = read(descriptor, &byte, 1)
                if count < 0 && errno == EINTR { continue }
                guard count == 1 else { return }
                let signal = Int32(byte)
                for continuation in subscribers.withLock({ Array($0.values) }) { continuation.yield(signal) }
            }
        }
    }
}
