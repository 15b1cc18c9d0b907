import Foundation
import LilypadCore
import LilypadTestSupport
import Testing

@testable import LilypadImages

@Suite struct TarReaderTests {
    struct Read: Equatable {
        var path: String
        var kind: TarEntry.Kind
        var link: String
        var contents: String
    }

    func read(_ file: URL) throws -> [Read] {
        let reader = TarReader(stream: try LayerStream(path: file.path, what: "test"), what: "test")
        var result: [Read] = []
        while let entry = try reader.next() {
            var data: [UInt8] = []
            try reader.readContent { (bytes) throws(ImageError) in data += bytes }
            result.append(Read(path: entry.path, kind: entry.kind, link: entry.linkTarget, contents: String(decoding: data, as: UTF8.self)))
        }
        return result
    }

    func temporaryFile() -> URL { FileManager.default.temporaryDirectory.appendingPathComponent("tar-\(UUID().uuidString)") }

    @Test(arguments: [false, true])
    func longNamesFromPAXAndGNUAndUstarPrefix(gzip: Bool) throws {
        let long = String(repeating: "d", count: 120) + "/" + String(repeating: "f", count: 130)
        var tar = TarBuilder()
        tar.pax(["path": long, "mtime": "1700000000.25"])
        tar.file("ignored-short-name", "pax")
        tar.gnuLongName(long + "-gnu")
        tar.file("ignored", "gnu")
        tar.gnuLongLink("/" + long)
        tar.symlink("link", to: "short")
        tar.entry("name.txt", type: "0", contents: Array("ustar".utf8), prefix: "some/prefix")
        tar.pax(["linkpath": "pax-target", "size": "3"])
        tar.entry("sized", type: "0", contents: Array("abc".utf8))
        tar.directory("dir/")
        tar.hardlink("hard", to: "sized")
        let file = temporaryFile()
        defer { try? FileManager.default.removeItem(at: file) }
        try tar.write(to: file, gzip: gzip)
        let entries = try read(file)
        #expect(
            entries == [
                Read(path: long, kind: .regular, link: "", contents: "pax"),
                Read(path: long + "-gnu", kind: .regular, link: "", contents: "gnu"),
                Read(path: "link", kind: .symbolicLink, link: "/" + long, contents: ""),
                Read(path: "some/prefix/name.txt", kind: .regular, link: "", contents: "ustar"),
                Read(path: "sized", kind: .regular, link: "pax-target", contents: "abc"),
                Read(path: "dir/", kind: .directory, link: "", contents: ""),
                Read(path: "hard", kind: .hardLink, link: "sized", contents: ""),
            ])
        #expect(try LayerStream(path: file.path, what: "t").compression == (gzip ? .gzip : .none))
    }

    /// Archives written by GNU tar in its `posix` (PAX) and `gnu` formats, with names too long for ustar.
    @Test(arguments: ["posix", "gnu"])
    func readsGNUTarOutput(format: String) throws {
        let folder = temporaryFile()
        defer { try? FileManager.default.removeItem(at: folder) }
        let deep = (1...8).map { "directory-number-\($0)" }.joined(separator: "/")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("src/" + deep), withIntermediateDirectories: true)
        try "hello".write(to: folder.appendingPathComponent("src/\(deep)/file-with-a-long-name.txt"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(
            atPath: folder.appendingPathComponent("src/l").path, withDestinationPath: deep + "/file-with-a-long-name.txt")
        let archive = folder.appendingPathComponent("a.tar.gz")
        let tar = try ExternalCommand("tar", ["--format=\(format)", "-czf", archive.path, "-C", folder.appendingPathComponent("src").path, "."]).run()
        #expect(tar.status == 0, "\(tar.stderr)")
        let entries = try read(archive)
        let file = try #require(entries.first { $0.path.hasSuffix("file-with-a-long-name.txt") })
        #expect(file.path == "./\(deep)/file-with-a-long-name.txt")
        #expect(file.contents == "hello")
        #expect(entries.contains(Read(path: "./l", kind: .symbolicLink, link: deep + "/file-with-a-long-name.txt", contents: "")))
    }

    @Test func rejectsCorruptHeadersAndTruncation() throws {
        var tar = TarBuilder()
        tar.file("a", String(repeating: "x", count: 2000))
        let file = temporaryFile()
        defer { try? FileManager.default.removeItem(at: file) }
        var bytes = tar.archive
        bytes[10] ^= 0xff
        try Data(bytes).write(to: file)
        #expect(throws: ImageError.invalidArchive(what: "test", reason: "header checksum mismatch (not a tar archive?)")) { try read(file) }
        try Data(tar.archive.prefix(1000)).write(to: file)
        #expect(throws: ImageError.invalidArchive(what: "test", reason: "the archive ends inside a member")) { try read(file) }
    }

    @Test func zstdLayersAreReadAndTruncationIsCaught() throws {
        var tar = TarBuilder()
        tar.file("a", String(repeating: "zstd content ", count: 1000))
        tar.symlink("b", to: "a")
        let file = temporaryFile()
        defer { try? FileManager.default.removeItem(at: file) }
        try tar.write(to: file)
        let zstd = try? ExternalCommand("zstd", ["-q", "-f", file.path, "-o", file.path + ".zst"]).run()
        try #require(zstd?.status == 0, "needs the zstd tool")
        defer { try? FileManager.default.removeItem(atPath: file.path + ".zst") }
        let compressed = URL(fileURLWithPath: file.path + ".zst")
        let stream = try LayerStream(path: compressed.path, what: "t")
        #expect(stream.compression == .zstd)
        let reader = TarReader(stream: stream, what: "t")
        var names: [String] = []
        while let entry = try reader.next() { names.append(entry.path) }
        #expect(names == ["a", "b"])
        #expect(try stream.finish() == Digest.sha256(of: tar.archive))

        let bytes = try Data(contentsOf: compressed)
        try bytes.prefix(bytes.count - 8).write(to: compressed)
        #expect(throws: ImageError.invalidArchive(what: "t", reason: "the zstd data ends too early")) {
            let stream = try LayerStream(path: compressed.path, what: "t")
            _ = try stream.finish()
        }
    }

    @Test func otherCompressionsAreRefusedClearly() throws {
        let file = temporaryFile()
        defer { try? FileManager.default.removeItem(at: file) }
        try Data([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0, 0]).write(to: file)
        #expect(throws: ImageError.unsupportedCompression("xz")) { try LayerStream(path: file.path, what: "t") }
        #expect(ImageError.unsupportedCompression("xz").description == "xz layers are not supported yet")
    }

    @Test func diffIDCoversTheWholeUncompressedStream() throws {
        var tar = TarBuilder()
        tar.file("a", "content")
        let file = temporaryFile()
        defer { try? FileManager.default.removeItem(at: file) }
        try tar.write(to: file, gzip: true)
        let stream = try LayerStream(path: file.path, what: "t")
        let reader = TarReader(stream: stream, what: "t")
        while try reader.next() != nil {}
        #expect(try stream.finish() == Digest.sha256(of: tar.archive))
    }
}
