import CLinuxSupport
import Foundation
import LilypadCore

/// A job's `/outputs`: a size-capped tmpfs on the host (the hard cap), owned by the job's uid,
/// inside a private scratch folder. Afterwards its contents are copied out without following
/// symlinks, and it is unmounted and removed.
final class OutputsMount: Sendable {
    /// The scratch folder (mode 0711: the job's uid may pass through to the mount, nobody may list it).
    let scratch: String
    /// The tmpfs mount point.
    let path: String

    /// `mode` is the mount's root folder mode: 0755 with `owner` the job's uid (the sandbox), or 0777
    /// where the job's uid is not known in advance (a container engine running the image's user).
    /// The scratch folder is made in `parent` (default: the temporary folder), named after the job.
    init(jobName: String, size: ByteCount, owner: uid_t, mode: Int = 0o755, in parent: URL? = nil) throws(ExecutionError) {
        let pattern: String
        if let parent {
            try? FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            pattern = parent.appendingPathComponent("\(jobName)-XXXXXX").path
        } else {
            let base = NSTemporaryDirectory().hasSuffix("/") ? NSTemporaryDirectory() : NSTemporaryDirectory() + "/"
            pattern = "\(base)lilypad-sandbox-\(jobName)-XXXXXX"
        }
        var template = Array(pattern.utf8CString)
        let made: String? = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.flatMap { mkdtemp($0) }.map { String(cString: $0) }
        }
        guard let made else { throw .setupFailed(step: "create the job's scratch folder", reason: String(cString: strerror(errno))) }
        scratch = made
        path = scratch + "/outputs"
        chmod(scratch, 0o711)
        guard mkdir(path, 0o700) == 0 else {
            let reason = String(cString: strerror(errno))
            rmdir(scratch)
            throw .setupFailed(step: "create the job's outputs mount point", reason: reason)
        }
        let bytes = max(4096, size.value)
        let inodes = max(1024, bytes / 4096)
        let options = "size=\(bytes),nr_inodes=\(inodes),mode=\(String(mode, radix: 8)),uid=\(owner),gid=\(owner)"
        guard lp_mount_tmpfs("lilypad-outputs-\(jobName)", path, options) == 0 else {
            let reason = String(cString: strerror(errno))
            rmdir(path)
            rmdir(scratch)
            throw .setupFailed(step: "mount the job's outputs tmpfs at \(path)", reason: reason)
        }
    }

    /// Copies what the job left in `/outputs` to `destination`: folders, regular files (mode bits
    /// without setuid/setgid/sticky) and symlinks as symlinks; devices, FIFOs and sockets are skipped.
    /// Entries that cannot be read (too deep a path...) are skipped and returned as `path: reason`;
    /// failing to write `destination` throws.
    @discardableResult
    func copy(to destination: URL) throws(ExecutionError) -> [String] {
        try Self.copy(from: path, to: destination).map { $0.replacingOccurrences(of: path, with: "/outputs") }
    }

    /// Copies the tree at `source` (a job's folder, read without following symlinks) to
    /// `destination` as ``copy(to:)`` does; returns what was skipped, with host paths.
    static func copy(from source: String, to destination: URL) throws(ExecutionError) -> [String] {
        do {
            try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
        } catch {
            throw .setupFailed(step: "create the outputs folder \(destination.path)", reason: error.localizedDescription)
        }
        var skipped: [String] = []
        try copyTree(from: source, to: destination.path, depth: 0, skipped: &skipped)
        return skipped
    }

    /// How many folder levels are copied; deeper ones are skipped (a job can nest folders past PATH_MAX).
    static let maximumDepth = 64

    private static func copyTree(from source: String, to destination: String, depth: Int, skipped: inout [String]) throws(ExecutionError) {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: source) } catch {
            skipped.append("\(source): \(error.localizedDescription)")
            return
        }
        for name in names.sorted() {
            let from = "\(source)/\(name)", to = "\(destination)/\(name)"
            guard to.utf8.count < Int(PATH_MAX) - 1, from.utf8.count < Int(PATH_MAX) - 1 else {
                skipped.append("\(from): the path is too long")
                continue
            }
            var info = stat()
            guard lstat(from, &info) == 0 else {
                skipped.append("\(from): \(String(cString: strerror(errno)))")
                continue
            }
            let mode = mode_t(info.st_mode & 0o777)
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                guard depth < maximumDepth else {
                    skipped.append("\(from): more than \(maximumDepth) folders deep")
                    continue
                }
                var existing = stat()
                if lstat(to, &existing) == 0, existing.st_mode & S_IFMT != S_IFDIR { unlink(to) }
                if mkdir(to, 0o755) != 0 && errno != EEXIST {
                    throw .setupFailed(step: "create \(to)", reason: String(cString: strerror(errno)))
                }
                try copyTree(from: from, to: to, depth: depth + 1, skipped: &skipped)
                chmod(to, mode | 0o700)
            case S_IFREG:
                if let problem = try copyFile(from: from, to: to, mode: mode) { skipped.append("\(from): \(problem)") }
            case S_IFLNK:
                guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: from) else { continue }
                unlink(to)
                if symlink(target, to) != 0 { throw .setupFailed(step: "create the symlink \(to)", reason: String(cString: strerror(errno))) }
            default:
                continue
            }
        }
    }

    /// Copies one file; returns why the job's file could not be read, and throws when `to` cannot be written.
    private static func copyFile(from: String, to: String, mode: mode_t) throws(ExecutionError) -> String? {
        let input = open(from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard input >= 0 else { return String(cString: strerror(errno)) }
        defer { close(input) }
        var existing = stat()
        if lstat(to, &existing) == 0, existing.st_mode & S_IFMT != S_IFREG { _ = try? FileManager.default.removeItem(atPath: to) }
        let output = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode)
        guard output >= 0 else { throw .setupFailed(step: "write the output \(to)", reason: String(cString: strerror(errno))) }
        defer { close(output) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { return String(cString: strerror(errno)) }
            if count == 0 { break }
            var offset = 0
            while offset < count {
                let written = buffer.withUnsafeBytes { write(output, $0.baseAddress.map { $0 + offset }, count - offset) }
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { throw .setupFailed(step: "write the output \(to)", reason: String(cString: strerror(errno))) }
                offset += written
            }
        }
        fchmod(output, mode)
        return nil
    }

    /// Where ``bindRootfs(_:)`` mounts the image's root.
    var rootfsPath: String { scratch + "/rootfs" }

    /// Makes the image's root reachable by the job's unprivileged uid, whatever the permissions of
    /// the folders above it (a store under `/root` or a 0700 temporary folder): a read-only bind
    /// mount inside this scratch folder, which the uid may traverse. Returns the mount point.
    func bindRootfs(_ source: URL) throws(ExecutionError) -> String {
        guard mkdir(rootfsPath, 0o755) == 0 || errno == EEXIST else {
            throw .setupFailed(step: "create the job's root mount point", reason: String(cString: strerror(errno)))
        }
        guard lp_bind_readonly(source.path, rootfsPath) == 0 else {
            let reason = String(cString: strerror(errno))
            rmdir(rootfsPath)
            throw .setupFailed(step: "bind the image's root at \(rootfsPath)", reason: reason)
        }
        return rootfsPath
    }

    /// Binds the job's input files read-only at `<scratch>/inputs`, where the job's uid can reach
    /// them (the folder itself may be in a home it cannot pass through); returns that path.
    func bindInputs(_ source: URL) throws(ExecutionError) -> String {
        let path = scratch + "/inputs"
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else {
            throw .setupFailed(step: "create the job's inputs mount point", reason: String(cString: strerror(errno)))
        }
        guard lp_bind_readonly(source.path, path) == 0 else {
            let reason = String(cString: strerror(errno))
            rmdir(path)
            throw .setupFailed(step: "bind the job's input files \(source.path) at \(path)", reason: reason)
        }
        return path
    }

    /// Unmounts the tmpfs (and the image's root, if bound) and removes the scratch folder; returns
    /// what could not be removed.
    @discardableResult
    func remove() -> [String] {
        var left: [String] = []
        Self.unbindRootfs(in: scratch)
        if lp_umount(path, 0) != 0 && errno != EINVAL && errno != ENOENT {
            if lp_umount(path, 1) != 0 && errno != EINVAL { left.append(path) }
        }
        rmdir(path)
        rmdir(scratch)
        if FileManager.default.fileExists(atPath: scratch) { left.append(scratch) }
        return left
    }

    /// Unmounts and removes `<scratch>/rootfs` and `<scratch>/inputs` if they are there (also for
    /// scratch folders a killed agent left).
    static func unbindRootfs(in scratch: String) {
        for path in [scratch + "/rootfs", scratch + "/inputs"] {
            guard FileManager.default.fileExists(atPath: path) else { continue }
            if lp_umount(path, 0) != 0 && errno != EINVAL && errno != ENOENT { _ = lp_umount(path, 1) }
            rmdir(path)
        }
    }
}
