import CLinuxSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A directory file descriptor inside a root being unpacked, with the `*at` calls the unpacker
/// uses. Every call acts on a name directly in this directory and never follows a final symlink.
final class DirectoryHandle {
    let descriptor: Int32
    /// Where it is, for error messages.
    let path: String

    static let resolveInRoot: UInt64 = 0x10
    static let resolveNoMagicLinks: UInt64 = 0x02
    static let openPath: Int32 = 0o10_000_000

    init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    /// Opens a real directory (not through a symlink) as `O_PATH`.
    convenience init(opening path: String) throws(ImageError) {
        let descriptor = open(path, Self.openPath | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { throw .fileSystem(operation: "open", path: path, code: errno) }
        self.init(descriptor: descriptor, path: path)
    }

    deinit { close(descriptor) }

    func describe(_ name: String) -> String { path.hasSuffix("/") ? path + name : path + "/" + name }

    /// Resolves `relative` as if this directory were `/` (chroot semantics): symlinks, absolute or
    /// `../..`, cannot leave it. Nil when something on the way does not exist.
    func resolveInRoot(_ relative: String) throws(ImageError) -> DirectoryHandle? {
        guard !relative.isEmpty else { return try reopen() }
        let descriptor = lp_openat2(
            self.descriptor, relative, UInt64(Self.openPath | O_DIRECTORY | O_CLOEXEC), 0, Self.resolveInRoot | Self.resolveNoMagicLinks)
        if descriptor < 0 {
            let code = errno
            if code == ENOENT { return nil }
            throw .fileSystem(operation: "resolve", path: describe(relative), code: code)
        }
        return DirectoryHandle(descriptor: descriptor, path: describe(relative))
    }

    func reopen() throws(ImageError) -> DirectoryHandle {
        let copy = fcntl(descriptor, F_DUPFD_CLOEXEC, 0)
        guard copy >= 0 else { throw .fileSystem(operation: "dup", path: path, code: errno) }
        return DirectoryHandle(descriptor: copy, path: path)
    }

    /// A child directory, not following a symlink.
    func child(_ name: String) throws(ImageError) -> DirectoryHandle {
        let descriptor = openat(self.descriptor, name, Self.openPath | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { throw .fileSystem(operation: "open", path: describe(name), code: errno) }
        return DirectoryHandle(descriptor: descriptor, path: describe(name))
    }

    /// `lstat` of a name; nil when it does not exist.
    func status(_ name: String) throws(ImageError) -> stat? {
        var info = stat()
        guard fstatat(descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
            if errno == ENOENT { return nil }
            throw .fileSystem(operation: "stat", path: describe(name), code: errno)
        }
        return info
    }

    static func isDirectory(_ info: stat) -> Bool { info.st_mode & S_IFMT == S_IFDIR }

    /// The names in this directory, without `.` and `..`.
    func names() throws(ImageError) -> [String] {
        let readable = openat(descriptor, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard readable >= 0, let stream = fdopendir(readable) else {
            let code = errno
            throw .fileSystem(operation: "list", path: path, code: code)
        }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(decoding: bytes.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Removes `name` and, for a directory, everything under it. Nothing happens if it is absent.
    func removeTree(_ name: String) throws(ImageError) {
        guard let info = try status(name) else { return }
        if Self.isDirectory(info) {
            let directory = try child(name)
            for child in try directory.names() { try directory.removeTree(child) }
            guard unlinkat(descriptor, name, AT_REMOVEDIR) == 0 || errno == ENOENT else {
                throw .fileSystem(operation: "remove", path: describe(name), code: errno)
            }
        } else {
            guard unlinkat(descriptor, name, 0) == 0 || errno == ENOENT else {
                throw .fileSystem(operation: "remove", path: describe(name), code: errno)
            }
        }
    }

    /// The bytes of regular files under this directory, each inode counted once.
    func regularFileBytes(seen: inout Set<[UInt64]>) throws(ImageError) -> Int64 {
        var total: Int64 = 0
        for name in try names() {
            guard let info = try status(name) else { continue }
            if Self.isDirectory(info) {
                total += try child(name).regularFileBytes(seen: &seen)
            } else if info.st_mode & S_IFMT == S_IFREG, seen.insert([UInt64(info.st_dev), UInt64(info.st_ino)]).inserted {
                total += Int64(info.st_size)
            }
        }
        return total
    }

    /// Sets owner (when running as root), then mode, then times of `name`, never following a symlink.
    func setAttributes(of name: String, entry: TarEntry, mode: Bool = true) throws(ImageError) {
        if geteuid() == 0 {
            guard fchownat(descriptor, name, uid_t(truncatingIfNeeded: entry.uid), gid_t(truncatingIfNeeded: entry.gid), AT_SYMLINK_NOFOLLOW) == 0
            else { throw .fileSystem(operation: "chown", path: describe(name), code: errno) }
        }
        // chmod after chown: chown clears setuid and setgid bits.
        if mode {
            guard fchmodat(descriptor, name, mode_t(entry.mode), 0) == 0 else {
                throw .fileSystem(operation: "chmod", path: describe(name), code: errno)
            }
        }
        try setTime(of: name, seconds: entry.modificationTime, nanoseconds: entry.modificationNanoseconds)
    }

    func setTime(of name: String, seconds: Int64, nanoseconds: Int) throws(ImageError) {
        let time = timespec(tv_sec: Int(seconds), tv_nsec: nanoseconds)
        let times = [time, time]
        guard utimensat(descriptor, name, times, AT_SYMLINK_NOFOLLOW) == 0 else {
            throw .fileSystem(operation: "set times of", path: describe(name), code: errno)
        }
    }
}
