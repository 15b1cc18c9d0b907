import CLinuxSupport
import Foundation

/// A top-level entry of an image's root filesystem. The sandbox's `/` is a fresh tmpfs with one
/// read-only bind per directory or file and a symlink per symlink, so the shared rootfs is never
/// written and `/proc`, `/dev`, `/tmp` and `/outputs` need not exist in the image.
public struct RootfsEntry: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case directory
        case file
        case symlink(target: String)
        /// Devices, FIFOs and sockets are left out of the sandbox.
        case other
    }

    public var name: String
    public var kind: Kind

    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }

    /// The entries of `rootfs`, sorted by name; symlinks are not followed.
    public static func list(_ rootfs: URL) throws(ExecutionError) -> [RootfsEntry] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: rootfs.path)
        } catch {
            throw .invalidImage(reference: rootfs.path, reason: "its root filesystem cannot be read: \(error.localizedDescription)")
        }
        return names.sorted().map { name in
            var info = stat()
            let path = rootfs.appendingPathComponent(name).path
            guard lstat(path, &info) == 0 else { return RootfsEntry(name: name, kind: .other) }
            switch info.st_mode & S_IFMT {
            case S_IFDIR: return RootfsEntry(name: name, kind: .directory)
            case S_IFREG: return RootfsEntry(name: name, kind: .file)
            case S_IFLNK:
                let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? ""
                return RootfsEntry(name: name, kind: .symlink(target: target))
            default: return RootfsEntry(name: name, kind: .other)
            }
        }
    }
}

/// Reads files of an image's root filesystem as the image sees them: symlinks resolve inside the
/// root (`openat2` with `RESOLVE_IN_ROOT`), so a hostile `/etc/passwd -> /etc/shadow` stays inside.
enum RootfsReader {
    private static let resolveInRoot: UInt64 = 0x10 | 0x02  // RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS

    /// The contents of `path` inside `rootfs`, or `nil` when it is missing, not a regular file or
    /// larger than `limit`.
    static func read(_ path: String, in rootfs: URL, limit: Int = 4 << 20) -> String? {
        let root = open(rootfs.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard root >= 0 else { return nil }
        defer { close(root) }
        let fd = lp_openat2(root, path, UInt64(O_RDONLY | O_CLOEXEC | O_NONBLOCK), 0, resolveInRoot)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, Int(info.st_size) <= limit else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var total = 0
        while total < bytes.count {
            let count = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress.map { $0 + total }, $0.count - total) }
            if count <= 0 { break }
            total += count
        }
        return String(decoding: bytes[0..<total], as: UTF8.self)
    }

    /// Whether `path` is a directory inside `rootfs` (resolved as the image would).
    static func isDirectory(_ path: String, in rootfs: URL) -> Bool {
        let root = open(rootfs.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard root >= 0 else { return false }
        defer { close(root) }
        let fd = lp_openat2(root, path, UInt64(O_RDONLY | O_DIRECTORY | O_CLOEXEC), 0, resolveInRoot)
        guard fd >= 0 else { return false }
        close(fd)
        return true
    }
}
