import Foundation

/// Makes SIGINT and SIGTERM deliverable to this process. A parent may have left them blocked (test
/// runners do), which would make Ctrl-C and SIGTERM pend forever: every long-running command (a
/// service's graceful shutdown, `lilypad run`'s withdraw, `lilypad exec`'s cleanup) needs them.
public func unblockTerminationSignals() {
    var signals = sigset_t()
    sigemptyset(&signals)
    sigaddset(&signals, SIGINT)
    sigaddset(&signals, SIGTERM)
    pthread_sigmask(SIG_UNBLOCK, &signals, nil)
}
