import Foundation
import LilypadTestSupport
import Testing

@testable import LilypadImages

@Suite struct ImageStoreTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("image-store-\(UUID().uuidString)")

    static func layers() -> [TarBuilder] {
        var base = TarBuilder()
        base.directory("bin/")
        base.file("bin/tool", "#!/bin/sh\necho hi\n", mode: 0o755)
        base.file("bin/vi", "vi")
        base.file("data/keep.txt", "keep")
        base.file("etc/passwd", "root:x:0:0::/:/bin/sh\n")
        var second = TarBuilder()
        second.file("bin/.wh.vi", "")
        second.directory("data/")
        second.file("data/.wh..wh..opq", "")
        second.file("data/after-opaque.txt", "after")
        second.hardlink("bin/tool-link", to: "bin/tool")
        return [base, second]
    }

    func tree(_ url: URL) throws -> Set<String> { Set(try FileManager.default.subpathsOfDirectory(atPath: url.path)) }

    @Test(arguments: [false, true])
    func importsAnOCILayoutAndFindsItEveryWay(gzip: Bool) throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        var layout = try OCILayoutWriter(at: folder.appendingPathComponent("layout"))
        let written = try layout.addImage(layers: Self.layers(), gzip: gzip, refName: "1")
        let store = try ImageStore(root: folder.appendingPathComponent("store"))
        let image = try store.importOCILayout(at: layout.url, reference: "example.com/tiny/job:1")
        #expect(image.manifestDigest.description == written.digest)
        #expect(image.configDigest.description == written.configDigest)
        #expect(image.references == ["example.com/tiny/job:1"])
        #expect(image.config.config?.entrypoint == ["/bin/sh"])
        #expect(try tree(image.rootfs) == ["bin", "bin/tool", "bin/tool-link", "data", "data/after-opaque.txt", "etc", "etc/passwd"])
        #expect(image.size == Int64("#!/bin/sh\necho hi\n".utf8.count + "after".utf8.count + "root:x:0:0::/:/bin/sh\n".utf8.count))
        #expect(image.rootfs.path == folder.appendingPathComponent("store/rootfs/\(image.manifestDigest.hex)").path)

        for name in [
            "example.com/tiny/job:1", written.digest, String(written.digest.dropFirst(7).prefix(12)),
            "sha256:" + written.digest.dropFirst(7).prefix(20),
            String(written.configDigest.dropFirst(7).prefix(16)), "elsewhere.io/some/name@\(written.digest)",
        ] {
            #expect(try store.image(name)?.manifestDigest == image.manifestDigest, "\(name)")
        }
        #expect(try store.image("example.com/tiny/job:2") == nil)
        #expect(try store.image(String(written.digest.dropFirst(7).prefix(11))) == nil, "prefixes need 12 hex digits")
        #expect(try store.list() == [image])
    }

    @Test func removeUntagsThenDeletesAndCollectionFreesBlobs() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        var layout = try OCILayoutWriter(at: folder.appendingPathComponent("layout"))
        try layout.addImage(layers: Self.layers())
        let store = try ImageStore(root: folder.appendingPathComponent("store"))
        let first = try store.importOCILayout(at: layout.url, reference: "a/b:1")
        _ = try store.importOCILayout(at: layout.url, reference: "a/b:2")
        #expect(try store.image("a/b:1")?.references == ["docker.io/a/b:1", "docker.io/a/b:2"])
        #expect(try store.garbageCollect() == .init(removedBlobs: 0, removedRootfs: 0, freedBytes: 0))
        try store.remove("docker.io/a/b:1")
        #expect(try store.image("a/b:2")?.references == ["docker.io/a/b:2"])
        #expect(FileManager.default.fileExists(atPath: first.rootfs.path))
        #expect(throws: ImageError.notInStore("a/b:1")) { try store.remove("a/b:1") }
        try store.remove("a/b:2")
        #expect(try store.list().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: first.rootfs.path))
        let report = try store.garbageCollect()
        #expect(report.removedBlobs == 4, "manifest, config and two layers")
        #expect(report.freedBytes > 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("store/blobs/sha256").path).isEmpty)
    }

    @Test func picksTheNamedManifestOrRefusesToGuess() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        var layout = try OCILayoutWriter(at: folder.appendingPathComponent("layout"))
        var one = TarBuilder()
        one.file("which", "one")
        var two = TarBuilder()
        two.file("which", "two")
        try layout.addImage(layers: [one], refName: "one", architecture: "arm64")
        try layout.addImage(layers: [two], refName: "two", architecture: "riscv64")
        let store = try ImageStore(root: folder.appendingPathComponent("store"))
        let image = try store.importOCILayout(at: layout.url, reference: "local/x:two")
        #expect(try String(contentsOf: image.rootfs.appendingPathComponent("which"), encoding: .utf8) == "two")
        #expect {
            try store.importOCILayout(at: layout.url, reference: nil)
        } throws: { error in
            "\(error)".contains("several manifests; name one of them (one, two)")
        }
    }

    @Test func tamperedLayoutBlobIsRefusedAndLeavesNothing() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        var layout = try OCILayoutWriter(at: folder.appendingPathComponent("layout"))
        try layout.addImage(layers: Self.layers())
        let blobs = layout.url.appendingPathComponent("blobs/sha256")
        // The largest blob is the first layer.
        let names = try FileManager.default.contentsOfDirectory(atPath: blobs.path)
        let largest = try #require(
            names.max {
                (try? blobs.appendingPathComponent($0).resourceValues(forKeys: [.fileSizeKey]).fileSize ?? 0) ?? 0
                    < (try? blobs.appendingPathComponent($1).resourceValues(forKeys: [.fileSizeKey]).fileSize ?? 0) ?? 0
            })
        var bytes = Array(try Data(contentsOf: blobs.appendingPathComponent(largest)))
        bytes[600] ^= 1
        try Data(bytes).write(to: blobs.appendingPathComponent(largest))
        let store = try ImageStore(root: folder.appendingPathComponent("store"))
        #expect {
            try store.importOCILayout(at: layout.url, reference: "t/t:1")
        } throws: { error in
            "\(error)".contains("digest mismatch")
        }
        #expect(try store.list().isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("store/rootfs").path).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("store/tmp").path).isEmpty)
        #expect(
            !names.map { "\($0)" }.contains {
                FileManager.default.fileExists(atPath: folder.appendingPathComponent("store/blobs/sha256/\(largest)").path) && $0 == largest
            })
    }

    @Test func importsADockerSaveArchive() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let layers = Self.layers()
        let diffIDs = layers.map { OCILayoutWriter.sha256($0.archive) }
        let config = try OCILayoutWriter.json([
            "architecture": "amd64", "os": "linux", "config": ["Cmd": ["/bin/tool"]], "rootfs": ["type": "layers", "diff_ids": diffIDs],
        ])
        let configName = OCILayoutWriter.sha256(config).dropFirst(7) + ".json"
        let manifest = try OCILayoutWriter.json([
            ["Config": String(configName), "RepoTags": ["tiny/job:saved", "other:latest"], "Layers": ["l1/layer.tar", "l2/layer.tar"]]
        ])
        var archive = TarBuilder()
        archive.entry("manifest.json", type: "0", contents: manifest)
        archive.entry(String(configName), type: "0", contents: config)
        archive.entry("l1/layer.tar", type: "0", contents: layers[0].archive)
        archive.entry("l0/layer.tar", type: "0", contents: layers[1].archive)
        archive.symlink("l2/layer.tar", to: "../l0/layer.tar")
        let file = folder.appendingPathComponent("saved.tar")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try archive.write(to: file)
        let store = try ImageStore(root: folder.appendingPathComponent("store"))
        let images = try store.importDockerArchive(at: file)
        let image = try #require(images.first)
        #expect(images.count == 1)
        #expect(image.references == ["docker.io/library/other:latest", "docker.io/tiny/job:saved"])
        #expect(image.config.config?.command == ["/bin/tool"])
        #expect(try tree(image.rootfs).contains("data/after-opaque.txt"))
        #expect(try store.image("other")?.manifestDigest == image.manifestDigest)
    }
}
