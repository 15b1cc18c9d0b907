/// A reference to a blob: its media type, digest and size (OCI image-spec `descriptor`).
public struct OCIDescriptor: Sendable, Hashable, Codable {
    public var mediaType: String
    public var digest: Digest
    public var size: Int64
    public var platform: OCIPlatform?
    public var annotations: [String: String]?

    public init(mediaType: String, digest: Digest, size: Int64, platform: OCIPlatform? = nil, annotations: [String: String]? = nil) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.platform = platform
        self.annotations = annotations
    }
}

/// The platform an index entry is for.
public struct OCIPlatform: Sendable, Hashable, Codable {
    public var architecture: String
    public var os: String
    public var variant: String?

    enum CodingKeys: String, CodingKey {
        case architecture, os, variant
    }

    public init(architecture: String, os: String, variant: String? = nil) {
        self.architecture = architecture
        self.os = os
        self.variant = variant
    }

    /// The platform jobs run on here.
    public static let linuxAMD64 = OCIPlatform(architecture: "amd64", os: "linux")
}

/// A single-platform image manifest (OCI or Docker schema 2; the two share this shape).
public struct OCIManifest: Sendable, Hashable, Codable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var config: OCIDescriptor
    public var layers: [OCIDescriptor]
    public var annotations: [String: String]?

    public init(
        schemaVersion: Int = 2, mediaType: String? = OCIMediaType.ociManifest, config: OCIDescriptor, layers: [OCIDescriptor],
        annotations: [String: String]? = nil
    ) {
        self.schemaVersion = schemaVersion
        self.mediaType = mediaType
        self.config = config
        self.layers = layers
        self.annotations = annotations
    }
}

/// A multi-platform index (OCI index or Docker manifest list), also `index.json` of an OCI layout.
public struct OCIIndex: Sendable, Hashable, Codable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var manifests: [OCIDescriptor]
    public var annotations: [String: String]?

    public init(schemaVersion: Int = 2, mediaType: String? = OCIMediaType.ociIndex, manifests: [OCIDescriptor], annotations: [String: String]? = nil)
    {
        self.schemaVersion = schemaVersion
        self.mediaType = mediaType
        self.manifests = manifests
        self.annotations = annotations
    }
}

/// The image configuration blob: platform, run defaults and the layers' uncompressed digests.
public struct OCIImageConfigFile: Sendable, Hashable, Codable {
    public struct RootFS: Sendable, Hashable, Codable {
        public var type: String
        public var diffIDs: [Digest]

        enum CodingKeys: String, CodingKey {
            case type
            case diffIDs = "diff_ids"
        }

        public init(type: String = "layers", diffIDs: [Digest]) {
            self.type = type
            self.diffIDs = diffIDs
        }
    }

    public var created: String?
    public var architecture: String
    public var os: String
    public var config: ImageConfiguration?
    public var rootfs: RootFS

    public init(created: String? = nil, architecture: String = "amd64", os: String = "linux", config: ImageConfiguration?, rootfs: RootFS) {
        self.created = created
        self.architecture = architecture
        self.os = os
        self.config = config
        self.rootfs = rootfs
    }
}

/// How a container of the image runs by default (the `config` object of the image config).
public struct ImageConfiguration: Sendable, Hashable, Codable {
    /// `uid[:gid]` or a user name looked up in the image's `/etc/passwd`; empty means root.
    public var user: String?
    public var environment: [String]?
    public var entrypoint: [String]?
    public var command: [String]?
    public var workingDirectory: String?
    public var labels: [String: String]?
    public var stopSignal: String?

    enum CodingKeys: String, CodingKey {
        case user = "User"
        case environment = "Env"
        case entrypoint = "Entrypoint"
        case command = "Cmd"
        case workingDirectory = "WorkingDir"
        case labels = "Labels"
        case stopSignal = "StopSignal"
    }

    public init(
        user: String? = nil, environment: [String]? = nil, entrypoint: [String]? = nil, command: [String]? = nil,
        workingDirectory: String? = nil, labels: [String: String]? = nil, stopSignal: String? = nil
    ) {
        self.user = user
        self.environment = environment
        self.entrypoint = entrypoint
        self.command = command
        self.workingDirectory = workingDirectory
        self.labels = labels
        self.stopSignal = stopSignal
    }
}
