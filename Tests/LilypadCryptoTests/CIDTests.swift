import Foundation
import Testing

@testable import LilypadCrypto

@Suite("Base58, CIDs and UnixFS")
struct CIDTests {
    @Test(arguments: [
        ([UInt8](), ""), ([0], "1"), ([0, 0, 1], "112"), (Array("hello world".utf8), "StV1DL6CwTryKyV"),
        (
            [
                0x00, 0x01, 0x09, 0x66, 0x77, 0x60, 0x06, 0x95, 0x3D, 0x55, 0x67, 0x43, 0x9E, 0x5E, 0x39, 0xF8, 0x6A, 0x0D, 0x27, 0x3B, 0xEE, 0xD6,
                0x19, 0x67, 0xF6,
            ],
            "16UwLL9Risc3QfPqBUvKofHmBQ7wMtjvM"
        ),
    ])
    func base58(bytes: [UInt8], text: String) throws {
        #expect(Base58.encode(bytes) == text)
        #expect(try Base58.decode(text) == bytes)
    }

    @Test func base58RejectsForeignCharacters() {
        #expect(throws: CryptoError.malformedBase58("0OIl")) { try Base58.decode("0OIl") }
    }

    @Test func emptyFileAndDirectory() {
        var builder = UnixFS.FileBuilder()
        builder.append([UInt8]())
        #expect(builder.finish().cid.description == "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH")
        let directory = UnixFS.directory(entries: [])
        #expect(directory.cid.description == "QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn")
        #expect(directory.cid.v1.description == "bafybeiczsscdsbs7ffqz55asqdf3smv6klcw3gofszvwlyarci47bgf354")
    }

    @Test func cidParsingRoundTrips() throws {
        for text in ["QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn", "bafybeiczsscdsbs7ffqz55asqdf3smv6klcw3gofszvwlyarci47bgf354"] {
            #expect(try CID(parsing: text).description == text)
        }
        #expect(
            try CID(parsing: "bafybeiczsscdsbs7ffqz55asqdf3smv6klcw3gofszvwlyarci47bgf354").multihash
                == CID(parsing: "QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn").multihash)
        #expect(CID("Qmnotacid") == nil)
        #expect(CID("xyz") == nil)
    }

    @Test func lilypadModuleConfigVector() {
        // Reference §2.1: the dag-pb node's Data is the JSON itself.
        let json = #"{"name":"","repo":"https://github.com/lilypad-tech/lilypad-module-cowsay","hash":"v0.0.4","path":"/lilypad_module.json.tmpl"}"#
        #expect(CID.dagPB(block: DagPB.encode(data: Array(json.utf8))).description == "QmVvTRUBJiiUmEp3P1ubU3djgsbABdF3xswouVpM21rCto")
    }

    @Test func streamingFileBuilderIsChunkingIndependent() {
        let bytes = (0..<(UnixFS.chunkSize * 3 + 17)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        var whole = UnixFS.FileBuilder()
        whole.append(bytes)
        var pieces = UnixFS.FileBuilder()
        for start in stride(from: 0, to: bytes.count, by: 100_003) { pieces.append(bytes[start..<min(start + 100_003, bytes.count)]) }
        let a = whole.finish(), b = pieces.finish()
        #expect(a == b)
        #expect(a.fileSize == UInt64(bytes.count))
    }

    @Test func directoryWithEmptyFolderAndSymlink() throws {
        // kubo keeps empty folders and adds symlinks as UnixFS symlink nodes; check the structure.
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cid-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/empty", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root + "/link", withDestinationPath: "target")
        try Data(".".utf8).write(to: URL(fileURLWithPath: root + "/.hidden"))
        let expected = UnixFS.directory(entries: [("empty", UnixFS.directory(entries: [])), ("link", UnixFS.symlink(target: "target"))])
        #expect(try UnixFS.add(path: root) == expected)
        #expect(try UnixFS.add(path: root, options: .init(includeHidden: true)) != expected)
        #expect(throws: UnixFS.ImportError.notFound(root + "/missing")) { try UnixFS.add(path: root + "/missing") }
    }
}
