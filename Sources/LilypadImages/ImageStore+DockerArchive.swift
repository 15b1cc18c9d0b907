import Foundation

extension ImageStore {
    /// Imports every image of a `docker save` archive (`manifest.json` with `Config`, `RepoTags`
    /// and `Layers`; plain or gzip). Each image gets an OCI manifest written here (so its manifest
    /// digest differs from a registry's), and is recorded under its `RepoTags`.
    public func importDockerArchive(at archive: URL) throws(ImageError) -> [StoredImage] {
        let collection = try collectionLock(.shared)
        defer { withExtendedLifetime(collection) {} }
        let staging = temporaryURL.appendingPathComponent("archive-\(UUID().uuidString)")
        guard mkdir(staging.path, 0o700) == 0 else { throw .fileSystem(operation: "create", path: staging.path, code: errno) }
        defer { try? removeTree(staging) }
        let files = try extractArchive(archive, into: staging)
        struct Entry: Decodable {
            var config: String
            var repoTags: [String]?
            var layers: [String]
            enum CodingKeys: String, CodingKey {
                case config = "Config"
                case repoTags = "RepoTags"
                case layers = "Layers"
            }
        }
        func file(_ member: String) throws(ImageError) -> URL {
            guard let url = files[(try? LayerUnpacker.clean(member))?.joined(separator: "/") ?? member] else {
                throw .invalidArchive(what: "docker archive \(archive.path)", reason: "`\(member)` is listed in manifest.json but missing")
            }
            return url
        }
        let manifestBytes: [UInt8]
        do {
            manifestBytes = Array(try Data(contentsOf: try file("manifest.json")))
        } catch let error as ImageError {
            throw error
        } catch {
            throw .invalidArchive(what: "docker archive \(archive.path)", reason: "cannot read manifest.json")
        }
        let entries: [Entry] = try RegistryClient.decode(manifestBytes, what: "manifest.json of \(archive.path)")
        var images: [StoredImage] = []
        for entry in entries {
            let config = try importBlob(from: try file(entry.config))
            var layers: [OCIDescriptor] = []
            for member in entry.layers {
                let url = try file(member)
                let gzip = try LayerStream(path: url.path, what: member).compression == .gzip
                let blob = try importBlob(from: url)
                layers.append(
                    OCIDescriptor(mediaType: gzip ? OCIMediaType.ociLayerGzip : OCIMediaType.ociLayer, digest: blob.digest, size: blob.size))
            }
            let manifest = OCIManifest(
                config: OCIDescriptor(mediaType: OCIMediaType.ociConfig, digest: config.digest, size: config.size), layers: layers)
            let bytes = Array(Self.encode(manifest))
            let digest = Digest.sha256(of: bytes)
            try storeBlob(bytes, digest: digest)
            var references: [String] = []
            for tag in entry.repoTags ?? [] { references.append(try ImageReference(parsing: tag).description) }
            images.append(
                try register(
                    manifestDigest: digest, manifest: manifest, indexDigest: nil, references: references,
                    name: references.first ?? "image \(config.digest.shortHex) of \(archive.lastPathComponent)"))
        }
        return images
    }

    /// Writes the archive's regular files to `staging` (flat, numbered) and returns member path →
    /// file. Symlinked members (older `docker save` links repeated layers) map to their target's file.
    private func extractArchive(_ archive: URL, into staging: URL) throws(ImageError) -> [String: URL] {
        let what = "docker archive \(archive.path)"
        let reader = TarReader(stream: try LayerStream(path: archive.path, what: what), what: what)
        var files: [String: URL] = [:]
        var links: [(String, String)] = []
        while let entry = try reader.next() {
            let components = try LayerUnpacker.clean(entry.path)
            let path = components.joined(separator: "/")
            switch entry.kind {
            case .regular:
                let url = staging.appendingPathComponent("\(files.count)")
                let descriptor = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
                guard descriptor >= 0 else { throw .fileSystem(operation: "create", path: url.path, code: errno) }
                defer { close(descriptor) }
                try reader.readContent { (bytes) throws(ImageError) in try RegistryClient.writeAll(bytes, to: descriptor, path: url.path) }
                files[path] = url
            case .symbolicLink:
                let base = components.dropLast().joined(separator: "/")
                links.append((path, entry.linkTarget.hasPrefix("/") ? entry.linkTarget : base + "/" + entry.linkTarget))
            case .hardLink:
                links.append((path, entry.linkTarget))
            default:
                continue
            }
        }
        for (path, target) in links {
            var resolved: [String] = []
            for component in target.split(separator: "/") where component != "." {
                if component == ".." { _ = resolved.popLast() } else { resolved.append(String(component)) }
            }
            if let url = files[resolved.joined(separator: "/")] { files[path] = url }
        }
        return files
    }
}
