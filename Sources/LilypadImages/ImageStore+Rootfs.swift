import Foundation

extension ImageStore {
    /// Makes sure the image's rootfs and record exist (its blobs must be stored), tags it with
    /// `references`, and returns it.
    func register(
        manifestDigest: Digest, manifest: OCIManifest, indexDigest: Digest?, references: [String], name: String
    ) throws(ImageError) -> StoredImage {
        let configBytes = try readBlob(manifest.config.digest, what: "the config of \(name)")
        let config: OCIImageConfigFile = try RegistryClient.decode(configBytes, what: "image config of \(name)")
        guard config.rootfs.diffIDs.count == manifest.layers.count else {
            throw .invalidDocument(
                what: "image config of \(name)",
                reason: "\(config.rootfs.diffIDs.count) diff_ids for \(manifest.layers.count) layers")
        }
        let size = try buildRootfs(manifestDigest: manifestDigest, manifest: manifest, diffIDs: config.rootfs.diffIDs, name: name)
        let record = ImageRecord(
            manifestDigest: manifestDigest, configDigest: manifest.config.digest, indexDigest: indexDigest, layers: manifest.layers.map(\.digest),
            size: size)
        do {
            let lock = try indexLock()
            defer { withExtendedLifetime(lock) {} }
            try writeAtomically(Self.encode(record), to: recordURL(manifestDigest))
            var index = try loadReferences()
            for reference in references { index[reference] = manifestDigest }
            try saveReferences(index)
        }
        guard let image = try storedImage(manifestDigest, references: try loadReferences()) else { throw .notInStore(name) }
        return image
    }

    /// Unpacks the layers into `tmp/`, checks each layer's diff ID, and renames the result to
    /// `rootfs/<manifest hex>` unless another process got there first. Returns the rootfs size.
    private func buildRootfs(manifestDigest: Digest, manifest: OCIManifest, diffIDs: [Digest], name: String) throws(ImageError) -> Int64 {
        let destination = rootfsURL(manifestDigest)
        if FileManager.default.fileExists(atPath: destination.path) {
            if let record = try loadRecord(manifestDigest) { return record.size }
            var seen: Set<[UInt64]> = []
            return try DirectoryHandle(opening: destination.path).regularFileBytes(seen: &seen)
        }
        let building = temporaryURL.appendingPathComponent("rootfs-\(UUID().uuidString)")
        guard mkdir(building.path, 0o755) == 0 else { throw .fileSystem(operation: "create", path: building.path, code: errno) }
        var renamed = false
        defer { if !renamed { try? removeTree(building) } }
        let handle = try DirectoryHandle(opening: building.path)
        chmod(building.path, 0o755)
        let unpacker = LayerUnpacker(root: handle)
        for (index, layer) in manifest.layers.enumerated() {
            let what = "layer \(index + 1) of \(name) (\(layer.digest))"
            let stream = try LayerStream(path: blobURL(layer.digest).path, what: what)
            try unpacker.apply(TarReader(stream: stream, what: what))
            let diffID = try stream.finish()
            guard diffID == diffIDs[index] else { throw .digestMismatch(what: "\(what), uncompressed", expected: diffIDs[index], actual: diffID) }
        }
        var seen: Set<[UInt64]> = []
        let size = try handle.regularFileBytes(seen: &seen)
        let lock = try indexLock()
        defer { withExtendedLifetime(lock) {} }
        if !FileManager.default.fileExists(atPath: destination.path) {
            guard rename(building.path, destination.path) == 0 else {
                throw .fileSystem(operation: "rename to", path: destination.path, code: errno)
            }
            renamed = true
        }
        return size
    }
}
