import Foundation

extension ImageStore {
    /// The annotation naming an index entry of an OCI layout (a tag, or a full reference).
    public static let refNameAnnotation = "org.opencontainers.image.ref.name"

    /// Imports an image from an OCI image layout folder (`oci-layout`, `index.json`, `blobs/`).
    /// With several manifests in the index, the one whose `org.opencontainers.image.ref.name`
    /// matches `reference` (in full, or its tag) is taken, else the linux/amd64 one. The image is
    /// recorded under `reference` (normalized), else under the entry's name when that is a full
    /// reference. Layers may be uncompressed or gzip tars.
    public func importOCILayout(at layout: URL, reference: String?) throws(ImageError) -> StoredImage {
        let collection = try collectionLock(.shared)
        defer { withExtendedLifetime(collection) {} }
        let parsed = try reference.map { (text) throws(ImageError) in try ImageReference(parsing: text) }
        let name = parsed?.description ?? layout.path
        guard FileManager.default.fileExists(atPath: layout.appendingPathComponent("oci-layout").path) else {
            throw .invalidDocument(what: "OCI layout \(layout.path)", reason: "there is no `oci-layout` file")
        }
        let indexBytes: [UInt8]
        do {
            indexBytes = Array(try Data(contentsOf: layout.appendingPathComponent("index.json")))
        } catch {
            throw .invalidDocument(what: "OCI layout \(layout.path)", reason: "cannot read index.json")
        }
        let index: OCIIndex = try RegistryClient.decode(indexBytes, what: "index.json of \(layout.path)")
        var entry = try Self.pickEntry(index, reference: reference, parsed: parsed, what: "OCI layout \(layout.path)")
        func layoutBlob(_ digest: Digest) -> URL { layout.appendingPathComponent("blobs/\(digest.algorithm)/\(digest.hex)") }
        var indexDigest: Digest?
        if OCIMediaType.isIndex(entry.mediaType) {
            try importBlob(from: layoutBlob(entry.digest), descriptor: entry, what: "index \(entry.digest) in \(layout.path)")
            let nested: OCIIndex = try RegistryClient.decode(try readBlob(entry.digest, what: "index"), what: "index \(entry.digest)")
            guard let platformEntry = nested.manifest(for: .linuxAMD64) else {
                throw .noMatchingPlatform(reference: name, available: nested.platformNames)
            }
            indexDigest = entry.digest
            entry = platformEntry
        }
        guard OCIMediaType.isManifest(entry.mediaType) else { throw .unsupportedMediaType(entry.mediaType, what: "a manifest in \(layout.path)") }
        try importBlob(from: layoutBlob(entry.digest), descriptor: entry, what: "manifest \(entry.digest) in \(layout.path)")
        let manifest = try storedManifest(entry.digest)
        for descriptor in [manifest.config] + manifest.layers {
            try importBlob(from: layoutBlob(descriptor.digest), descriptor: descriptor, what: "blob \(descriptor.digest) in \(layout.path)")
        }
        var references: [String] = []
        if let parsed {
            references = [parsed.description]
        } else if let annotated = entry.annotations?[Self.refNameAnnotation], annotated.contains("/"),
            let full = try? ImageReference(parsing: annotated)
        {
            references = [full.description]
        }
        return try register(manifestDigest: entry.digest, manifest: manifest, indexDigest: indexDigest, references: references, name: name)
    }

    /// The index entry to import: by name, else the only one, else linux/amd64.
    static func pickEntry(_ index: OCIIndex, reference: String?, parsed: ImageReference?, what: String) throws(ImageError) -> OCIDescriptor {
        if let reference {
            let named = index.manifests.filter { descriptor in
                guard let name = descriptor.annotations?[refNameAnnotation] else { return false }
                return name == reference || name == parsed?.tag
                    || (try? ImageReference(parsing: name)).map { $0.description == parsed?.description } == true
            }
            if let first = named.first { return first }
        }
        if index.manifests.count == 1, let only = index.manifests.first { return only }
        if let platform = index.manifest(for: .linuxAMD64) { return platform }
        if index.manifests.isEmpty { throw .invalidDocument(what: what, reason: "index.json lists no manifests") }
        let names = index.manifests.compactMap { $0.annotations?[refNameAnnotation] }
        throw .invalidDocument(
            what: what, reason: "index.json lists several manifests; name one of them (\(names.joined(separator: ", ")))")
    }
}
