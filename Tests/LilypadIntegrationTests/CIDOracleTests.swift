import Foundation
import LilypadCrypto
import Testing

/// `lilypad cid` against aleph-cid, a kubo-compatible UnixFS implementation from PyPI.
///
/// aleph-cid hashes a set of files, so it drops empty folders, skips symbolic links and always
/// includes hidden files; the trees here avoid those three (unit tests cover kubo's behaviour for
/// them).
@Suite("aleph-cid oracle", .serialized)
struct CIDOracleTests {
    let root: String

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("cid-oracle-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    func write(_ relative: String, size: Int, generator: inout SeededGenerator) throws -> String {
        let path = root + "/" + relative
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var bytes = [UInt8](repeating: 0, count: size)
        for index in stride(from: 0, to: size, by: 8) {
            let word = generator.next()
            for offset in 0..<min(8, size - index) { bytes[index + offset] = UInt8(truncatingIfNeeded: word >> UInt64(offset * 8)) }
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// What aleph-cid says for each path: `compute_cid` for files, `hash_folder(…, cid_version=0)` for folders.
    func aleph(_ paths: [String]) throws -> [String] {
        let script = """
            import aleph_cid, os, sys
            for p in sys.argv[1:]:
                print(aleph_cid.hash_folder(p, cid_version=0) if os.path.isdir(p) else aleph_cid.compute_cid(open(p, 'rb').read()))
            """
        return try Oracle.python(["-c", script] + paths, modules: ["aleph_cid"]).split(separator: "\n").map(String.init)
    }

    func ours(_ path: String) throws -> String {
        let output = try Oracle.lilypad(["cid", path])
        #expect(output.status == 0, "lilypad cid \(path): \(output.stderr)")
        return output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func singleFiles() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        var generator = SeededGenerator(seed: SeededGenerator.configuredSeed)
        let chunk = UnixFS.chunkSize
        var sizes = [
            0, 1, 6, chunk - 1, chunk, chunk + 1, 2 * chunk, 5 * 1_048_576 + 123,
            // more than 174 chunks: a two-level balanced tree
            UnixFS.maxLinksPerNode * chunk + 7,
        ]
        sizes += (0..<8).map { _ in Int.random(in: 0..<(3 * chunk), using: &generator) }
        let paths = try sizes.enumerated().map { try write("file-\($0.offset)", size: $0.element, generator: &generator) }
        let expected = try aleph(paths)
        for (index, path) in paths.enumerated() {
            #expect(try ours(path) == expected[index], "file of \(sizes[index]) bytes")
        }
    }

    @Test func nestedFolders() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        var generator = SeededGenerator(seed: SeededGenerator.configuredSeed &+ 1)
        _ = try write("tree/stdout", size: 0, generator: &generator)
        _ = try write("tree/exitCode", size: 1, generator: &generator)
        _ = try write("tree/outputs/result.bin", size: UnixFS.chunkSize + 5, generator: &generator)
        _ = try write("tree/outputs/nested/deeper/x.txt", size: 300, generator: &generator)
        _ = try write("tree/outputs/nested/with space é 中.txt", size: 42, generator: &generator)
        _ = try write("tree/outputs/nested/Upper", size: 3, generator: &generator)
        _ = try write("tree/outputs/nested/lower", size: 3, generator: &generator)
        for index in 0..<250 {
            _ = try write("tree/many/f\(index)", size: Int.random(in: 0..<5000, using: &generator), generator: &generator)
        }
        let folders = ["tree", "tree/outputs", "tree/outputs/nested", "tree/many"].map { root + "/" + $0 }
        let expected = try aleph(folders)
        for (index, folder) in folders.enumerated() {
            #expect(try ours(folder) == expected[index], "\(folder)")
        }
    }

    @Test func missingPathIsAClearError() throws {
        let output = try Oracle.lilypad(["cid", root + "/does-not-exist"])
        #expect(output.status == 1)
        #expect(output.stderr.contains("no such file or directory"))
    }
}
