import CLinuxSupport
import Foundation
import Synchronization

/// bubblewrap started by the launcher (``lp_sandbox_spawn``) on a thread of its own, which then
/// waits for it; the thread lives as long as the process, so the parent-death signal (which the
/// kernel ties to the forking thread) only fires when the agent itself dies.
final class SandboxProcess: Sendable {
    struct Launch: Sendable {
        var executable: String
        var arguments: [String]
        /// Descriptors for the child's 0, 1, 2, 3, ...
        var descriptors: [Int32]
        var cgroupProcs: [String]
        var uid: uid_t
        var gid: gid_t
        var rlimitProcesses: Int?
        var rlimitCPUSeconds: Int?
        /// Read for `{"child-pid": N}` after the start (bubblewrap's `--info-fd`), then closed.
        var infoPipe: Int32?
    }

    private struct State {
        var pid: pid_t = 0
        var innerPid: pid_t = 0
        var status: Int32?
        var startError: ExecutionError?
        var waiters: [CheckedContinuation<Void, Never>] = []
        var started = false
        var exited = false
        var startWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    init(_ launch: Launch) {
        let thread = Thread { [self] in self.main(launch) }
        thread.name = "lilypad-sandbox"
        thread.start()
    }

    private func main(_ launch: Launch) {
        var cStrings: [UnsafeMutablePointer<CChar>?] = []
        func c(_ string: String) -> UnsafeMutablePointer<CChar>? {
            let pointer = strdup(string)
            cStrings.append(pointer)
            return pointer
        }
        let path = UnsafePointer(c(launch.executable))
        let argv = ([launch.executable] + launch.arguments).map(c) + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = [nil]
        let procs = launch.cgroupProcs.map { UnsafePointer(c($0)) }
        var failedStep: UnsafePointer<CChar>?
        var failedErrno: Int32 = 0
        let pid: pid_t = argv.withUnsafeBufferPointer { argvBuffer in
            envp.withUnsafeBufferPointer { envpBuffer in
                launch.descriptors.withUnsafeBufferPointer { fds in
                    procs.withUnsafeBufferPointer { procsBuffer in
                        var config = lp_spawn_config(
                            path: path, argv: argvBuffer.baseAddress, envp: envpBuffer.baseAddress, fds: fds.baseAddress,
                            fd_count: Int32(fds.count), cgroup_procs: procsBuffer.baseAddress, cgroup_count: Int32(procsBuffer.count),
                            uid: Int64(launch.uid), gid: Int64(launch.gid), rlimit_nproc: Int64(launch.rlimitProcesses ?? -1),
                            rlimit_cpu: Int64(launch.rlimitCPUSeconds ?? -1))
                        return lp_sandbox_spawn(&config, &failedStep, &failedErrno)
                    }
                }
            }
        }
        for pointer in cStrings { free(pointer) }
        guard pid > 0 else {
            let step = failedStep.map { String(cString: $0) } ?? "start the job"
            finishStart(pid: 0, error: .setupFailed(step: step, reason: String(cString: strerror(failedErrno))))
            if let info = launch.infoPipe { close(info) }
            finish(status: nil)
            return
        }
        finishStart(pid: pid, error: nil)
        if let info = launch.infoPipe {
            let inner = Self.readChildPid(info)
            state.withLock { $0.innerPid = inner ?? 0 }
        }
        // Wait without reaping first, so that kill() never signals a pid that may have been reused.
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR {}
        state.withLock { $0.exited = true }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // With the agent as child subreaper, the sandbox's init is reparented to us when bubblewrap
        // dies first; reap it (it is still our child, so its pid cannot have been reused).
        let inner = state.withLock { $0.innerPid }
        if inner > 0 {
            var innerStatus: Int32 = 0
            let reaped = waitpid(inner, &innerStatus, WNOHANG)
            if reaped == 0 {
                Glibc.kill(inner, SIGKILL)
                while waitpid(inner, &innerStatus, 0) < 0 && errno == EINTR {}
            }
        }
        finish(status: status)
    }

    private static func readChildPid(_ descriptor: Int32) -> pid_t? {
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 512)
        while bytes.count < 4096 {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        struct Info: Decodable {
            var childPid: Int32
            enum CodingKeys: String, CodingKey { case childPid = "child-pid" }
        }
        return (try? JSONDecoder().decode(Info.self, from: Data(bytes)))?.childPid
    }

    private func finishStart(pid: pid_t, error: ExecutionError?) {
        let waiters = state.withLock { state in
            state.pid = pid
            state.startError = error
            state.started = true
            defer { state.startWaiters = [] }
            return state.startWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    private func finish(status: Int32?) {
        let waiters = state.withLock { state in
            state.status = status ?? -1
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Waits until bubblewrap has been started (or failed to start).
    func started() async throws(ExecutionError) {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state in
                if state.started { return true }
                state.startWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
        if let error = state.withLock({ $0.startError }) { throw error }
    }

    /// Waits for bubblewrap to exit and returns its wait status.
    func wait() async -> Int32 {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state in
                if state.status != nil { return true }
                state.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
        return state.withLock { $0.status ?? -1 }
    }

    /// SIGKILLs bubblewrap if it is still running; `--die-with-parent` then kills the sandbox's
    /// init, which takes every process in its PID namespace with it.
    func kill() {
        state.withLock { state in
            // Only while not yet reaped: the pid is still ours then.
            guard !state.exited, state.pid > 0 else { return }
            Glibc.kill(state.pid, SIGKILL)
        }
    }
}
