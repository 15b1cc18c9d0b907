import Crypto
import Foundation
import LilypadImages
import Testing

/// The store's unpacker against `umoci raw unpack` (a safe OCI unpacker, Debian's umoci) on the
/// same layout: names, types, modes, owners, link targets, hardlinks and contents must agree.
@Suite(
    "Unpacking like umoci",
    .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/umoci"), "needs umoci (scripts/setup.sh installs it)"))
struct UmociDifferentialTests {
    static func layers() -> [TarBuilder] {
        let long = (1...6).map { "long-directory-name-\($0)" }.joined(separator: "/")
        var base = TarBuilder()
        base.directory("bin/", mode: 0o755)
        base.file("bin/suid", "s", mode: 0o4755, uid: 0, gid: 0)
        base.file("bin/owned", "o", mode: 0o640, uid: 1000, gid: 100)
        base.symlink("bin/sh", to: "suid")
        base.hardlink("bin/suid-hard", to: "bin/suid")
        base.directory("tmp/", mode: 0o1777)
        base.file("etc/old.conf", "old")
        base.file("data/a/one", "1")
        base.file("data/b", "2")
        base.directory("becomes-file/")
        base.file("becomes-dir", "f")
        base.symlink("dirlink", to: "data")
        base.fifo("run/pipe")
        base.pax(["path": long + "/file"])
        base.file("placeholder", "pax-named")
        var second = TarBuilder()
        second.file("etc/.wh.old.conf", "")
        second.file("etc/new.conf", "new", mode: 0o600)
        second.directory("data/")
        second.file("data/.wh..wh..opq", "")
        second.file("data/fresh", "3")
        second.file("becomes-file", "now a file")
        second.directory("becomes-dir/", mode: 0o700)
        second.file("becomes-dir/inside", "i")
        second.gnuLongName(long + "/gnu-named")
        second.file("placeholder2", "gnu")
        return [base, second]
    }

    struct Node: Hashable, CustomStringConvertible {
        var kind: UInt32
        var mode: UInt32
        var uid: UInt32
        var gid: UInt32
        var detail: String

        var description: String { "type \(String(kind, radix: 8)) mode \(String(mode, radix: 8)) \(uid):\(gid) \(detail)" }
    }

    /// Path → node, plus the groups of hardlinked paths.
    static func snapshot(_ root: URL) throws -> (nodes: [String: Node], hardlinks: Set<Set<String>>) {
        var nodes: [String: Node] = [:]
        var inodes: [UInt64: Set<String>] = [:]
        for path in try FileManager.default.subpathsOfDirectory(atPath: root.path) {
            let full = root.appendingPathComponent(path).path
            var info = stat()
            guard lstat(full, &info) == 0 else { continue }
            var detail = ""
            switch info.st_mode & S_IFMT {
            case S_IFREG:
                detail = SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: full))).description
                inodes[UInt64(info.st_ino), default: []].insert(path)
            case S_IFLNK:
                detail = try FileManager.default.destinationOfSymbolicLink(atPath: full)
            default:
                break
            }
            nodes[path] = Node(kind: info.st_mode & S_IFMT, mode: info.st_mode & 0o7777, uid: info.st_uid, gid: info.st_gid, detail: detail)
        }
        return (nodes, Set(inodes.values.filter { $0.count > 1 }))
    }

    @Test(.enabled(if: geteuid() == 0, "umoci keeps owners only as root")) func treeMatchesUmoci() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("umoci-diff-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var layout = try OCILayoutWriter(at: folder.appendingPathComponent("layout"))
        try layout.addImage(layers: Self.layers(), gzip: true, refName: "1")
        let umociRoot = folder.appendingPathComponent("umoci")
        let output = try Oracle.run("/usr/bin/umoci", ["raw", "unpack", "--image", "\(layout.url.path):1", umociRoot.path])
        try #require(output.status == 0, "\(output.stderr)")

        let image = try ImageStore(root: folder.appendingPathComponent("store")).importOCILayout(at: layout.url, reference: "diff/test:1")
        let ours = try Self.snapshot(image.rootfs)
        let theirs = try Self.snapshot(umociRoot)
        #expect(theirs.nodes.count > 20, "the comparison covers the whole image")
        #expect(Set(ours.nodes.keys) == Set(theirs.nodes.keys))
        for (path, node) in theirs.nodes where ours.nodes[path] != node {
            Issue.record("\(path): ours \(ours.nodes[path].map(\.description) ?? "missing"), umoci \(node)")
        }
        #expect(ours.hardlinks == theirs.hardlinks)
        #expect(ours.nodes["data/fresh"] != nil && ours.nodes["data/a"] == nil)
    }
}
