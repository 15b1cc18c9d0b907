import Foundation
import LilypadCore
import LilypadExecution
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A private dockerd for tests: its own socket, data root, exec root and cgroup parent in a
/// temporary folder, no bridge and no iptables rules (the host network namespace is shared), and
/// `nofile` 1024 for containers (raising rlimits above the hard limit fails here).
final class DockerDaemon: Sendable {
    struct StartFailed: Error, CustomStringConvertible {
        var description: String
    }

    /// Whether dockerd can be started here: the binary exists, we are root, and
    /// `LILYPAD_SKIP_DOCKER_TESTS` is not set.
    static var isAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/sbin/dockerd") && getuid() == 0
            && ProcessInfo.processInfo.environment["LILYPAD_SKIP_DOCKER_TESTS"] == nil
    }

    let root: URL
    let socketPath: String
    let cgroupParent: String
    let pid: Int32
    /// Whether `docker0` existed before we started (then its presence afterwards is not ours).
    let hadBridge: Bool
    /// A folder for the tests' files, removed with the daemon.
    var scratch: URL { root.appendingPathComponent("scratch") }
    /// The executor the suite's tests share (so that they share imported images).
    let executor: DockerExecutor
    /// The image of ``ExecutorContractCases``, made once.
    let contractImage: ExecutionImage

    private init(root: URL, socketPath: String, cgroupParent: String, pid: Int32, hadBridge: Bool, contractImage: ExecutionImage) {
        self.root = root
        self.socketPath = socketPath
        self.cgroupParent = cgroupParent
        self.pid = pid
        self.hadBridge = hadBridge
        self.contractImage = contractImage
        self.executor = DockerExecutor(socketPath: socketPath, scratchDirectory: root.appendingPathComponent("jobs"))
    }

    static var bridgeExists: Bool { FileManager.default.fileExists(atPath: "/sys/class/net/docker0") }

    /// Starts dockerd and waits until it answers `_ping` (30 s at most).
    static func start() async throws -> DockerDaemon {
        let id = UUID().uuidString.prefix(8).lowercased()
        // Short: the socket path must fit in sockaddr_un (108 bytes).
        let root = URL(fileURLWithPath: "/tmp/lp-dockerd-\(id)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let socketPath = root.appendingPathComponent("docker.sock").path
        let cgroupParent = "lilypad-test-\(id)"
        let hadBridge = bridgeExists
        let contractImage = try ExecutorContractCases.makeImage(at: root.appendingPathComponent("scratch/rootfs"))
        let arguments = [
            "-H", "unix://\(socketPath)", "--data-root", root.appendingPathComponent("data").path,
            "--exec-root", root.appendingPathComponent("exec").path, "--pidfile", root.appendingPathComponent("dockerd.pid").path,
            "--storage-driver", "overlay2", "--bridge", "none", "--iptables=false", "--ip6tables=false", "--ip-masq=false",
            "--default-ulimit", "nofile=1024:1024", "--cgroup-parent", cgroupParent, "--log-level", "warn",
        ]
        let log = root.appendingPathComponent("dockerd.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let logHandle = try FileHandle(forWritingTo: log)
        let process = try ChildProcess(
            "/usr/sbin/dockerd", arguments, stdout: .descriptor(logHandle.fileDescriptor), stderr: .descriptor(logHandle.fileDescriptor))
        try logHandle.close()
        let daemon = DockerDaemon(
            root: root, socketPath: socketPath, cgroupParent: cgroupParent, pid: process.pid, hadBridge: hadBridge,
            contractImage: contractImage)
        let engine = DockerEngineClient(socketPath: socketPath, apiVersion: DockerEngineClient.maximumAPIVersion)
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(30)
        var lastError = "none"
        while clock.now < deadline {
            do {
                try await engine.ping()
                return daemon
            } catch {
                lastError = error.description
            }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let tail = (try? String(contentsOf: log, encoding: .utf8)).map { String($0.suffix(2000)) } ?? ""
        await daemon.stop()
        throw StartFailed(description: "dockerd did not answer on \(socketPath) within 30 s (\(lastError)):\n\(tail)")
    }

    /// Stops dockerd and its containerd, unmounts what they left under the root, removes the
    /// cgroups made for containers and the root. Returns what could not be cleaned up.
    @discardableResult
    func stop() async -> [String] {
        var problems: [String] = []
        let containerdPid = (try? String(contentsOf: root.appendingPathComponent("exec/containerd/containerd.pid"), encoding: .utf8))
            .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        kill(pid, SIGTERM)
        if await !Self.waitForExit(pid, within: .seconds(20)) {
            kill(pid, SIGKILL)
            _ = await Self.waitForExit(pid, within: .seconds(5))
        }
        if let containerdPid, kill(containerdPid, 0) == 0 {
            kill(containerdPid, SIGTERM)
            if await !Self.waitForExit(containerdPid, within: .seconds(10)) { kill(containerdPid, SIGKILL) }
        }
        // Mounts under our root, deepest first.
        let mounts = ((try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? "")
            .split(separator: "\n")
            .compactMap { line -> String? in
                let fields = line.split(separator: " ")
                return fields.count > 4 ? String(fields[4]) : nil
            }
            .filter { $0.hasPrefix(root.path + "/") }
            .sorted { $0.count > $1.count }
        for mount in mounts where umount2(mount, Int32(MNT_DETACH)) != 0 {
            problems.append("cannot unmount \(mount): \(String(cString: strerror(errno)))")
        }
        for controller in (try? FileManager.default.contentsOfDirectory(atPath: "/sys/fs/cgroup")) ?? [] {
            Self.removeCgroup("/sys/fs/cgroup/\(controller)/\(cgroupParent)", problems: &problems)
        }
        do { try FileManager.default.removeItem(at: root) } catch { problems.append("cannot remove \(root.path): \(error)") }
        if !hadBridge && Self.bridgeExists { problems.append("dockerd created docker0") }
        return problems
    }

    private static func removeCgroup(_ path: String, problems: inout [String]) {
        guard let children = try? FileManager.default.contentsOfDirectory(atPath: path) else { return }
        for child in children {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: "\(path)/\(child)", isDirectory: &isDirectory), isDirectory.boolValue {
                removeCgroup("\(path)/\(child)", problems: &problems)
            }
        }
        if rmdir(path) != 0 { problems.append("cannot remove cgroup \(path): \(String(cString: strerror(errno)))") }
    }

    private static func waitForExit(_ pid: Int32, within limit: Duration) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while clock.now < deadline {
            var status: Int32 = 0
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid || (reaped == -1 && kill(pid, 0) != 0) { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }
}

/// Starts one private dockerd around a whole suite and stops it afterwards; tests reach it
/// through ``DockerDaemon/current``.
struct DockerDaemonTrait: SuiteTrait, TestScoping {
    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let daemon = try await DockerDaemon.start()
        do {
            try await DockerDaemon.$current.withValue(daemon) { try await function() }
        } catch {
            await daemon.stop()
            throw error
        }
        let problems = await daemon.stop()
        #expect(problems.isEmpty, "cleaning up after dockerd: \(problems.joined(separator: "; "))")
    }
}

extension DockerDaemon {
    @TaskLocal static var current: DockerDaemon?

    /// The suite's daemon; fails the test when the suite has no ``DockerDaemonTrait``.
    static func required() throws -> DockerDaemon {
        try #require(current, "the suite needs the .privateDockerDaemon trait")
    }
}

extension Trait where Self == DockerDaemonTrait {
    /// A private dockerd for the suite (see ``DockerDaemon``).
    static var privateDockerDaemon: Self { DockerDaemonTrait() }
}
