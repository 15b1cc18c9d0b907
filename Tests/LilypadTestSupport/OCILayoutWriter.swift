import Crypto
import Foundation

/// Writes an OCI image layout folder (`oci-layout`, `index.json`, `blobs/sha256/`) from test
/// layers, the way an image builder would: ready for `ImageStore.importOCILayout` or `skopeo copy oci:`.
public struct OCILayoutWriter {
    /// A manifest written to the layout.
    public struct Manifest: Sendable {
        public var digest: String
        public var size: Int
        public var configDigest: String
    }

    public let url: URL
    private var entries: [[String: Any]] = []

    /// Creates the folder (and its parents).
    public init(at url: URL) throws {
        self.url = url
        try FileManager.default.createDirectory(at: url.appendingPathComponent("blobs/sha256"), withIntermediateDirectories: true)
        try Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8).write(to: url.appendingPathComponent("oci-layout"))
    }

    public static func sha256(_ bytes: [UInt8]) -> String {
        "sha256:" + SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// Stores a blob and returns its digest.
    @discardableResult
    public func addBlob(_ bytes: [UInt8]) throws -> String {
        let digest = Self.sha256(bytes)
        try Data(bytes).write(to: url.appendingPathComponent("blobs/sha256/" + digest.dropFirst(7)))
        return digest
    }

    public static func json(_ object: Any) throws -> [UInt8] {
        Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
    }

    /// Adds an image of `layers` (gzip-compressed when `gzip`), listed in `index.json` under `refName`.
    @discardableResult
    public mutating func addImage(
        layers: [TarBuilder], gzip: Bool = false, refName: String? = nil, entrypoint: [String] = ["/bin/sh"], environment: [String] = ["PATH=/bin"],
        architecture: String = "amd64"
    ) throws -> Manifest {
        var layerDescriptors: [[String: Any]] = []
        var diffIDs: [String] = []
        for layer in layers {
            diffIDs.append(Self.sha256(layer.archive))
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("layer-\(UUID().uuidString)")
            try layer.write(to: scratch, gzip: gzip)
            let bytes = Array(try Data(contentsOf: scratch))
            try FileManager.default.removeItem(at: scratch)
            let digest = try addBlob(bytes)
            layerDescriptors.append([
                "mediaType": gzip ? "application/vnd.oci.image.layer.v1.tar+gzip" : "application/vnd.oci.image.layer.v1.tar",
                "digest": digest, "size": bytes.count,
            ])
        }
        let config = try Self.json([
            "architecture": architecture, "os": "linux",
            "config": ["Entrypoint": entrypoint, "Env": environment, "WorkingDir": "/"],
            "rootfs": ["type": "layers", "diff_ids": diffIDs],
        ])
        let configDigest = try addBlob(config)
        let manifest = try Self.json([
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": ["mediaType": "application/vnd.oci.image.config.v1+json", "digest": configDigest, "size": config.count],
            "layers": layerDescriptors,
        ])
        let digest = try addBlob(manifest)
        var entry: [String: Any] = [
            "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": digest, "size": manifest.count,
            "platform": ["os": "linux", "architecture": architecture],
        ]
        if let refName { entry["annotations"] = ["org.opencontainers.image.ref.name": refName] }
        entries.append(entry)
        try writeIndex()
        return Manifest(digest: digest, size: manifest.count, configDigest: configDigest)
    }

    /// An OCI index document listing `manifests` with their platforms.
    public static func indexDocument(_ manifests: [(Manifest, architecture: String)]) throws -> [UInt8] {
        try json([
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": manifests.map { manifest, architecture in
                [
                    "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": manifest.digest, "size": manifest.size,
                    "platform": ["os": "linux", "architecture": architecture],
                ] as [String: Any]
            },
        ])
    }

    private func writeIndex() throws {
        try Data(try Self.json(["schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": entries]))
            .write(to: url.appendingPathComponent("index.json"))
    }
}
