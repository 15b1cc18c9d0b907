import Foundation

/// The bubblewrap command line for one job (everything after `bwrap`), built from resolved values
/// only, so it can be checked without running anything.
///
/// Order matters: the tmpfs `/`, one read-only bind per image entry, `/proc`, `/dev`, a sized
/// `/tmp`, `/outputs`, `/inputs` (read-only, when the job has input files), GPU devices and libraries, then `--remount-ro /` (after the last mount,
/// which would otherwise need to create its mount point on a read-only root), then the filter,
/// environment, identity and the command.
public struct BubblewrapCommand: Sendable {
    /// Top-level names the sandbox provides itself; image entries with these names are not bound.
    public static let reservedNames: Set<String> = ["proc", "dev", "tmp", "outputs"]

    public var rootfs: String
    public var entries: [RootfsEntry]
    public var process: JobProcess
    /// Creates the working directory (on the tmpfs root) when the image lacks it.
    public var createWorkingDirectory: Bool
    public var network: NetworkAccess
    public var temporaryBytes: Int
    /// The host folder (a size-capped tmpfs) bound at `/outputs`.
    public var outputs: String
    /// The host folder bound read-only at `/inputs` (the job's input files), if any.
    public var inputs: String?
    /// Host device nodes bound with device access at the same path.
    public var devices: [String]
    /// Host files bound read-only into ``GPUDetector/libraryDirectory``.
    public var libraries: [(source: String, name: String)]
    /// The descriptor bubblewrap reads the seccomp BPF program from.
    public var seccompDescriptor: Int32?
    /// The descriptor bubblewrap writes `{"child-pid": N}` to.
    public var infoDescriptor: Int32?
    public var hostname: String

    public init(
        rootfs: String, entries: [RootfsEntry], process: JobProcess, createWorkingDirectory: Bool = false, network: NetworkAccess = .none,
        temporaryBytes: Int, outputs: String, inputs: String? = nil, devices: [String] = [], libraries: [(source: String, name: String)] = [],
        seccompDescriptor: Int32? = nil, infoDescriptor: Int32? = nil, hostname: String = "job"
    ) {
        self.rootfs = rootfs
        self.entries = entries
        self.process = process
        self.createWorkingDirectory = createWorkingDirectory
        self.network = network
        self.temporaryBytes = temporaryBytes
        self.outputs = outputs
        self.inputs = inputs
        self.devices = devices
        self.libraries = libraries
        self.seccompDescriptor = seccompDescriptor
        self.infoDescriptor = infoDescriptor
        self.hostname = hostname
    }

    /// The arguments after `bwrap`.
    public var arguments: [String] {
        var args = ["--unshare-all"]
        if network == .host { args.append("--share-net") }
        args += [
            "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session", "--clearenv", "--hostname", hostname,
            "--uid", String(process.uid), "--gid", String(process.gid),
        ]
        if let infoDescriptor { args += ["--info-fd", String(infoDescriptor)] }
        args += ["--tmpfs", "/"]
        let root = rootfs.hasSuffix("/") ? String(rootfs.dropLast()) : rootfs
        var reserved = Self.reservedNames
        if !libraries.isEmpty { reserved.insert("run") }
        if inputs != nil { reserved.insert("inputs") }
        for entry in entries where !reserved.contains(entry.name) {
            switch entry.kind {
            case .directory, .file: args += ["--ro-bind", "\(root)/\(entry.name)", "/\(entry.name)"]
            case .symlink(let target): args += ["--symlink", target, "/\(entry.name)"]
            case .other: continue
            }
        }
        args += ["--proc", "/proc", "--dev", "/dev"]
        args += ["--perms", "1777", "--size", String(temporaryBytes), "--tmpfs", "/tmp"]
        args += ["--bind", outputs, "/outputs"]
        if let inputs { args += ["--ro-bind", inputs, "/inputs"] }
        for device in devices { args += ["--dev-bind", device, device] }
        if !libraries.isEmpty {
            args += ["--tmpfs", "/run"]
            for library in libraries { args += ["--ro-bind", library.source, "\(GPUDetector.libraryDirectory)/\(library.name)"] }
        }
        if createWorkingDirectory { args += ["--dir", process.workingDirectory] }
        args += ["--remount-ro", "/"]
        if let seccompDescriptor { args += ["--seccomp", String(seccompDescriptor)] }
        for variable in environment { args += ["--setenv", variable.name, variable.value] }
        args += ["--chdir", process.workingDirectory, "--"]
        args += process.arguments
        return args
    }

    /// The job's environment, with the driver libraries first on `LD_LIBRARY_PATH` when there are any.
    var environment: [JobProcess.EnvironmentVariable] {
        var variables = process.environment
        guard !libraries.isEmpty else { return variables }
        if let index = variables.firstIndex(where: { $0.name == "LD_LIBRARY_PATH" }) {
            let existing = variables[index].value
            variables[index].value = existing.isEmpty ? GPUDetector.libraryDirectory : "\(GPUDetector.libraryDirectory):\(existing)"
        } else {
            variables.append(JobProcess.EnvironmentVariable("LD_LIBRARY_PATH", GPUDetector.libraryDirectory))
        }
        return variables
    }
}
