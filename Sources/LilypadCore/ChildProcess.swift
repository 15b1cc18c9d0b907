import CLinuxSupport
import Foundation
import Synchronization

/// A program this process started, waited for by a thread of its own.
///
/// Foundation's `Process` is not used for this because, on Linux, it cannot be used from several
/// threads at once: it learns that a child ended when a socket the child holds closes, and another
/// `Process` started at the same moment can inherit that socket, so `waitUntilExit()` then waits
/// for the unrelated program too (measured here: 2 in 556 runs of `true` waited over a second
/// while another thread started `sleep 3`s; a loaded test run saw a solver reported as running
/// 45 s after it had stopped). A `ChildProcess` gives the program only the descriptors it names,
/// closing the rest at exec, and waits with `waitid`, which no other process can disturb.
public final class ChildProcess: Sendable {
    /// Where one of the child's standard streams comes from or goes to.
    public enum Stream: Sendable {
        /// This process's own descriptor of the same number.
        case inherit
        /// `/dev/null`.
        case null
        /// A descriptor of this process, which the caller keeps and closes.
        case descriptor(Int32)
        /// A file: read for stdin; created or truncated for stdout and stderr.
        case file(String)
    }

    /// How the child ended.
    public enum Termination: Sendable, Equatable, CustomStringConvertible {
        case exited(Int32)
        case signalled(Int32)

        /// The exit code, or 128 + the signal as shells report it.
        public var status: Int32 {
            switch self {
            case .exited(let code): code
            case .signalled(let signal): 128 + signal
            }
        }

        public var description: String {
            switch self {
            case .exited(let code): "exit status \(code)"
            case .signalled(let signal): "killed by signal \(signal)"
            }
        }
    }

    /// Why a program could not be started.
    public struct LaunchError: Error, Sendable, CustomStringConvertible {
        public var program: String
        public var reason: String
        public var description: String { "cannot run \(program): \(reason)" }

        public init(program: String, reason: String) {
            self.program = program
            self.reason = reason
        }
    }

    private struct State {
        var exited = false
        var termination: Termination?
        var waiters: [@Sendable (Termination) -> Void] = []
    }

    /// The child's process ID.
    public let pid: pid_t
    private let state = Mutex(State())

    /// Starts `program` (a path, or a name looked up on `PATH`) with `arguments`. `environment`
    /// replaces this process's (nil: inherit it); the child runs in `directory` (nil: ours) and, by
    /// default, in a process group of its own, so that a terminal's Ctrl-C reaches only us.
    public init(
        _ program: String, _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil,
        stdin: Stream = .null, stdout: Stream = .inherit, stderr: Stream = .inherit, newProcessGroup: Bool = true
    ) throws(LaunchError) {
        let environment = environment ?? ProcessInfo.processInfo.environment
        guard let path = Self.resolve(program, searchPath: environment["PATH"]) else {
            throw LaunchError(program: program, reason: "not found on PATH (is it installed?)")
        }
        var opened: [Int32] = []
        defer { for descriptor in opened { close(descriptor) } }
        var descriptors: [Int32] = []
        for (number, stream) in [stdin, stdout, stderr].enumerated() {
            switch stream {
            case .inherit: descriptors.append(Int32(number))
            case .descriptor(let descriptor): descriptors.append(descriptor)
            case .null, .file:
                let (file, flags): (String, Int32) =
                    switch stream {
                    case .file(let file): (file, number == 0 ? O_RDONLY : O_WRONLY | O_CREAT | O_TRUNC)
                    default: ("/dev/null", number == 0 ? O_RDONLY : O_WRONLY)
                    }
                let descriptor = open(file, flags | O_CLOEXEC, 0o644)
                guard descriptor >= 0 else {
                    throw LaunchError(program: program, reason: "cannot open \(file): \(String(cString: strerror(errno)))")
                }
                opened.append(descriptor)
                descriptors.append(descriptor)
            }
        }
        var cStrings: [UnsafeMutablePointer<CChar>?] = []
        defer { for pointer in cStrings { free(pointer) } }
        func c(_ string: String) -> UnsafeMutablePointer<CChar>? {
            let pointer = strdup(string)
            cStrings.append(pointer)
            return pointer
        }
        let argv = ([program] + arguments).map(c) + [nil]
        let envp = environment.map { c("\($0.key)=\($0.value)") } + [nil]
        var pid: pid_t = 0
        let error = argv.withUnsafeBufferPointer { argv in
            envp.withUnsafeBufferPointer { envp in
                descriptors.withUnsafeBufferPointer { fds in
                    lp_process_spawn(
                        &pid, path, argv.baseAddress, envp.baseAddress, fds.baseAddress, Int32(fds.count), directory,
                        newProcessGroup ? 1 : 0)
                }
            }
        }
        guard error == 0 else {
            let reason = String(cString: strerror(error))
            throw LaunchError(program: program, reason: directory.map { "\(reason) (in \($0))" } ?? reason)
        }
        self.pid = pid
        let thread = Thread { [self] in self.waitForExit() }
        thread.name = "lilypad-child-\(pid)"
        thread.stackSize = 64 << 10
        thread.start()
    }

    /// `program` itself when it names a path, else the first executable `program` on `searchPath`.
    static func resolve(_ program: String, searchPath: String?) -> String? {
        if program.contains("/") { return program }
        let directories = (searchPath ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":")
        return directories.map { "\($0)/\(program)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    private func waitForExit() {
        // Wait without reaping first, so that a signal sent meanwhile never reaches a reused pid.
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR {}
        state.withLock { $0.exited = true }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFSIGNALED / WTERMSIG / WEXITSTATUS, which Swift does not import.
        let signal = status & 0x7f
        let termination: Termination = signal != 0 && signal != 0x7f ? .signalled(signal) : .exited((status >> 8) & 0xff)
        let waiters = state.withLock { state in
            state.termination = termination
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter(termination) }
    }

    /// Whether the child has not exited yet.
    public var isRunning: Bool { !state.withLock { $0.exited } }

    /// How the child ended, once it has.
    public var termination: Termination? { state.withLock { $0.termination } }

    /// Sends `signal` to the child unless it has exited (its pid may then belong to another).
    public func send(_ signal: Int32) {
        state.withLock { state in
            guard !state.exited else { return }
            kill(pid, signal)
        }
    }

    /// Sends SIGTERM.
    public func terminate() { send(SIGTERM) }

    /// Runs `waiter` once the child has ended (at once if it has).
    private func whenEnded(_ waiter: @escaping @Sendable (Termination) -> Void) {
        let ended = state.withLock { state -> Termination? in
            if let termination = state.termination { return termination }
            state.waiters.append(waiter)
            return nil
        }
        if let ended { waiter(ended) }
    }

    /// Waits for the child to end.
    @discardableResult
    public func wait() async -> Termination {
        await withCheckedContinuation { continuation in whenEnded { continuation.resume(returning: $0) } }
    }

    /// Waits at most `timeout` for the child to end; nil if it is still running then.
    public func wait(timeout: Duration) async -> Termination? {
        let answer = Answer()
        let timer = Task {
            try? await Task.sleep(for: timeout)
            answer.give(nil)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            answer.set(continuation)
            whenEnded { answer.give($0) }
        }
    }

    /// A continuation resumed by whichever comes first: the child's end or a timeout.
    private final class Answer: Sendable {
        private struct Slot {
            var continuation: CheckedContinuation<Termination?, Never>?
            var early: Termination??
        }
        private let slot = Mutex(Slot())

        func set(_ continuation: CheckedContinuation<Termination?, Never>) {
            let early = slot.withLock { slot -> Termination?? in
                if let early = slot.early { return early }
                slot.continuation = continuation
                return nil
            }
            if let early { continuation.resume(returning: early) }
        }

        func give(_ value: Termination?) {
            let continuation = slot.withLock { slot -> CheckedContinuation<Termination?, Never>? in
                guard slot.early == nil else { return nil }
                slot.early = .some(value)
                defer { slot.continuation = nil }
                return slot.continuation
            }
            continuation?.resume(returning: value)
        }
    }

    /// Blocks the calling thread until the child ends; for code that cannot await.
    @discardableResult
    public func waitUntilExit() -> Termination {
        let ended = DispatchSemaphore(value: 0)
        whenEnded { _ in ended.signal() }
        ended.wait()
        return termination ?? .exited(-1)
    }
}
