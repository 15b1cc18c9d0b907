import Foundation

/// An image in the ``ImageStore``, unpacked and ready to run.
public struct StoredImage: Sendable, Hashable, Codable {
    /// Normalized references that name it (`docker.io/library/busybox:latest`, `host/repo@sha256:…`); may be empty.
    public var references: [String]
    /// The single-platform manifest's digest: what jobs should be pinned to.
    public var manifestDigest: Digest
    /// The image config's digest (what `docker images` shows as the image ID).
    public var configDigest: Digest
    /// The image config: run defaults and layer diff IDs.
    public var config: OCIImageConfigFile
    /// The unpacked root filesystem. Shared by every job: treat it as read-only.
    public var rootfs: URL
    /// Bytes of the regular files in the unpacked root filesystem (a hardlinked file counts once).
    public var size: Int64

    public init(references: [String], manifestDigest: Digest, configDigest: Digest, config: OCIImageConfigFile, rootfs: URL, size: Int64) {
        self.references = references
        self.manifestDigest = manifestDigest
        self.configDigest = configDigest
        self.config = config
        self.rootfs = rootfs
        self.size = size
    }
}
