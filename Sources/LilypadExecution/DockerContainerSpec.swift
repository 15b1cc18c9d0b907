import Foundation

/// The body of `POST /containers/create` for one job: the job contract translated into Docker's
/// terms. Building it is a pure function of the request, so it is tested without an engine.
///
/// The container gets: the request's entrypoint and command (each replacing the image's), the
/// image's environment then the request's (a later duplicate wins), no network unless
/// ``NetworkAccess/host``, memory (swap included), CPU and process limits, a read-only root, a
/// size-capped `/tmp`, `/outputs` bound from a host folder, no capabilities, `no-new-privileges`,
/// 1024 open files, and the job's GPUs through the NVIDIA runtime hook.
public struct DockerContainerSpec: Sendable, Encodable, Equatable {
    public var image: String
    public var entrypoint: [String]
    public var command: [String]
    public var environment: [String]
    public var workingDirectory: String
    public var user: String
    public var networkDisabled: Bool
    public var labels: [String: String]
    public var hostConfig: HostConfig

    enum CodingKeys: String, CodingKey {
        case image = "Image"
        case entrypoint = "Entrypoint"
        case command = "Cmd"
        case environment = "Env"
        case workingDirectory = "WorkingDir"
        case user = "User"
        case networkDisabled = "NetworkDisabled"
        case labels = "Labels"
        case hostConfig = "HostConfig"
        case attachStdout = "AttachStdout"
        case attachStderr = "AttachStderr"
        case tty = "Tty"
        case openStdin = "OpenStdin"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(image, forKey: .image)
        try container.encode(entrypoint, forKey: .entrypoint)
        try container.encode(command, forKey: .command)
        try container.encode(environment, forKey: .environment)
        try container.encode(workingDirectory, forKey: .workingDirectory)
        try container.encode(user, forKey: .user)
        try container.encode(networkDisabled, forKey: .networkDisabled)
        try container.encode(labels, forKey: .labels)
        try container.encode(hostConfig, forKey: .hostConfig)
        try container.encode(true, forKey: .attachStdout)
        try container.encode(true, forKey: .attachStderr)
        try container.encode(false, forKey: .tty)
        try container.encode(false, forKey: .openStdin)
    }

    /// The `HostConfig` object: limits, mounts and privileges.
    public struct HostConfig: Sendable, Encodable, Equatable {
        public var networkMode: String
        public var memory: Int64?
        public var memorySwap: Int64?
        public var nanoCPUs: Int64?
        public var pidsLimit: Int64
        public var readonlyRootfs: Bool
        public var binds: [String]
        public var tmpfs: [String: String]
        public var capDrop: [String]
        public var securityOpt: [String]
        public var ulimits: [Ulimit]
        public var deviceRequests: [DeviceRequest]
        public var logConfig: LogConfig

        enum CodingKeys: String, CodingKey {
            case networkMode = "NetworkMode"
            case memory = "Memory"
            case memorySwap = "MemorySwap"
            case nanoCPUs = "NanoCpus"
            case pidsLimit = "PidsLimit"
            case readonlyRootfs = "ReadonlyRootfs"
            case binds = "Binds"
            case tmpfs = "Tmpfs"
            case capDrop = "CapDrop"
            case securityOpt = "SecurityOpt"
            case ulimits = "Ulimits"
            case deviceRequests = "DeviceRequests"
            case logConfig = "LogConfig"
        }
    }

    public struct Ulimit: Sendable, Encodable, Equatable {
        public var name: String
        public var soft: Int64
        public var hard: Int64

        enum CodingKeys: String, CodingKey {
            case name = "Name"
            case soft = "Soft"
            case hard = "Hard"
        }
    }

    /// A request for devices from a driver: GPUs from `nvidia` by UUID.
    public struct DeviceRequest: Sendable, Encodable, Equatable {
        public var driver: String
        public var deviceIDs: [String]
        public var capabilities: [[String]]

        enum CodingKeys: String, CodingKey {
            case driver = "Driver"
            case deviceIDs = "DeviceIDs"
            case capabilities = "Capabilities"
        }
    }

    /// Where the engine keeps the job's output: nowhere (`none`). The executor reads the output
    /// through `attach` as it is produced, so a chatty job neither fills the engine's disk nor
    /// loses output to log rotation.
    public struct LogConfig: Sendable, Encodable, Equatable {
        public var type: String
        public var config: [String: String]

        enum CodingKeys: String, CodingKey {
            case type = "Type"
            case config = "Config"
        }
    }

    /// The soft and hard `nofile` limit jobs get (never above the host's hard limit, which would fail).
    public static let openFilesLimit: Int64 = 1024

    /// Translates `request` for the engine.
    ///
    /// - Parameters:
    ///   - image: the engine's name for the imported image.
    ///   - outputsHostPath: the host folder bound at `/outputs` (the request's input files, if any, are
    ///     bound read-only at `/inputs`).
    /// - Throws: ``ExecutionError/invalidImage(reference:reason:)`` when neither the request nor
    ///   the image says what to run; ``ExecutionError/invalidRequest(_:)`` for a relative working
    ///   directory or an environment variable without a name.
    public init(request: ExecutionRequest, image: String, outputsHostPath: String) throws(ExecutionError) {
        let configuration = request.image.configuration
        let entrypoint = request.entrypoint ?? configuration.entrypoint ?? []
        let command = request.command ?? configuration.command ?? []
        guard !(entrypoint + command).isEmpty else {
            throw .invalidImage(reference: request.image.reference, reason: "it has no entrypoint or command, and the job gives none")
        }
        let workingDirectory = request.workingDirectory ?? configuration.workingDirectory ?? ""
        guard workingDirectory.isEmpty || workingDirectory.hasPrefix("/") else {
            throw .invalidRequest("the working directory \(workingDirectory) is not an absolute path")
        }
        var environment: [String] = []
        var positions: [Substring: Int] = [:]
        func set(_ entry: String) {
            let name = entry.prefix { $0 != "=" }
            if let position = positions[name] {
                environment[position] = entry
            } else {
                positions[name] = environment.count
                environment.append(entry)
            }
        }
        for entry in configuration.environment ?? [] where !entry.hasPrefix("=") && !entry.isEmpty { set(entry) }
        for (name, value) in request.environment {
            guard !name.isEmpty, !name.contains("=") else { throw .invalidRequest("the environment variable name \"\(name)\" is not valid") }
            set("\(name)=\(value)")
        }

        let limits = request.limits
        let memory = limits.memory.map { Int64($0.bytes.value) }
        self.image = image
        self.entrypoint = entrypoint
        self.command = command
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.user = configuration.user ?? ""
        self.networkDisabled = request.network == .none
        self.labels = ["org.lilypad.job": request.name, "org.lilypad.image": request.image.reference]
        self.hostConfig = HostConfig(
            networkMode: request.network == .host ? "host" : "none",
            memory: memory,
            memorySwap: memory,
            nanoCPUs: limits.cpu.map { Int64($0.value) * 1_000_000 },
            pidsLimit: Int64(limits.processes),
            readonlyRootfs: true,
            binds: ["\(outputsHostPath):/outputs:rw"] + (request.inputsDirectory.map { ["\($0.standardizedFileURL.path):/inputs:ro"] } ?? []),
            tmpfs: ["/tmp": "rw,nosuid,nodev,size=\(limits.temporary.value)"],
            capDrop: ["ALL"],
            securityOpt: ["no-new-privileges"],
            ulimits: [Ulimit(name: "nofile", soft: Self.openFilesLimit, hard: Self.openFilesLimit)],
            deviceRequests: request.gpus.isEmpty
                ? [] : [DeviceRequest(driver: "nvidia", deviceIDs: request.gpus.map(\.uuid), capabilities: [["gpu"]])],
            logConfig: LogConfig(type: "none", config: [:]))
    }

    /// The JSON body, with sorted keys so that it is stable.
    public func jsonBody() throws(ExecutionError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do { return try encoder.encode(self) } catch { throw .setupFailed(step: "encode the container definition", reason: "\(error)") }
    }
}
