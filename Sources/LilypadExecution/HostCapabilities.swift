import Foundation

/// What this host offers the sandbox executor, detected once.
public struct HostCapabilities: Sendable {
    /// The bubblewrap executable, if installed.
    public var bubblewrap: String?
    /// Whether the agent runs as root (needed to switch each job to its own uid and mount its `/outputs`).
    public var isRoot: Bool
    /// Whether unprivileged user namespaces are allowed (bubblewrap runs as the job's uid and needs them).
    public var userNamespaces: Bool
    /// The cgroup v1 hierarchies jobs are placed in, or why there are none.
    public var cgroups: Result<CgroupV1Layout, ExecutionError>

    public init(bubblewrap: String?, isRoot: Bool, userNamespaces: Bool, cgroups: Result<CgroupV1Layout, ExecutionError>) {
        self.bubblewrap = bubblewrap
        self.isRoot = isRoot
        self.userNamespaces = userNamespaces
        self.cgroups = cgroups
    }

    /// Looks at this host.
    public static func detect() -> HostCapabilities {
        let bwrap = ["/usr/bin/bwrap", "/usr/local/bin/bwrap", "/bin/bwrap"].first { FileManager.default.isExecutableFile(atPath: $0) }
        return HostCapabilities(bubblewrap: bwrap, isRoot: geteuid() == 0, userNamespaces: userNamespacesAllowed(), cgroups: CgroupV1Layout.detect())
    }

    /// Throws when a job cannot be sandboxed on this host at all.
    public func check() throws(ExecutionError) {
        guard bubblewrap != nil else {
            throw .hostUnsupported("bubblewrap (bwrap) is not installed", fix: "install it: apt-get install bubblewrap")
        }
        guard isRoot else {
            throw .hostUnsupported(
                "the sandbox executor must run as root", fix: "run the agent as root: it runs every job as a dedicated unprivileged uid")
        }
        guard userNamespaces else {
            throw .hostUnsupported(
                "unprivileged user namespaces are disabled",
                fix: "enable them (sysctl user.max_user_namespaces=10000 and, where present, kernel.unprivileged_userns_clone=1)")
        }
    }

    /// The warnings a job gets when the host lacks cgroups (rlimits are used instead).
    public var warnings: [String] {
        switch cgroups {
        case .success: []
        case .failure(let error):
            [
                "weaker isolation: no cgroups (\(error)); no memory limit, CPU limited by total CPU time, processes limited per job uid"
            ]
        }
    }

    private static func userNamespacesAllowed() -> Bool {
        func read(_ path: String) -> Int? {
            (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        if let max = read("/proc/sys/user/max_user_namespaces"), max == 0 { return false }
        if let clone = read("/proc/sys/kernel/unprivileged_userns_clone"), clone == 0 { return false }
        if let restricted = read("/proc/sys/kernel/apparmor_restrict_unprivileged_userns"), restricted == 1 { return false }
        return true
    }
}
