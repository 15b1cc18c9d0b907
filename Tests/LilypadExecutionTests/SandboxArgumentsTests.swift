import Foundation
import LilypadImages
import Testing

@testable import LilypadExecution

@Suite struct BubblewrapCommandTests {
    static let entries = [
        RootfsEntry(name: "bin", kind: .directory), RootfsEntry(name: "entrypoint.sh", kind: .file),
        RootfsEntry(name: "lib", kind: .symlink(target: "usr/lib")), RootfsEntry(name: "proc", kind: .directory),
        RootfsEntry(name: "tmp", kind: .directory), RootfsEntry(name: "fifo", kind: .other),
    ]
    static let process = JobProcess(
        arguments: ["/entrypoint.sh", "a b"], environment: [.init("PATH", "/bin"), .init("GREETING", "hi")], workingDirectory: "/work",
        uid: 1000, gid: 100)

    static func command(network: NetworkAccess = .none, gpus: Bool = false) -> BubblewrapCommand {
        BubblewrapCommand(
            rootfs: "/images/r/", entries: entries, process: process, network: network, temporaryBytes: 1 << 20, outputs: "/scratch/outputs",
            devices: gpus ? ["/dev/nvidiactl", "/dev/nvidia0"] : [], libraries: gpus ? [("/usr/lib/libcuda.so.1", "libcuda.so.1")] : [],
            seccompDescriptor: 3, infoDescriptor: 4)
    }

    /// The value after each occurrence of `flag` (flags with two values give both).
    static func values(_ args: [String], _ flag: String, count: Int = 1) -> [[String]] {
        args.indices.filter { args[$0] == flag }.map { Array(args[($0 + 1)...($0 + count)]) }
    }

    @Test func imageEntriesBecomeReadOnlyBindsAndSymlinks() {
        let args = Self.command().arguments
        #expect(Self.values(args, "--ro-bind", count: 2) == [["/images/r/bin", "/bin"], ["/images/r/entrypoint.sh", "/entrypoint.sh"]])
        #expect(Self.values(args, "--symlink", count: 2) == [["usr/lib", "/lib"]])
        // The sandbox's own /proc and /tmp replace the image's; devices and FIFOs are left out.
        #expect(!args.contains("/images/r/proc") && !args.contains("/images/r/tmp") && !args.contains { $0.contains("fifo") })
        #expect(Self.values(args, "--tmpfs") == [["/"], ["/tmp"]])
        #expect(Self.values(args, "--size") == [["1048576"]])
        #expect(Self.values(args, "--bind", count: 2) == [["/scratch/outputs", "/outputs"]])
    }

    @Test func inputFilesAreBoundReadOnlyInPlaceOfTheImages() throws {
        var command = Self.command()
        command.entries.append(RootfsEntry(name: "inputs", kind: .directory))
        #expect(Self.values(command.arguments, "--ro-bind", count: 2).contains(["/images/r/inputs", "/inputs"]))
        command.inputs = "/scratch/inputs"
        let args = command.arguments
        let binds = Self.values(args, "--ro-bind", count: 2)
        #expect(binds.last == ["/scratch/inputs", "/inputs"] && !binds.contains(["/images/r/inputs", "/inputs"]))
        #expect(Self.values(args, "--bind", count: 2) == [["/scratch/outputs", "/outputs"]])
        #expect(try #require(args.lastIndex(of: "--ro-bind")) < (try #require(args.firstIndex(of: "--remount-ro"))))
    }

    @Test func rootIsRemountedReadOnlyAfterEveryMount() throws {
        let args = Self.command(gpus: true).arguments
        let remount = try #require(args.firstIndex(of: "--remount-ro"))
        #expect(args[remount + 1] == "/")
        for flag in ["--ro-bind", "--bind", "--tmpfs", "--dev-bind", "--symlink", "--proc", "--dev", "--dir"] {
            #expect(args.lastIndex(of: flag).map { $0 < remount } ?? true, "\(flag) after --remount-ro")
        }
        #expect(args.firstIndex(of: "--seccomp").map { $0 > remount } == true)
        #expect(Self.values(args, "--seccomp") == [["3"]])
    }

    @Test(arguments: [NetworkAccess.none, .host])
    func networkIsPrivateUnlessHostIsAsked(_ network: NetworkAccess) {
        let args = Self.command(network: network).arguments
        #expect(args.first == "--unshare-all")
        #expect(args.contains("--share-net") == (network == .host))
        #expect(args.contains("--disable-userns") && args.contains("--die-with-parent") && args.contains("--clearenv"))
    }

    @Test func environmentUserAndCommandComeLastInOrder() throws {
        let args = Self.command().arguments
        #expect(Self.values(args, "--setenv", count: 2) == [["PATH", "/bin"], ["GREETING", "hi"]])
        #expect(Self.values(args, "--uid") == [["1000"]] && Self.values(args, "--gid") == [["100"]])
        let separator = try #require(args.lastIndex(of: "--"))
        #expect(Array(args[(separator + 1)...]) == ["/entrypoint.sh", "a b"])
        #expect(args[separator - 2] == "--chdir" && args[separator - 1] == "/work")
    }

    @Test func gpusGetDeviceBindsAndDriverLibraries() {
        let args = Self.command(gpus: true).arguments
        #expect(Self.values(args, "--dev-bind", count: 2) == [["/dev/nvidiactl", "/dev/nvidiactl"], ["/dev/nvidia0", "/dev/nvidia0"]])
        #expect(Self.values(args, "--ro-bind", count: 2).contains(["/usr/lib/libcuda.so.1", "/run/nvidia/lib/libcuda.so.1"]))
        #expect(Self.values(args, "--setenv", count: 2).contains(["LD_LIBRARY_PATH", "/run/nvidia/lib"]))
    }
}

@Suite struct JobProcessTests {
    static func request(
        config: ImageConfiguration, entrypoint: [String]? = nil, command: [String]? = nil, environment: [(name: String, value: String)] = [],
        user: String? = nil, rootfs: URL = URL(fileURLWithPath: "/nonexistent")
    ) -> ExecutionRequest {
        ExecutionRequest(
            name: "t", image: ExecutionImage(reference: "img", digest: nil, rootfs: rootfs, configuration: config), entrypoint: entrypoint,
            command: command, environment: environment, user: user, outputsDirectory: URL(fileURLWithPath: "/tmp/out"))
    }

    @Test func dockerRulesForEntrypointAndCommand() throws {
        let config = ImageConfiguration(entrypoint: ["/e"], command: ["c1"])
        #expect(try JobProcess.resolve(Self.request(config: config)).arguments == ["/e", "c1"])
        #expect(try JobProcess.resolve(Self.request(config: config, command: ["x"])).arguments == ["/e", "x"])
        // A new entrypoint drops the image's Cmd, as `docker run --entrypoint` does.
        #expect(try JobProcess.resolve(Self.request(config: config, entrypoint: ["/n"])).arguments == ["/n"])
        #expect(throws: ExecutionError.self) { try JobProcess.resolve(Self.request(config: ImageConfiguration())) }
    }

    @Test func jobEnvironmentOverridesTheImageInPlace() throws {
        let config = ImageConfiguration(environment: ["PATH=/bin", "A=1", "B=x=y"], command: ["sh"])
        let process = try JobProcess.resolve(Self.request(config: config, environment: [("A", "2"), ("C", "3")]))
        #expect(process.environment.map { "\($0.name)=\($0.value)" } == ["PATH=/bin", "A=2", "B=x=y", "C=3", "HOME=/root"])
    }

    @Test func usersAreLookedUpInTheImage() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("users-\(UUID())")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("etc"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        try "root:x:0:0::/root:/bin/sh\nbob:x:1001:1002::/home/bob:/bin/sh\n".write(
            to: root.appendingPathComponent("etc/passwd"), atomically: true, encoding: .utf8)
        try "staff:x:50:\n".write(to: root.appendingPathComponent("etc/group"), atomically: true, encoding: .utf8)
        func ids(_ user: String) throws -> [UInt32] {
            let process = try JobProcess.resolve(Self.request(config: ImageConfiguration(command: ["sh"]), user: user, rootfs: root))
            return [process.uid, process.gid]
        }
        #expect(try ids("bob") == [1001, 1002])
        #expect(try ids("bob:staff") == [1001, 50])
        #expect(try ids("1001") == [1001, 1002])
        #expect(try ids("7:8") == [7, 8])
        #expect(try ids("") == [0, 0])
        #expect(throws: ExecutionError.self) { try ids("alice") }
        #expect(throws: ExecutionError.self) { try ids("bob:nogroup") }
    }
}

@Suite struct GPUDetectorTests {
    @Test func parsesNvidiaSmiCSV() {
        let output = """
            0, GPU-6f2c1a5e-1b1d-4e3b-9c6e-000000000000, NVIDIA H100 80GB HBM3, 81559
            1, GPU-7a3d2b6f-2c2e-5f4c-0d7f-111111111111, NVIDIA GeForce RTX 4090, 24564
            garbage line
            """
        let gpus = GPUDetector.parse(output)
        #expect(gpus.count == 2)
        #expect(gpus.first == GPUDevice(index: 0, uuid: "GPU-6f2c1a5e-1b1d-4e3b-9c6e-000000000000", name: "NVIDIA H100 80GB HBM3", memory: 81559))
        #expect(gpus.last?.name == "NVIDIA GeForce RTX 4090" && gpus.last?.index == 1)
        #expect(GPUDetector.parse("").isEmpty)
    }

    @Test func deviceRulesAllowOnlyTheGivenGPUs() {
        let gpu = GPUDevice(index: 1, uuid: "GPU-x", name: "x", memory: 1)
        let rules = GPUDetector.deviceRules(for: [gpu], procDevices: "Character devices:\n  1 mem\n195 nvidia-frontend\n508 nvidia-uvm\n")
        #expect(rules.contains("c 195:1 rw") && !rules.contains("c 195:0 rw") && rules.contains("c 508:* rw") && rules.contains("c 1:3 rwm"))
        #expect(GPUDetector.deviceNodes(for: []).isEmpty)
    }
}

@Suite struct CgroupLayoutTests {
    @Test func jobCgroupsGoUnderOurOwnCgroupPerController() throws {
        let text = """
            9:name=systemd:/
            8:pids:/
            6:freezer:/
            5:devices:/
            4:memory:/process_api/c1d1
            2:cpu,cpuacct:/agent
            0::/
            """
        let layout = try #require(CgroupV1Layout.parse(procSelfCgroup: text))
        #expect(layout.parents["memory"] == "/sys/fs/cgroup/memory/process_api/c1d1")
        #expect(layout.parents["pids"] == "/sys/fs/cgroup/pids")
        #expect(layout.parents["cpu"] == "/sys/fs/cgroup/cpu/agent" && layout.parents["cpuacct"] == "/sys/fs/cgroup/cpuacct/agent")
        #expect(layout.parents["devices"] == "/sys/fs/cgroup/devices")
        // A cgroup v2-only host has no v1 controllers.
        #expect(CgroupV1Layout.parse(procSelfCgroup: "0::/user.slice\n") == nil)
    }
}

@Suite struct SandboxTerminationTests {
    @Test func exitCodesFollowTheContract() {
        #expect(SandboxExecutor.termination(status: 3 << 8, timedOut: false, oomKills: 0) == (.exited(code: 3), 3))
        #expect(SandboxExecutor.termination(status: 139 << 8, timedOut: false, oomKills: 0) == (.signaled(11), 139))
        #expect(SandboxExecutor.termination(status: 9, timedOut: false, oomKills: 0) == (.signaled(9), 137))
        #expect(SandboxExecutor.termination(status: 9, timedOut: true, oomKills: 1) == (.timedOut, 124))
        #expect(SandboxExecutor.termination(status: 137 << 8, timedOut: false, oomKills: 1) == (.outOfMemory, 137))
    }
}

@Suite struct SandboxJobIDTests {
    @Test(arguments: ["exec-12", "a-s3-b", "x"])
    func jobIDsCarryTheirSlot(_ name: String) {
        let id = SandboxExecutor.jobID(name: name, slot: 17)
        #expect(id.hasPrefix("lilypad-\(name)-s17-"))
        #expect(SandboxExecutor.slot(inJobID: Substring(id)) == 17)
    }

    @Test func otherNamesHaveNoSlot() {
        #expect(SandboxExecutor.slot(inJobID: "lilypad-probe-12-34") == nil)
        #expect(SandboxExecutor.slot(inJobID: "docker") == nil)
    }
}

@Suite struct RootfsReaderTests {
    /// A hostile image whose `/etc/passwd` is a symlink to a host file: lookups stay inside the image.
    @Test func symlinksResolveInsideTheImage() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("rootfs-reader-\(UUID())")
        let root = base.appendingPathComponent("root"), host = base.appendingPathComponent("host-passwd")
        defer { try? FileManager.default.removeItem(at: base) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("etc"), withIntermediateDirectories: true)
        try "hostonly:x:4242:4242::/:/bin/sh\n".write(to: host, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("etc/passwd").path, withDestinationPath: host.path)
        #expect(RootfsReader.read("/etc/passwd", in: root) == nil)
        let image = ExecutionImage(reference: "hostile", digest: nil, rootfs: root, configuration: ImageConfiguration(command: ["sh"]))
        #expect(throws: ExecutionError.self) { try JobProcess.resolveUser("hostonly", image: image) }
        // A relative link inside the image works.
        try "inside:x:7:7::/:/bin/sh\n".write(to: root.appendingPathComponent("etc/passwd.real"), atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(at: root.appendingPathComponent("etc/passwd"))
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("etc/passwd").path, withDestinationPath: "passwd.real")
        #expect(try JobProcess.resolveUser("inside", image: image).uid == 7)
    }
}
