/// The media types of OCI and Docker image documents and layers.
public enum OCIMediaType {
    public static let ociIndex = "application/vnd.oci.image.index.v1+json"
    public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    public static let ociConfig = "application/vnd.oci.image.config.v1+json"
    public static let ociLayer = "application/vnd.oci.image.layer.v1.tar"
    public static let ociLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip"
    public static let ociLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd"
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    public static let dockerConfig = "application/vnd.docker.container.image.v1+json"
    public static let dockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip"

    /// What a registry client sends as `Accept` on every manifest request: without the index
    /// types a registry answers 404 for multi-platform images, and without a list at all Docker
    /// registries down-convert to schema 1.
    public static let manifestAccept = [ociIndex, dockerManifestList, ociManifest, dockerManifest]

    /// Whether the type names an index (OCI index or Docker manifest list).
    public static func isIndex(_ type: String) -> Bool { type == ociIndex || type == dockerManifestList }
    /// Whether the type names a single-platform manifest.
    public static func isManifest(_ type: String) -> Bool { type == ociManifest || type == dockerManifest }
}
