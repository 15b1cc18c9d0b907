extension ImageStore {
    /// Pulls `reference` (by tag or digest) with `client`: verified manifests and blobs go to the
    /// blob store, the layers are unpacked to the image's rootfs, and the reference is recorded.
    /// Blobs already stored are not downloaded again; an image pinned by digest that is already
    /// unpacked needs no network at all.
    public func pull(_ reference: String, using client: RegistryClient) async throws(ImageError) -> StoredImage {
        let parsed = try ImageReference(parsing: reference)
        let name = parsed.description
        let collection = try collectionLock(.shared)
        defer { withExtendedLifetime(collection) {} }
        if let digest = parsed.digest, try loadRecord(digest) != nil, let manifest = try? storedManifest(digest) {
            return try register(manifestDigest: digest, manifest: manifest, indexDigest: nil, references: [name], name: name)
        }
        let resolved = try await client.resolve(parsed)
        if let index = resolved.index { try storeBlob(index.bytes, digest: index.digest) }
        try storeBlob(resolved.manifestBlob.bytes, digest: resolved.manifestBlob.digest)
        for descriptor in [resolved.manifest.config] + resolved.manifest.layers where !hasBlob(descriptor.digest) {
            try await client.downloadBlob(parsed, descriptor: descriptor, to: blobURL(descriptor.digest), temporaryDirectory: temporaryURL)
        }
        return try register(
            manifestDigest: resolved.manifestBlob.digest, manifest: resolved.manifest, indexDigest: resolved.index?.digest, references: [name],
            name: name)
    }

    func storedManifest(_ digest: Digest) throws(ImageError) -> OCIManifest {
        try RegistryClient.decode(try readBlob(digest, what: "manifest \(digest)"), what: "manifest \(digest)")
    }
}
