import Foundation

extension UnixFS {
    /// Errors from adding files and folders.
    public enum ImportError: Error, Equatable, Sendable, CustomStringConvertible {
        case notFound(String)
        case unreadable(String, reason: String)
        case unsupportedFileType(String)
        case directoryTooLarge(String, entries: Int)

        public var description: String {
            switch self {
            case .notFound(let path): "\(path): no such file or directory"
            case .unreadable(let path, let reason): "\(path): cannot be read (\(reason))"
            case .unsupportedFileType(let path):
                "\(path): only regular files, directories and symbolic links can be added (this is a device, socket or pipe)"
            case .directoryTooLarge(let path, let entries):
                "\(path): a directory with \(entries) entries would need a sharded (HAMT) UnixFS directory, which is not supported yet"
            }
        }
    }

    /// Options of ``add(path:options:)``, mirroring `ipfs add -r` flags.
    public struct AddOptions: Sendable {
        /// Include entries whose name starts with `.` (`ipfs add --hidden`); off by default, as in kubo.
        public var includeHidden = false

        public init(includeHidden: Bool = false) {
            self.includeHidden = includeHidden
        }
    }

    /// The size above which kubo switches a directory to HAMT sharding (`ipfs add` auto-sharding).
    static let shardingThreshold = 256 * 1024

    /// Adds a file, directory or symbolic link like `ipfs add -r --only-hash` with kubo's defaults
    /// and returns its root node (`Qm…` CIDv0).
    public static func add(path: String, options: AddOptions = AddOptions()) throws(ImportError) -> Node {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            throw errno == ENOENT ? .notFound(path) : .unreadable(path, reason: String(cString: strerror(errno)))
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            return try addFile(path: path)
        case S_IFLNK:
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) else {
                throw .unreadable(path, reason: "cannot read the link")
            }
            return symlink(target: target)
        case S_IFDIR:
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: path)
            } catch {
                throw .unreadable(path, reason: "\(error.localizedDescription)")
            }
            var entries: [(name: String, node: Node)] = []
            var estimatedSize = 0
            for name in names where options.includeHidden || !name.hasPrefix(".") {
                let child = try add(path: path + "/" + name, options: options)
                entries.append((name, child))
                estimatedSize += name.utf8.count + child.cid.bytes.count
            }
            if estimatedSize > shardingThreshold { throw .directoryTooLarge(path, entries: entries.count) }
            return directory(entries: entries)
        default:
            throw .unsupportedFileType(path)
        }
    }

    private static func addFile(path: String) throws(ImportError) -> Node {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .unreadable(path, reason: "permission denied or not a file")
        }
        defer { try? handle.close() }
        var builder = FileBuilder()
        while true {
            let chunk: Data?
            do {
                chunk = try handle.read(upToCount: 4 * chunkSize)
            } catch {
                throw .unreadable(path, reason: "\(error.localizedDescription)")
            }
            guard let chunk, !chunk.isEmpty else { break }
            builder.append(chunk)
        }
        return builder.finish()
    }
}
