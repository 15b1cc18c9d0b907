#if canImport(Glibc)
    import Glibc
#endif

/// Applies image layers to a root directory with chroot semantics, so a hostile layer cannot
/// write outside it:
///
/// * names are cleaned (leading `/` and `.` components dropped) and `..` is refused;
/// * parents are resolved with `openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)`, so symlinks
///   already in the root (absolute or `../..`) resolve inside it; missing parents are created 0755;
/// * the final component is never followed: whatever is there is removed (unless both are
///   directories) and the entry is created with `O_CREAT | O_EXCL | O_NOFOLLOW`, `mkdirat`,
///   `symlinkat`, `linkat` (target resolved inside the root) or `mkfifoat`;
/// * character and block devices are skipped;
/// * owner (as root), then mode (chown clears setuid), then modification time;
/// * whiteouts: `.wh.NAME` removes NAME; `.wh..wh..opq` removes whatever the directory holds that
///   this layer did not write. Whiteout entries are never extracted.
struct LayerUnpacker {
    /// The root, opened once.
    let root: DirectoryHandle

    init(root: DirectoryHandle) {
        self.root = root
    }

    /// Applies one layer read from `tar`.
    func apply(_ tar: TarReader) throws(ImageError) {
        var written: Set<String> = []
        var directoryTimes: [(path: [String], entry: TarEntry)] = []
        while let entry = try tar.next() {
            let components = try Self.clean(entry.path)
            guard let name = components.last else { continue }
            let parentComponents = Array(components.dropLast())
            if name.hasPrefix(".wh.") {
                try applyWhiteout(name: name, in: parentComponents, written: written)
                continue
            }
            if entry.kind == .characterDevice || entry.kind == .blockDevice { continue }
            if case .unsupported = entry.kind { continue }
            guard let parent = try parentDirectory(parentComponents, create: true) else { continue }
            switch entry.kind {
            case .directory:
                if let existing = try parent.status(name), DirectoryHandle.isDirectory(existing) {
                    // Keep it, and what it holds.
                } else {
                    try parent.removeTree(name)
                    guard mkdirat(parent.descriptor, name, 0o700) == 0 else {
                        throw .fileSystem(operation: "create directory", path: parent.describe(name), code: errno)
                    }
                }
                try parent.setAttributes(of: name, entry: entry)
                directoryTimes.append((components, entry))
            case .regular:
                try parent.removeTree(name)
                try writeFile(name, in: parent, from: tar, entry: entry)
            case .symbolicLink:
                try parent.removeTree(name)
                guard symlinkat(entry.linkTarget, parent.descriptor, name) == 0 else {
                    throw .fileSystem(operation: "create symlink", path: parent.describe(name), code: errno)
                }
                try parent.setAttributes(of: name, entry: entry, mode: false)
            case .hardLink:
                try link(name, in: parent, to: entry.linkTarget, entryPath: entry.path)
            case .fifo:
                try parent.removeTree(name)
                guard mkfifoat(parent.descriptor, name, 0o600) == 0 else {
                    throw .fileSystem(operation: "create fifo", path: parent.describe(name), code: errno)
                }
                try parent.setAttributes(of: name, entry: entry)
            case .characterDevice, .blockDevice, .unsupported:
                continue
            }
            written.insert(components.joined(separator: "/"))
        }
        // Directory times last: creating their children changed them.
        for (components, entry) in directoryTimes.reversed() {
            guard let name = components.last, let parent = try parentDirectory(Array(components.dropLast()), create: false) else { continue }
            if let existing = try parent.status(name), DirectoryHandle.isDirectory(existing) {
                try parent.setTime(of: name, seconds: entry.modificationTime, nanoseconds: entry.modificationNanoseconds)
            }
        }
    }

    /// The name's components without empty ones, `.`, or a leading `/`; `..` is refused.
    static func clean(_ path: String) throws(ImageError) -> [String] {
        let components = path.split(separator: "/").map(String.init).filter { $0 != "." }
        if components.contains("..") { throw .unsafeLayerEntry(path: path, reason: "`..` would leave the image root") }
        return components
    }

    /// The directory `components` name, resolved inside the root; created (0755) when missing and `create`.
    func parentDirectory(_ components: [String], create: Bool) throws(ImageError) -> DirectoryHandle? {
        if let handle = try root.resolveInRoot(components.joined(separator: "/")) { return handle }
        guard create else { return nil }
        var parent = try root.reopen()
        for index in components.indices {
            let prefix = components[...index].joined(separator: "/")
            if let next = try root.resolveInRoot(prefix) {
                parent = next
                continue
            }
            guard mkdirat(parent.descriptor, components[index], 0o755) == 0 || errno == EEXIST else {
                throw .fileSystem(operation: "create directory", path: root.describe(prefix), code: errno)
            }
            // Still missing after mkdir means a dangling symlink is in the way: fail closed.
            guard let next = try root.resolveInRoot(prefix) else {
                throw .unsafeLayerEntry(path: prefix, reason: "a dangling symlink is in the way of a parent directory")
            }
            parent = next
        }
        return parent
    }

    private func writeFile(_ name: String, in parent: DirectoryHandle, from tar: TarReader, entry: TarEntry) throws(ImageError) {
        let descriptor = openat(parent.descriptor, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .fileSystem(operation: "create", path: parent.describe(name), code: errno) }
        defer { close(descriptor) }
        try tar.readContent { (bytes) throws(ImageError) in
            var offset = 0
            while offset < bytes.count {
                let count = write(descriptor, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
                if count < 0 {
                    if errno == EINTR { continue }
                    throw .fileSystem(operation: "write", path: parent.describe(name), code: errno)
                }
                offset += count
            }
        }
        if geteuid() == 0 {
            guard fchown(descriptor, uid_t(truncatingIfNeeded: entry.uid), gid_t(truncatingIfNeeded: entry.gid)) == 0 else {
                throw .fileSystem(operation: "chown", path: parent.describe(name), code: errno)
            }
        }
        guard fchmod(descriptor, mode_t(entry.mode)) == 0 else {
            throw .fileSystem(operation: "chmod", path: parent.describe(name), code: errno)
        }
        let time = timespec(tv_sec: Int(entry.modificationTime), tv_nsec: entry.modificationNanoseconds)
        guard futimens(descriptor, [time, time]) == 0 else {
            throw .fileSystem(operation: "set times of", path: parent.describe(name), code: errno)
        }
    }

    /// A hardlink: the target is resolved inside the root, and must already exist there.
    private func link(_ name: String, in parent: DirectoryHandle, to target: String, entryPath: String) throws(ImageError) {
        let targetComponents = try Self.clean(target)
        guard let targetName = targetComponents.last,
            let targetParent = try parentDirectory(Array(targetComponents.dropLast()), create: false),
            let info = try targetParent.status(targetName)
        else {
            throw .unsafeLayerEntry(path: entryPath, reason: "hardlink target `\(target)` does not exist in the image")
        }
        guard !DirectoryHandle.isDirectory(info) else {
            throw .unsafeLayerEntry(path: entryPath, reason: "hardlink target `\(target)` is a directory")
        }
        if let existing = try parent.status(name), existing.st_dev == info.st_dev, existing.st_ino == info.st_ino { return }
        try parent.removeTree(name)
        guard linkat(targetParent.descriptor, targetName, parent.descriptor, name, 0) == 0 else {
            throw .fileSystem(operation: "hardlink", path: parent.describe(name), code: errno)
        }
    }

    private func applyWhiteout(name: String, in parentComponents: [String], written: Set<String>) throws(ImageError) {
        guard let parent = try parentDirectory(parentComponents, create: false) else { return }
        if name == ".wh..wh..opq" {
            try removeUnwritten(in: parent, path: parentComponents.joined(separator: "/"), written: written)
            return
        }
        let hidden = String(name.dropFirst(4))
        guard !hidden.isEmpty, hidden != ".", hidden != ".." else {
            throw .unsafeLayerEntry(path: (parentComponents + [name]).joined(separator: "/"), reason: "whiteout of an invalid name")
        }
        try parent.removeTree(hidden)
    }

    /// For an opaque directory: removes children that this layer did not write, recursively.
    private func removeUnwritten(in directory: DirectoryHandle, path: String, written: Set<String>) throws(ImageError) {
        for child in try directory.names() {
            let childPath = path.isEmpty ? child : path + "/" + child
            if !written.contains(childPath) {
                try directory.removeTree(child)
            } else if let info = try directory.status(child), DirectoryHandle.isDirectory(info) {
                try removeUnwritten(in: try directory.child(child), path: childPath, written: written)
            }
        }
    }
}
