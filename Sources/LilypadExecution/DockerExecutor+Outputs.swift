import Foundation
import LilypadCore

#if canImport(Glibc)
    import Glibc
#endif

/// A job's `/outputs` on the host: a folder with a size-capped tmpfs mounted on it.
struct OutputsMount: Sendable {
    /// The job's scratch folder (mode 0700), holding ``directory``.
    let folder: URL
    /// What is bound at `/outputs`.
    let directory: URL
    /// Whether the tmpfs is mounted; when not, ``mountError`` says why.
    let isCapped: Bool
    let mountError: String?

    /// Makes `<scratch>/<job>-<random>/outputs` and mounts a tmpfs of `size` bytes on it.
    static func make(in scratch: URL, job: String, size: ByteCount) throws(ExecutionError) -> OutputsMount {
        let fm = FileManager.default
        let folder = scratch.appendingPathComponent("\(job)-\(UUID().uuidString.prefix(8))")
        let directory = folder.appendingPathComponent("outputs")
        do {
            try fm.createDirectory(at: scratch, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try fm.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try fm.setAttributes([.posixPermissions: 0o700], ofItemAtPath: folder.path)
        } catch {
            throw .setupFailed(step: "make the job's outputs folder under \(scratch.path)", reason: "\(error)")
        }
        // tmpfs reads size=0 as "no limit", so the smallest cap is one page.
        let bytes = max(size.value, 4096)
        // Mode 0777 so that a job running as any user can write; the 0700 parent keeps other host users out.
        let flags = UInt(MS_NOSUID) | UInt(MS_NODEV)
        if mount("lilypad-outputs", directory.path, "tmpfs", flags, "size=\(bytes),mode=0777") == 0 {
            return OutputsMount(folder: folder, directory: directory, isCapped: true, mountError: nil)
        }
        let reason = String(cString: strerror(errno))
        try? fm.setAttributes([.posixPermissions: 0o777], ofItemAtPath: directory.path)
        return OutputsMount(folder: folder, directory: directory, isCapped: false, mountError: "mount: \(reason)")
    }

    /// Unmounts the tmpfs (lazily, should the engine still hold it) and removes the folder.
    func remove() {
        if isCapped { _ = umount2(directory.path, Int32(MNT_DETACH)) }
        try? FileManager.default.removeItem(at: folder)
    }
}

extension DockerExecutor {
    /// Copies what the job left in `/outputs` into `destination` (created if missing): folders and
    /// regular files only. Symbolic links, devices, sockets and pipes are skipped, so that nothing
    /// reading the outputs later is led outside them; each skip is returned as a warning.
    static func copyOutputs(from source: URL, to destination: URL) throws -> [String] {
        let fm = FileManager.default
        try fm.createDirectory(at: destination, withIntermediateDirectories: true)
        var warnings: [String] = []
        func copy(_ from: URL, _ to: URL, relative: String) throws {
            for name in try fm.contentsOfDirectory(atPath: from.path).sorted() {
                let item = from.appendingPathComponent(name)
                let target = to.appendingPathComponent(name)
                let path = relative.isEmpty ? name : "\(relative)/\(name)"
                var info = stat()
                guard lstat(item.path, &info) == 0 else { continue }
                switch info.st_mode & S_IFMT {
                case S_IFDIR:
                    var isDirectory: ObjCBool = false
                    if !(fm.fileExists(atPath: target.path, isDirectory: &isDirectory) && isDirectory.boolValue) {
                        try? fm.removeItem(at: target)
                        try fm.createDirectory(at: target, withIntermediateDirectories: false)
                    }
                    try copy(item, target, relative: path)
                case S_IFREG:
                    if (try? fm.attributesOfItem(atPath: target.path)) != nil { try fm.removeItem(at: target) }
                    try fm.copyItem(at: item, to: target)
                case S_IFLNK:
                    warnings.append("outputs: skipped the symbolic link \(path)")
                default:
                    warnings.append("outputs: skipped \(path), which is not a regular file or folder")
                }
            }
        }
        try copy(source, destination, relative: "")
        return warnings
    }
}
