import Foundation

/// Hands out job slots, each with its own host uid (`firstUID + slot`), so that processes,
/// signals, files and `RLIMIT_NPROC` never cross between concurrent jobs.
///
/// A slot is held with `flock` on `<directory>/slot-<n>.lock`, so agents in different processes
/// on the same host never share a uid either; the lock goes with the process if it dies.
public struct SlotAllocator: Sendable {
    /// A held slot; ``release()`` gives it back.
    public final class Slot: Sendable {
        public let index: Int
        public let uid: uid_t
        private let descriptor: Int32

        init(index: Int, uid: uid_t, descriptor: Int32) {
            self.index = index
            self.uid = uid
            self.descriptor = descriptor
        }

        /// Gives the slot back (closing the lock file releases the lock).
        public func release() { close(descriptor) }
    }

    public var directory: String
    public var firstUID: uid_t
    public var count: Int

    public init(directory: String = "/run/lilypad/sandbox-slots", firstUID: uid_t = 60001, count: Int = 256) {
        self.directory = directory
        self.firstUID = firstUID
        self.count = count
    }

    /// Takes the lowest free slot.
    public func acquire() throws(ExecutionError) -> Slot {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .setupFailed(step: "create the slot folder \(directory)", reason: error.localizedDescription)
        }
        for index in 0..<count {
            let fd = open("\(directory)/slot-\(index).lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
            guard fd >= 0 else { throw .setupFailed(step: "open the slot lock in \(directory)", reason: String(cString: strerror(errno))) }
            if flock(fd, LOCK_EX | LOCK_NB) == 0 {
                return Slot(index: index, uid: firstUID + uid_t(index), descriptor: fd)
            }
            close(fd)
        }
        throw .setupFailed(step: "find a free job slot", reason: "all \(count) slots are busy")
    }

    /// Takes slot `index` if nobody holds it (for cleaning up after an agent that died).
    public func tryAcquire(_ index: Int) -> Slot? {
        guard index >= 0, index < count else { return nil }
        let fd = open("\(directory)/slot-\(index).lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { return nil }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            return nil
        }
        return Slot(index: index, uid: firstUID + uid_t(index), descriptor: fd)
    }
}
