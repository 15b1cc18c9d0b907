/// What the store keeps about one image in `images/<manifest hex>.json`.
struct ImageRecord: Sendable, Hashable, Codable {
    var manifestDigest: Digest
    var configDigest: Digest
    /// The index the manifest was picked from, kept so the pull can be reproduced.
    var indexDigest: Digest?
    var layers: [Digest]
    /// Bytes of regular files in the rootfs.
    var size: Int64

    /// Every blob the image needs.
    var blobs: [Digest] { [manifestDigest, configDigest] + (indexDigest.map { [$0] } ?? []) + layers }
}
