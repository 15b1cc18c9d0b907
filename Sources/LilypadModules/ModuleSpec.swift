import LilypadCore

/// A rendered, validated module: what a job needs and how to run it.
///
/// Built from `lilypad_module.json.tmpl`'s output (Lilypad's `Module`, whose `job` is a Bacalhau
/// v1beta1 job) by ``ModuleSpec/init(json:)``. Units are explicit everywhere.
public struct ModuleSpec: Sendable, Hashable {
    /// How much network a job may use.
    public enum NetworkPolicy: Sendable, Hashable {
        /// No network at all (the default).
        case none
        /// HTTP(S) to the listed domains only.
        case http(domains: [String])
        /// Unrestricted.
        case full
    }

    /// A folder whose contents are published as a result.
    public struct Output: Sendable, Hashable {
        public var name: String
        /// Absolute path inside the job.
        public var path: String
    }

    /// Resource limits the job runs under; `nil` means "the provider's default".
    public struct Resources: Sendable, Hashable {
        public var cpu: Millicores?
        public var memory: Mebibytes?
        public var disk: ByteCount?
        public var gpu: Int
    }

    /// The minimum machine a provider must offer (matched by the solver).
    public var machine: MachineSpec
    /// The OCI image.
    public var image: String
    /// Replaces the image's entrypoint when not empty.
    public var entrypoint: [String]
    /// Arguments after the entrypoint.
    public var parameters: [String]
    /// `KEY=VALUE` pairs, in order; a later duplicate wins, as in Docker.
    public var environment: [(name: String, value: String)]
    /// The working directory inside the job, or `nil` for the image's.
    public var workingDirectory: String?
    public var outputs: [Output]
    public var network: NetworkPolicy
    public var resources: Resources
    /// The job's time limit in seconds: `executionTimeoutSeconds`, else `job.Spec.Timeout`, else `nil` (provider default).
    public var timeoutSeconds: UInt64?
    /// Files the job takes as input, by name.
    public var inputFiles: InputFiles
    public var description: String
    /// Unknown keys and other things that are not errors but are probably mistakes.
    public var warnings: [String]
    /// The module's program can serve many jobs from one process (`"warm": true`), so a provider may
    /// keep it running between jobs (the warm-process protocol: `docs/execution.md`).
    public var warm = false

    public static func == (lhs: ModuleSpec, rhs: ModuleSpec) -> Bool {
        lhs.machine == rhs.machine && lhs.image == rhs.image && lhs.entrypoint == rhs.entrypoint && lhs.parameters == rhs.parameters
            && lhs.environment.map { [$0.name, $0.value] } == rhs.environment.map { [$0.name, $0.value] }
            && lhs.workingDirectory == rhs.workingDirectory && lhs.outputs == rhs.outputs && lhs.network == rhs.network
            && lhs.resources == rhs.resources && lhs.timeoutSeconds == rhs.timeoutSeconds && lhs.inputFiles == rhs.inputFiles
            && lhs.description == rhs.description && lhs.warnings == rhs.warnings && lhs.warm == rhs.warm
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(image)
        hasher.combine(entrypoint)
        hasher.combine(parameters)
    }
}
