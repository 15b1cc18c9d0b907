import Foundation

/// Tar archives of whole folders, for moving job results between machines: ``archive(folder:)``
/// packs a folder reproducibly (sorted entries, fixed times, owner 0:0); ``extract(archive:into:)``
/// unpacks with the image unpacker's guarantees: nothing is written outside the destination
/// (`..`, absolute paths and symlink escapes are refused or contained), and devices are skipped.
public enum FolderArchive {
    /// The folder's files, subfolders and symlinks as a tar archive.
    public static func archive(folder: URL) throws(ImageError) -> [UInt8] {
        var writer = TarWriter()
        let root = folder.standardizedFileURL.path
        func walk(_ relative: String) throws(ImageError) {
            let path = relative.isEmpty ? root : root + "/" + relative
            let names: [String]
            do { names = try FileManager.default.contentsOfDirectory(atPath: path).sorted() } catch {
                throw .fileSystem(operation: "list", path: path, code: EIO)
            }
            for name in names {
                let child = relative.isEmpty ? name : relative + "/" + name
                let full = root + "/" + child
                var info = stat()
                guard lstat(full, &info) == 0 else { throw .fileSystem(operation: "inspect", path: full, code: errno) }
                let mode = Int(info.st_mode & 0o7777)
                switch info.st_mode & S_IFMT {
                case S_IFDIR:
                    try writer.append(path: child, kind: .directory, mode: mode)
                    try walk(child)
                case S_IFREG:
                    guard let data = FileManager.default.contents(atPath: full) else { throw .fileSystem(operation: "read", path: full, code: EIO) }
                    try writer.append(path: child, kind: .file(Array(data)), mode: mode)
                case S_IFLNK:
                    let target: String
                    do { target = try FileManager.default.destinationOfSymbolicLink(atPath: full) } catch {
                        throw .fileSystem(operation: "read the link", path: full, code: EIO)
                    }
                    try writer.append(path: child, kind: .symlink(target: target), mode: 0o777)
                default:
                    continue
                }
            }
        }
        try walk("")
        return writer.finish()
    }

    /// Unpacks the tar at `archive` into the existing folder `destination`.
    public static func extract(archive: String, into destination: URL) throws(ImageError) {
        let handle = try DirectoryHandle(opening: destination.standardizedFileURL.path)
        let stream = try LayerStream(path: archive, what: "results archive")
        try LayerUnpacker(root: handle).apply(TarReader(stream: stream, what: "results archive"))
    }

    /// Unpacks the tar `archive`, held in memory (a download), into `destination`, replacing
    /// whatever was there. The bytes pass through a temporary file beside `destination`.
    public static func extractFresh(bytes archive: [UInt8], into destination: URL) throws(ImageError) {
        let parent = destination.deletingLastPathComponent()
        let file = parent.appendingPathComponent(".\(destination.lastPathComponent)-\(UUID().uuidString).tar")
        do {
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
            try Data(archive).write(to: file)
        } catch {
            throw .fileSystem(operation: "write", path: file.path, code: EIO)
        }
        defer { try? FileManager.default.removeItem(at: file) }
        try extractFresh(archive: file.path, into: destination)
    }

    /// Unpacks into `destination`, replacing whatever was there.
    public static func extractFresh(archive: String, into destination: URL) throws(ImageError) {
        try? FileManager.default.removeItem(at: destination)
        do { try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true) } catch {
            throw .fileSystem(operation: "create", path: destination.path, code: EIO)
        }
        try extract(archive: archive, into: destination)
    }
}
