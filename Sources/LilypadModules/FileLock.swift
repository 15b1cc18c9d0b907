import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An exclusive advisory lock on a file (`flock(2)`), held across processes. The kernel releases
/// it when the holder exits, even by SIGKILL, so a crashed process never leaves a stale lock.
final class FileLock {
    private let descriptor: Int32
    let path: String

    /// Blocks until the lock on `path` is held (creating the file if needed).
    init(path: String) throws(ModuleError) {
        self.path = path
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .lockTimeout(path: path) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else {
                close(descriptor)
                throw .lockTimeout(path: path)
            }
        }
    }

    deinit {
        _ = flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
