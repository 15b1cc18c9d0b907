import Foundation

extension ImageStore {
    /// What ``ImageStore/garbageCollect()`` removed.
    public struct CollectionReport: Sendable, Hashable {
        public var removedBlobs: Int
        public var removedRootfs: Int
        /// Bytes of the removed blobs and root filesystems' regular files.
        public var freedBytes: Int64
    }

    /// Removes blobs no image needs, root filesystems without an image, and abandoned temporary
    /// files. Waits for pulls and imports in progress (in any process) to finish first.
    @discardableResult
    public func garbageCollect() throws(ImageError) -> CollectionReport {
        let collection = try collectionLock(.exclusive)
        defer { withExtendedLifetime(collection) {} }
        let lock = try indexLock()
        defer { withExtendedLifetime(lock) {} }
        let records = try allRecords()
        let live = Set(records.flatMap(\.blobs).map(\.hex))
        let liveRootfs = Set(records.map(\.manifestDigest.hex))
        var report = CollectionReport(removedBlobs: 0, removedRootfs: 0, freedBytes: 0)
        let blobs = root.appendingPathComponent("blobs/sha256")
        for name in (try? FileManager.default.contentsOfDirectory(atPath: blobs.path)) ?? [] where !live.contains(name) {
            var info = stat()
            let path = blobs.appendingPathComponent(name).path
            if lstat(path, &info) == 0, unlink(path) == 0 {
                report.removedBlobs += 1
                report.freedBytes += Int64(info.st_size)
            }
        }
        let rootfs = root.appendingPathComponent("rootfs")
        let handle = try DirectoryHandle(opening: rootfs.path)
        for name in try handle.names() where !liveRootfs.contains(name) {
            var seen: Set<[UInt64]> = []
            if let info = try handle.status(name), DirectoryHandle.isDirectory(info) {
                report.freedBytes += try handle.child(name).regularFileBytes(seen: &seen)
            }
            try handle.removeTree(name)
            report.removedRootfs += 1
        }
        let temporary = try DirectoryHandle(opening: temporaryURL.path)
        for name in try temporary.names() { try temporary.removeTree(name) }
        return report
    }
}
