import Foundation
import LilypadCore

/// The images on this machine, in one folder that several processes may use at once:
///
/// ```
/// blobs/sha256/<hex>        manifests, configs and layers as distributed (an OCI layout's blob folder)
/// rootfs/<manifest hex>/    the unpacked root filesystem, immutable once renamed into place
/// images/<manifest hex>.json  what is known about each image
/// references.json           normalized reference → manifest digest
/// tmp/                      downloads and unpacks in progress
/// lock, gc.lock             flock(2) locks: index updates; pulls (shared) against collection (exclusive)
/// ```
public final class ImageStore: Sendable {
    /// The store folder.
    public let root: URL

    /// Opens (creating if needed) the store at `root`.
    public init(root: URL) throws(ImageError) {
        self.root = root
        for folder in ["blobs/sha256", "rootfs", "images", "tmp"] {
            try Self.makeDirectories(root.appendingPathComponent(folder).path)
        }
    }

    /// The store in Lilypad's home folder: `<home>/images`.
    public convenience init(home: LilypadHome) throws(ImageError) {
        try self.init(root: URL(fileURLWithPath: home.path).appendingPathComponent("images"))
    }

    // MARK: - Paths

    func blobURL(_ digest: Digest) -> URL { root.appendingPathComponent("blobs/sha256/\(digest.hex)") }
    func rootfsURL(_ digest: Digest) -> URL { root.appendingPathComponent("rootfs/\(digest.hex)") }
    func recordURL(_ digest: Digest) -> URL { root.appendingPathComponent("images/\(digest.hex).json") }
    var referencesURL: URL { root.appendingPathComponent("references.json") }
    var temporaryURL: URL { root.appendingPathComponent("tmp") }

    // MARK: - Locks

    /// Held while changing `references.json`, records, or renaming a rootfs into place.
    func indexLock() throws(ImageError) -> FileLock {
        try lock("lock", mode: .exclusive)
    }

    /// Shared by pulls and imports for their whole duration; exclusive for garbage collection,
    /// so collection never removes a blob or temporary file that a pull is about to use.
    func collectionLock(_ mode: FileLock.Mode) throws(ImageError) -> FileLock {
        try lock("gc.lock", mode: mode)
    }

    private func lock(_ name: String, mode: FileLock.Mode) throws(ImageError) -> FileLock {
        do {
            return try FileLock(path: root.appendingPathComponent(name).path, mode: mode)
        } catch {
            throw .fileSystem(operation: "lock", path: error.path, code: error.code)
        }
    }

    // MARK: - Index

    func loadReferences() throws(ImageError) -> [String: Digest] {
        guard let data = FileManager.default.contents(atPath: referencesURL.path) else { return [:] }
        do {
            return try JSONDecoder().decode([String: Digest].self, from: data)
        } catch {
            throw .invalidDocument(what: "image store index \(referencesURL.path)", reason: "\(error)")
        }
    }

    func saveReferences(_ references: [String: Digest]) throws(ImageError) {
        try writeAtomically(Self.encode(references), to: referencesURL)
    }

    func loadRecord(_ digest: Digest) throws(ImageError) -> ImageRecord? {
        guard let data = FileManager.default.contents(atPath: recordURL(digest).path) else { return nil }
        do {
            return try JSONDecoder().decode(ImageRecord.self, from: data)
        } catch {
            throw .invalidDocument(what: "image record \(recordURL(digest).path)", reason: "\(error)")
        }
    }

    func allRecords() throws(ImageError) -> [ImageRecord] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("images").path)) ?? []
        var records: [ImageRecord] = []
        for name in names.sorted() where name.hasSuffix(".json") {
            guard let digest = try? Digest(parsing: "sha256:" + name.dropLast(5)), let record = try loadRecord(digest) else { continue }
            records.append(record)
        }
        return records
    }

    static func encode(_ value: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return (try? encoder.encode(value)) ?? Data()
    }

    /// `mkdir -p`, reporting the failing call's errno.
    static func makeDirectories(_ path: String) throws(ImageError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw .fileSystem(operation: "create", path: current, code: errno)
            }
        }
    }

    /// Writes through a temporary file, `fsync` and `rename`, so readers never see half a file.
    func writeAtomically(_ data: Data, to url: URL) throws(ImageError) {
        let temporary = temporaryURL.appendingPathComponent("write-\(UUID().uuidString)").path
        let file = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard file >= 0 else { throw .fileSystem(operation: "create", path: temporary, code: errno) }
        do throws(ImageError) {
            defer { close(file) }
            var failure: ImageError?
            data.withUnsafeBytes { bytes in
                do throws(ImageError) {
                    try RegistryClient.writeAll(bytes, to: file, path: temporary)
                } catch {
                    failure = error
                }
            }
            if let failure { throw failure }
            guard fsync(file) == 0 else { throw .fileSystem(operation: "sync", path: temporary, code: errno) }
            guard rename(temporary, url.path) == 0 else { throw .fileSystem(operation: "rename to", path: url.path, code: errno) }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    // MARK: - Queries

    /// The image a reference, a full digest, or a unique prefix (≥ 12 hex digits, with or without
    /// `sha256:`) of a manifest or config digest names; nil when there is none.
    public func image(_ referenceOrDigest: String) throws(ImageError) -> StoredImage? {
        guard let digest = try resolve(referenceOrDigest) else { return nil }
        return try storedImage(digest, references: try loadReferences())
    }

    /// Every image, ordered by first reference, then digest.
    public func list() throws(ImageError) -> [StoredImage] {
        let references = try loadReferences()
        var images: [StoredImage] = []
        for record in try allRecords() {
            if let image = try storedImage(record.manifestDigest, references: references) { images.append(image) }
        }
        return images.sorted { ($0.references.first ?? "~", $0.manifestDigest) < ($1.references.first ?? "~", $1.manifestDigest) }
    }

    /// The manifest digest `text` names, if any.
    func resolve(_ text: String) throws(ImageError) -> Digest? {
        let references = try loadReferences()
        if let reference = try? ImageReference(parsing: text) {
            if let digest = references[reference.description] { return digest }
            // `name@sha256:…` finds the image by its digest even when pulled under another name.
            if let digest = reference.digest, try loadRecord(digest) != nil { return digest }
        }
        if let digest = try? Digest(parsing: text) {
            return try loadRecord(digest) != nil ? digest : nil
        }
        let prefix = text.hasPrefix("sha256:") ? String(text.dropFirst(7)) : text
        guard prefix.utf8.count >= 12, prefix.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else { return nil }
        let matches = try allRecords().filter { $0.manifestDigest.hex.hasPrefix(prefix) || $0.configDigest.hex.hasPrefix(prefix) }
        guard matches.count <= 1 else { throw .ambiguousDigestPrefix(text, matches: matches.map(\.manifestDigest.description)) }
        return matches.first?.manifestDigest
    }

    func storedImage(_ digest: Digest, references: [String: Digest]) throws(ImageError) -> StoredImage? {
        guard let record = try loadRecord(digest) else { return nil }
        let configBytes: [UInt8]
        do {
            configBytes = Array(try Data(contentsOf: blobURL(record.configDigest)))
        } catch {
            throw .fileSystem(operation: "read", path: blobURL(record.configDigest).path, code: ENOENT)
        }
        let config: OCIImageConfigFile = try RegistryClient.decode(configBytes, what: "image config \(record.configDigest)")
        return StoredImage(
            references: references.filter { $0.value == digest }.map(\.key).sorted(), manifestDigest: digest, configDigest: record.configDigest,
            config: config, rootfs: rootfsURL(digest), size: record.size)
    }

    // MARK: - Changes

    /// Points `reference` (normalized) at `digest`.
    func tag(_ reference: String, _ digest: Digest) throws(ImageError) {
        let lock = try indexLock()
        defer { withExtendedLifetime(lock) {} }
        var references = try loadReferences()
        references[reference] = digest
        try saveReferences(references)
    }

    /// Untags a reference; the image (record and rootfs) goes when no reference is left. A digest
    /// (or unique prefix) removes the image and every reference to it. Blobs stay until
    /// ``garbageCollect()``.
    public func remove(_ referenceOrDigest: String) throws(ImageError) {
        let lock = try indexLock()
        defer { withExtendedLifetime(lock) {} }
        var references = try loadReferences()
        let digest: Digest
        if let reference = try? ImageReference(parsing: referenceOrDigest), let target = references[reference.description] {
            references[reference.description] = nil
            digest = target
        } else if let target = try resolve(referenceOrDigest) {
            references = references.filter { $0.value != target }
            digest = target
        } else {
            throw .notInStore(referenceOrDigest)
        }
        try saveReferences(references)
        if !references.values.contains(digest) {
            try removeTree(rootfsURL(digest))
            unlink(recordURL(digest).path)
        }
    }

    /// Removes a file or folder without following symlinks; nothing happens when absent.
    func removeTree(_ url: URL) throws(ImageError) {
        let parent = try DirectoryHandle(opening: url.deletingLastPathComponent().path)
        try parent.removeTree(url.lastPathComponent)
    }
}
