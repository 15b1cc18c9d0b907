import Foundation

/// Builds images from ``ImageRecipe``s without a container engine, as OCI image layouts.
///
/// Layers are uncompressed tars (`application/vnd.oci.image.layer.v1.tar`), so a layer's digest
/// is also its `diff_id`, and the result is the same on every machine with the same packages.
public struct ImageBuilder: Sendable {
    public var packages: DebianPackages
    /// Where Python wheels are cached (next to the `.deb` cache unless told otherwise).
    public var python: PythonPackages

    public init(packages: DebianPackages, python: PythonPackages? = nil) {
        self.packages = packages
        self.python = python ?? PythonPackages(cache: packages.cache.deletingLastPathComponent().appendingPathComponent("wheels"))
    }

    /// What a build produced.
    public struct Output: Sendable, Hashable {
        /// The OCI image layout folder (`oci-layout`, `index.json`, `blobs/sha256/…`).
        public var layout: URL
        public var manifestDigest: Digest
        /// `name=version` of each package, in layer order.
        public var packageVersions: [String]
    }

    /// Builds `recipe` into a new OCI layout at `layout` (which must not exist yet).
    public func build(_ recipe: ImageRecipe, layout: URL) throws(ImageError) -> Output {
        let fm = FileManager.default
        let blobs = layout.appendingPathComponent("blobs/sha256")
        do {
            try fm.createDirectory(at: blobs, withIntermediateDirectories: true)
        } catch {
            throw .buildFailed(step: "create \(layout.path)", reason: error.localizedDescription)
        }
        let debs = try packages.files(for: recipe.debianPackages)
        var labels = recipe.config.labels ?? [:]
        var layers: [OCIDescriptor] = []
        for deb in debs {
            let staging = blobs.appendingPathComponent("staging-\(UUID().uuidString)")
            try DebianPackages.extractData(of: deb, to: staging)
            layers.append(try Self.storeBlob(at: staging, in: blobs, mediaType: OCIMediaType.ociLayer))
        }
        if let wheels = recipe.pythonPackages, !wheels.isEmpty {
            let staging = blobs.appendingPathComponent("staging-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: staging) }
            try python.install(
                wheels, into: staging.appendingPathComponent(String(ImageRecipe.pythonPath.dropFirst())), postInstall: recipe.pythonPostInstall)
            layers.append(try Self.storeBlob(FolderArchive.archive(folder: staging), in: blobs, mediaType: OCIMediaType.ociLayer))
            labels["org.lilypad.python-packages"] = wheels.joined(separator: " ")
        }
        if !recipe.files.isEmpty {
            layers.append(try Self.storeBlob(Self.fileLayer(recipe.files), in: blobs, mediaType: OCIMediaType.ociLayer))
        }
        let versions = debs.map(DebianPackages.nameAndVersion(of:))
        var config = recipe.config
        if !versions.isEmpty { labels["org.lilypad.debian-packages"] = versions.joined(separator: " ") }
        config.labels = labels.isEmpty ? nil : labels
        let configFile = OCIImageConfigFile(config: config, rootfs: .init(diffIDs: layers.map(\.digest)))
        let configDescriptor = try Self.storeBlob(Self.encode(configFile), in: blobs, mediaType: OCIMediaType.ociConfig)
        let manifest = OCIManifest(config: configDescriptor, layers: layers)
        let manifestDescriptor = try Self.storeBlob(Self.encode(manifest), in: blobs, mediaType: OCIMediaType.ociManifest)
        var entry = manifestDescriptor
        entry.annotations = ["org.opencontainers.image.ref.name": recipe.reference]
        try Self.write(Array(#"{"imageLayoutVersion":"1.0.0"}"#.utf8), to: layout.appendingPathComponent("oci-layout"))
        try Self.write(Self.encode(OCIIndex(manifests: [entry])), to: layout.appendingPathComponent("index.json"))
        return Output(layout: layout, manifestDigest: manifestDescriptor.digest, packageVersions: versions)
    }

    /// The tar of the recipe's extra files, with their parent folders, sorted by path.
    static func fileLayer(_ files: [ImageRecipe.File]) throws(ImageError) -> [UInt8] {
        var writer = TarWriter()
        var directories: Set<String> = []
        for file in files.sorted(by: { $0.path < $1.path }) {
            let components = file.path.split(separator: "/").map(String.init)
            guard file.path.hasPrefix("/"), !components.isEmpty else {
                throw .invalidDocument(what: "recipe file `\(file.path)`", reason: "paths must be absolute")
            }
            for depth in 1..<components.count {
                let directory = components[..<depth].joined(separator: "/")
                if directories.insert(directory).inserted {
                    try writer.append(path: directory, kind: .directory, mode: 0o755)
                }
            }
            try writer.append(path: components.joined(separator: "/"), kind: .file(Array(file.contents.utf8)), mode: file.mode ?? 0o644)
        }
        return writer.finish()
    }

    static func encode(_ value: some Encodable) throws(ImageError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(value))
        } catch {
            throw .buildFailed(step: "encode \(type(of: value))", reason: "\(error)")
        }
    }

    private static func storeBlob(_ bytes: [UInt8], in blobs: URL, mediaType: String) throws(ImageError) -> OCIDescriptor {
        let digest = Digest.sha256(of: bytes)
        try write(bytes, to: blobs.appendingPathComponent(digest.hex))
        return OCIDescriptor(mediaType: mediaType, digest: digest, size: Int64(bytes.count))
    }

    /// Hashes a file written in `blobs` and renames it to its digest.
    private static func storeBlob(at staging: URL, in blobs: URL, mediaType: String) throws(ImageError) -> OCIDescriptor {
        let (digest, size) = try FileDigest.sha256(of: staging)
        let destination = blobs.appendingPathComponent(digest.hex)
        do {
            if FileManager.default.fileExists(atPath: destination.path) {
                try FileManager.default.removeItem(at: staging)
            } else {
                try FileManager.default.moveItem(at: staging, to: destination)
            }
        } catch {
            throw .buildFailed(step: "store layer \(digest)", reason: error.localizedDescription)
        }
        return OCIDescriptor(mediaType: mediaType, digest: digest, size: size)
    }

    private static func write(_ bytes: [UInt8], to file: URL) throws(ImageError) {
        do {
            try Data(bytes).write(to: file)
        } catch {
            throw .buildFailed(step: "write \(file.path)", reason: error.localizedDescription)
        }
    }
}
