import Foundation

/// The cgroup v1 hierarchies a sandboxed job is placed in, found from `/proc/self/cgroup`.
///
/// Each job gets one directory per controller under the agent's own cgroup in that hierarchy
/// (`/sys/fs/cgroup/<controller><own path>/<job>`), so it never touches cgroups of other work.
public struct CgroupV1Layout: Sendable, Hashable {
    /// The controllers a job needs, in the order their directories are made.
    public static let requiredControllers = ["memory", "pids", "cpu", "cpuacct", "freezer"]

    /// For each controller, the folder under which job cgroups are made.
    public var parents: [String: String]

    public init(parents: [String: String]) { self.parents = parents }

    /// Reads `/proc/self/cgroup`-formatted `text` (`ID:controllers:path` lines) and maps each of
    /// `controllers` to `<mountRoot>/<controller><path>`. Returns `nil` when one is missing.
    public static func parse(
        procSelfCgroup text: String, controllers: [String] = requiredControllers + ["devices"], mountRoot: String = "/sys/fs/cgroup"
    ) -> CgroupV1Layout? {
        var parents: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3, !fields[1].isEmpty else { continue }
            let path = String(fields[2])
            guard path.hasPrefix("/") else { continue }
            for controller in fields[1].split(separator: ",").map(String.init) where controllers.contains(controller) {
                let base = path == "/" ? "" : path
                parents[controller] = "\(mountRoot)/\(controller)\(base)"
            }
        }
        guard requiredControllers.allSatisfy({ parents[$0] != nil }) else { return nil }
        return CgroupV1Layout(parents: parents)
    }

    /// The layout of this process, if its hierarchies are mounted and writable (probed by making
    /// and removing a directory in each).
    public static func detect() -> Result<CgroupV1Layout, ExecutionError> {
        guard let text = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8) else {
            return .failure(.hostUnsupported("cannot read /proc/self/cgroup", fix: "run on Linux with /proc mounted"))
        }
        guard let layout = parse(procSelfCgroup: text) else {
            return .failure(
                .hostUnsupported(
                    "cgroup v1 controllers \(requiredControllers.joined(separator: ", ")) are not all mounted",
                    fix: "mount them under /sys/fs/cgroup (cgroup v2-only hosts are not supported yet)"))
        }
        let probe = "lilypad-probe-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        for controller in requiredControllers {
            guard let parent = layout.parents[controller] else { continue }
            let path = "\(parent)/\(probe)"
            if mkdir(path, 0o755) != 0 {
                let reason = String(cString: strerror(errno))
                return .failure(
                    .hostUnsupported("cannot create cgroups in \(parent): \(reason)", fix: "run the agent as root with cgroupfs writable"))
            }
            rmdir(path)
        }
        return .success(layout)
    }
}

/// The cgroups of one running job: limits, joining (by the launcher), killing everything in it,
/// accounting and removal.
final class JobCgroup: Sendable {
    /// The job's folder per controller (deduplicated when controllers share a hierarchy).
    let paths: [String: String]

    /// Makes the job's cgroups and writes its limits. On failure nothing is left behind.
    init(layout: CgroupV1Layout, name: String, limits: ResourceLimits, deviceRules: [String]?) throws(ExecutionError) {
        var made: [String: String] = [:]
        var controllers = CgroupV1Layout.requiredControllers
        if deviceRules != nil { controllers.append("devices") }
        var seen: Set<String> = []
        for controller in controllers {
            guard let parent = layout.parents[controller] else {
                Self.remove(Array(made.values))
                throw .hostUnsupported("the \(controller) cgroup controller is not mounted", fix: "mount it under /sys/fs/cgroup")
            }
            let path = "\(parent)/\(name)"
            let real = (URL(fileURLWithPath: parent).resolvingSymlinksInPath().path) + "/" + name
            if seen.contains(real) {
                made[controller] = path
                continue
            }
            if mkdir(path, 0o755) != 0 {
                let reason = String(cString: strerror(errno))
                Self.remove(Array(made.values))
                throw .setupFailed(step: "create the job's \(controller) cgroup \(path)", reason: reason)
            }
            seen.insert(real)
            made[controller] = path
        }
        paths = made
        do throws(ExecutionError) {
            if let memory = limits.memory, let dir = made["memory"] {
                let bytes = String(memory.bytes.value)
                try Self.write(bytes, to: "\(dir)/memory.limit_in_bytes")
                // Without swap accounting the file is absent; the host has no swap to escape to then.
                if FileManager.default.fileExists(atPath: "\(dir)/memory.memsw.limit_in_bytes") {
                    try Self.write(bytes, to: "\(dir)/memory.memsw.limit_in_bytes")
                }
            }
            if let dir = made["pids"] { try Self.write(String(max(1, limits.processes)), to: "\(dir)/pids.max") }
            if let cpu = limits.cpu, let dir = made["cpu"] {
                try Self.write("100000", to: "\(dir)/cpu.cfs_period_us")
                try Self.write(String(max(1000, cpu.value * 100)), to: "\(dir)/cpu.cfs_quota_us")
            }
            if let deviceRules, let dir = made["devices"] {
                try Self.write("a", to: "\(dir)/devices.deny")
                for rule in deviceRules { try Self.write(rule, to: "\(dir)/devices.allow") }
            }
        } catch {
            Self.remove(Self.uniqueDirectories(made))
            throw error
        }
    }

    /// The cgroups of a job made earlier (by an agent that has died), for killing and removal.
    init(existing paths: [String: String]) { self.paths = paths }

    /// The `cgroup.procs` files the launcher writes itself into before it execs bubblewrap.
    var procsFiles: [String] { Self.uniqueDirectories(paths).map { "\($0)/cgroup.procs" } }

    /// Whether the kernel OOM-killed a process of the job (`oom_kill` in `memory.oom_control`).
    var oomKills: Int {
        guard let dir = paths["memory"], let text = try? String(contentsOfFile: "\(dir)/memory.oom_control", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("oom_kill ") {
            return Int(line.dropFirst("oom_kill ".count)) ?? 0
        }
        return 0
    }

    /// CPU time used by the job (`cpuacct.usage`) and its peak memory (`memory.max_usage_in_bytes`).
    var usage: (cpu: Duration?, peakMemory: Int64?) {
        let cpu = paths["cpuacct"].flatMap { Self.readInteger("\($0)/cpuacct.usage") }.map { Duration.nanoseconds($0) }
        let memory = paths["memory"].flatMap { Self.readInteger("\($0)/memory.max_usage_in_bytes") }
        return (cpu, memory)
    }

    /// The processes in the job's cgroup (by the pids hierarchy).
    var processes: [pid_t] {
        guard let dir = paths["freezer"] ?? paths["pids"], let text = try? String(contentsOfFile: "\(dir)/cgroup.procs", encoding: .utf8) else {
            return []
        }
        return text.split(separator: "\n").compactMap { pid_t($0) }
    }

    /// Kills every process in the job: freeze (so nothing can fork meanwhile), SIGKILL each, thaw.
    func killAll() {
        guard let freezer = paths["freezer"] else {
            for pid in processes { kill(pid, SIGKILL) }
            return
        }
        for _ in 0..<3 {
            let pids = processes
            if pids.isEmpty { return }
            try? Self.write("FROZEN", to: "\(freezer)/freezer.state")
            for _ in 0..<200 {
                let state = (try? String(contentsOfFile: "\(freezer)/freezer.state", encoding: .utf8)) ?? ""
                if state.hasPrefix("FROZEN") { break }
                usleep(1000)
            }
            for pid in processes { kill(pid, SIGKILL) }
            try? Self.write("THAWED", to: "\(freezer)/freezer.state")
        }
    }

    /// Waits (up to `timeout`) until no process is left in any of the job's cgroups.
    func waitUntilEmpty(timeout: Duration = .seconds(5)) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let busy = Self.uniqueDirectories(paths).contains { dir in
                let text = (try? String(contentsOfFile: "\(dir)/cgroup.procs", encoding: .utf8)) ?? ""
                return !text.isEmpty
            }
            if !busy { return true }
            usleep(1000)
        }
        return false
    }

    /// Kills what is left and removes the cgroups; returns the folders that could not be removed.
    @discardableResult
    func destroy() -> [String] {
        killAll()
        _ = waitUntilEmpty()
        return Self.remove(Self.uniqueDirectories(paths))
    }

    private static func uniqueDirectories(_ paths: [String: String]) -> [String] {
        var seen: Set<String> = []
        var result: [String] = []
        for controller in CgroupV1Layout.requiredControllers + ["devices"] {
            guard let path = paths[controller] else { continue }
            let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
            if seen.insert(real).inserted { result.append(path) }
        }
        return result
    }

    @discardableResult
    private static func remove(_ directories: [String]) -> [String] {
        var left: [String] = []
        for dir in directories {
            var removed = false
            for _ in 0..<500 {
                if rmdir(dir) == 0 || errno == ENOENT {
                    removed = true
                    break
                }
                guard errno == EBUSY else { break }
                usleep(1000)
            }
            if !removed { left.append(dir) }
        }
        return left
    }

    private static func readInteger(_ path: String) -> Int64? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return Int64(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    static func write(_ value: String, to path: String) throws(ExecutionError) {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .setupFailed(step: "open \(path)", reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        let bytes = Array(value.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            throw .setupFailed(step: "write \(value) to \(path)", reason: String(cString: strerror(errno)))
        }
    }
}
