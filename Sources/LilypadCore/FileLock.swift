import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An advisory lock on a file (`flock(2)`), held across processes. The kernel releases it when
/// the holder exits, even by SIGKILL, so a crashed process never leaves a stale lock.
public final class FileLock {
    /// Who else may hold the lock at the same time.
    public enum Mode: Sendable {
        /// Any number of shared holders, but no exclusive one.
        case shared
        /// One holder only.
        case exclusive
    }

    /// Why a lock could not be taken.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The lock file.
        public var path: String
        /// The `errno` of the failing call.
        public var code: Int32

        public var description: String { "cannot lock \(path): \(String(cString: strerror(code)))" }
    }

    private let descriptor: Int32
    /// The lock file.
    public let path: String

    /// Blocks until the lock on `path` is held (creating the file and its folder if needed).
    public convenience init(path: String, mode: Mode = .exclusive) throws(Failure) {
        try self.init(path: path, mode: mode, wait: true)
    }

    /// The lock on `path` if nobody else holds it now; `nil` if someone does.
    public static func attempt(path: String, mode: Mode = .exclusive) throws(Failure) -> FileLock? {
        do { return try FileLock(path: path, mode: mode, wait: false) } catch  where error.code == EWOULDBLOCK { return nil }
    }

    private init(path: String, mode: Mode, wait: Bool) throws(Failure) {
        self.path = path
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Failure(path: path, code: errno) }
        while flock(descriptor, (mode == .shared ? LOCK_SH : LOCK_EX) | (wait ? 0 : LOCK_NB)) != 0 {
            let code = errno
            guard code == EINTR else {
                close(descriptor)
                throw Failure(path: path, code: code)
            }
        }
    }

    deinit {
        _ = flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
