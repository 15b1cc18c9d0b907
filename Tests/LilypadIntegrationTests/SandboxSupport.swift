import Foundation
import Testing

/// Runs `lilypad exec` on busybox roots with hostile probes, and checks that nothing of a job is
/// left on the host afterwards.
enum Sandbox {
    /// Why the sandbox tests cannot run here, or `nil` when they can.
    static var unavailableReason: String? {
        if geteuid() != 0 { return "the sandbox executor needs root" }
        if !FileManager.default.isExecutableFile(atPath: "/usr/bin/bwrap") { return "bubblewrap is not installed" }
        if !TestRootfs.isAvailable { return "busybox-static is not installed" }
        return nil
    }

    /// `Probes/probe.c` built statically, once per test process.
    static let probe = Result { () throws -> String in
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Probes/probe.c").path
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("lilypad-probe-\(getpid())").path
        let build = try Oracle.run("/usr/bin/gcc", ["-static", "-O1", "-o", output, source])
        guard build.status == 0 else { throw Oracle.Failure(description: "building the probe failed: \(build.stderr)") }
        return output
    }

    /// A fresh busybox root with `/bin/probe` and `extraFiles`, removed by `body`'s end.
    static func withRootfs<T>(extraFiles: [String: String] = [:], _ body: (URL) throws -> T) throws -> T {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("lilypad-rootfs-\(UUID().uuidString)")
        defer {
            try? FileManager.default.removeItem(at: root)
            let parent = root.deletingLastPathComponent()
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? []
            where entry.hasPrefix(root.lastPathComponent + "-outputs-") {
                try? FileManager.default.removeItem(at: parent.appendingPathComponent(entry))
            }
        }
        try TestRootfs.busybox(at: root, extraFiles: extraFiles)
        try FileManager.default.copyItem(atPath: try probe.get(), toPath: root.appendingPathComponent("bin/probe").path)
        return try body(root)
    }

    struct Run {
        var output: Oracle.Output
        var seconds: Double
        var outputs: URL
    }

    /// Runs `lilypad exec --rootfs ROOT OPTIONS -- COMMAND` and checks that it left nothing behind.
    static func exec(_ root: URL, _ options: [String] = [], _ command: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> Run {
        // Removed with the root by ``withRootfs(extraFiles:_:)``.
        let outputs = URL(fileURLWithPath: root.path + "-outputs-\(UUID().uuidString)")
        let name = "t\(UInt32.random(in: 0...UInt32.max))"
        let started = Date()
        let output = try Oracle.run(
            Oracle.lilypadBinary, ["exec", "--name", name, "--rootfs", root.path, "--outputs", outputs.path] + options + ["--"] + command)
        let seconds = Date().timeIntervalSince(started)
        expectNothingLeft(job: name, sourceLocation: sourceLocation)
        return Run(output: output, seconds: seconds, outputs: outputs)
    }

    /// No cgroups, outputs mounts or scratch folders of the job named `job` remain.
    static func expectNothingLeft(job: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let prefix = "lilypad-\(job)-"
        let mounts = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        #expect(!mounts.contains("lilypad-outputs-\(prefix)"), "an outputs tmpfs is still mounted", sourceLocation: sourceLocation)
        let scratch = (try? FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory())) ?? []
        #expect(!scratch.contains { $0.hasPrefix("lilypad-sandbox-\(prefix)") }, "a scratch folder is left", sourceLocation: sourceLocation)
        let cgroups = leftoverCgroups(prefix: prefix)
        #expect(cgroups.isEmpty, "cgroups left: \(cgroups)", sourceLocation: sourceLocation)
    }

    /// Job cgroups whose names start with `prefix` under this process's cgroups.
    static func leftoverCgroups(prefix: String = "lilypad-") -> [String] {
        let text = (try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8)) ?? ""
        var left: [String] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3, !fields[1].isEmpty else { continue }
            for controller in fields[1].split(separator: ",") where ["memory", "pids", "cpu", "cpuacct", "freezer", "devices"].contains(controller) {
                let parent = "/sys/fs/cgroup/\(controller)\(fields[2] == "/" ? "" : fields[2])"
                let entries = (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []
                left += entries.filter { $0.hasPrefix(prefix) }.map { "\(parent)/\($0)" }
            }
        }
        return left
    }

    /// Host processes whose command line contains `marker`.
    static func processes(containing marker: String) -> [String] {
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.filter { Int($0) != nil } ?? []
        return pids.compactMap { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty else { return nil }
            let line = String(decoding: data.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
            return line.contains(marker) ? "\(pid): \(line)" : nil
        }
    }

    /// A TCP listener on the host's 127.0.0.1; returns its port and descriptor.
    static func listen() throws -> (port: UInt16, descriptor: Int32) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0, Glibc.listen(fd, 16) == 0 else { throw Oracle.Failure(description: "cannot listen on 127.0.0.1") }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return (UInt16(bigEndian: address.sin_port), fd)
    }
}
