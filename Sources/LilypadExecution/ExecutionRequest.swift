import Foundation
import LilypadCore
import LilypadImages

/// An unpacked image ready to run: its root filesystem and its run defaults.
public struct ExecutionImage: Sendable, Hashable {
    /// How the user named the image (for messages and for engines that know it by name).
    public var reference: String
    /// The manifest digest the job is pinned to, when the image came from a registry or the store.
    public var digest: Digest?
    /// An immutable folder holding the image's root filesystem; executors never write into it.
    public var rootfs: URL
    public var configuration: ImageConfiguration

    public init(reference: String, digest: Digest?, rootfs: URL, configuration: ImageConfiguration) {
        self.reference = reference
        self.digest = digest
        self.rootfs = rootfs
        self.configuration = configuration
    }
}

/// How much network a job gets.
public enum NetworkAccess: String, Sendable, Hashable, CaseIterable {
    /// A private network namespace with only loopback (the default).
    case none
    /// The host's network. Only a provider may allow this, explicitly.
    case host
}

/// The limits a job runs under. Memory, CPU and process limits come from cgroups where available.
public struct ResourceLimits: Sendable, Hashable {
    /// Memory (including tmpfs pages the job writes); `nil` means no limit beyond the host's.
    public var memory: Mebibytes?
    /// CPU time per wall-clock time, 1000 = one core; `nil` means no limit.
    public var cpu: Millicores?
    /// The most processes and threads alive at once.
    public var processes: Int
    /// The size of `/outputs`.
    public var outputs: ByteCount
    /// The size of `/tmp`.
    public var temporary: ByteCount
    /// How much of each of stdout and stderr is kept; the rest is read and dropped.
    public var logBytes: Int
    /// Wall-clock time from start until the whole job is killed.
    public var timeout: Duration

    public init(
        memory: Mebibytes? = 1024, cpu: Millicores? = nil, processes: Int = 512, outputs: ByteCount = ByteCount(1 << 30),
        temporary: ByteCount = ByteCount(256 << 20), logBytes: Int = 4 << 20, timeout: Duration = .seconds(600)
    ) {
        self.memory = memory
        self.cpu = cpu
        self.processes = processes
        self.outputs = outputs
        self.temporary = temporary
        self.logBytes = logBytes
        self.timeout = timeout
    }
}

/// One job to run: an image, what to run in it, and its limits.
///
/// The job sees the image's root read-only, a fresh `/tmp`, an empty `/outputs` whose contents
/// are copied to ``outputsDirectory`` afterwards, its input files read-only at `/inputs` when
/// there are any, and nothing else of the host.
public struct ExecutionRequest: Sendable {
    /// A name for the job, unique among running jobs (used for cgroup and container names); `[A-Za-z0-9_.-]`.
    public var name: String
    public var image: ExecutionImage
    /// Replaces the image's entrypoint when not `nil`.
    public var entrypoint: [String]?
    /// Replaces the image's `Cmd` when not `nil`.
    public var command: [String]?
    /// Set after the image's environment, in order; a later duplicate wins.
    public var environment: [(name: String, value: String)]
    /// Replaces the image's working directory when not `nil`.
    public var workingDirectory: String?
    /// Replaces the image's `User` (`user[:group]`, numeric or names from the image) when not `nil`.
    public var user: String?
    public var limits: ResourceLimits
    public var network: NetworkAccess
    /// GPUs given to this job, whole devices.
    public var gpus: [GPUDevice]
    /// A host folder (created if missing) that receives the contents of the job's `/outputs`.
    public var outputsDirectory: URL
    /// A host folder the job sees read-only at `/inputs` (the job's input files), if any. Its
    /// files must be readable by any user: jobs run as an unprivileged uid.
    public var inputsDirectory: URL?

    public init(
        name: String, image: ExecutionImage, entrypoint: [String]? = nil, command: [String]? = nil,
        environment: [(name: String, value: String)] = [], workingDirectory: String? = nil, user: String? = nil,
        limits: ResourceLimits = ResourceLimits(),
        network: NetworkAccess = .none, gpus: [GPUDevice] = [], outputsDirectory: URL, inputsDirectory: URL? = nil
    ) {
        self.name = name
        self.image = image
        self.entrypoint = entrypoint
        self.command = command
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.user = user
        self.limits = limits
        self.network = network
        self.gpus = gpus
        self.outputsDirectory = outputsDirectory
        self.inputsDirectory = inputsDirectory
    }
}

/// One NVIDIA GPU on the host.
public struct GPUDevice: Sendable, Hashable {
    /// The index `nvidia-smi` gives it, and the minor number of `/dev/nvidia<index>`.
    public var index: Int
    public var uuid: String
    public var name: String
    public var memory: Mebibytes

    public init(index: Int, uuid: String, name: String, memory: Mebibytes) {
        self.index = index
        self.uuid = uuid
        self.name = name
        self.memory = memory
    }
}

extension ExecutionImage {
    /// A stored image, pinned to its manifest digest; `reference` is how the user named it.
    public init(_ stored: StoredImage, reference: String? = nil) {
        self.init(
            reference: reference ?? stored.references.first ?? stored.manifestDigest.description, digest: stored.manifestDigest,
            rootfs: stored.rootfs, configuration: stored.config.config ?? ImageConfiguration())
    }
}
