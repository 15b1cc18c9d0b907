import Foundation
import LilypadImages
import Testing

/// Pulls from a real distribution registry (Debian's `docker-registry`) that `skopeo` pushed to.
@Suite("Registry pulls", .serialized, .enabled(if: RegistryFixture.isAvailable, Comment(rawValue: RegistryFixture.setupHint)))
struct RegistryPullTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("registry-test-\(UUID().uuidString)")

    /// Three layers, as the reference image: files, per-file whiteouts, an opaque directory.
    static func layers(marker: String = "amd64") -> [TarBuilder] {
        var base = TarBuilder()
        base.directory("bin/")
        base.file("bin/tool", "#!/bin/sh\necho \(marker)\n", mode: 0o755)
        base.file("bin/vi", "vi")
        base.file("etc/removed-later.txt", "bye")
        base.file("data/keep.txt", "keep")
        base.file("data/sub/old.txt", "old")
        base.symlink("bin/sh", to: "tool")
        var whiteouts = TarBuilder()
        whiteouts.file("bin/.wh.vi", "")
        whiteouts.file("data/sub/.wh.old.txt", "")
        whiteouts.file("etc/.wh.removed-later.txt", "")
        var opaque = TarBuilder()
        opaque.directory("data/")
        opaque.file("data/.wh..wh..opq", "")
        opaque.file("data/after-opaque.txt", "after")
        return [base, whiteouts, opaque]
    }

    static let expectedTree: Set<String> = ["bin", "bin/tool", "bin/sh", "data", "data/after-opaque.txt", "etc"]

    func tree(_ image: StoredImage) throws -> Set<String> { Set(try FileManager.default.subpathsOfDirectory(atPath: image.rootfs.path)) }

    func store(_ name: String = "store") throws -> ImageStore { try ImageStore(root: folder.appendingPathComponent(name)) }

    @Test func pullsByTagDigestDockerFormatAndThroughAnIndex() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        var layout = try OCILayoutWriter(at: folder.appendingPathComponent("layout"))
        let amd64 = try layout.addImage(layers: Self.layers(), gzip: true, refName: "1")
        let arm64 = try layout.addImage(layers: Self.layers(marker: "arm64"), gzip: true, refName: "arm", architecture: "arm64")
        let registry = try RegistryFixture(folder: folder)
        defer { registry.stop() }
        try registry.push(layout: layout.url, tag: "1", to: "tiny/job", as: "1")
        try registry.push(layout: layout.url, tag: "1", to: "tiny/job", as: "1-docker", dockerFormat: true)
        try registry.push(layout: layout.url, tag: "arm", to: "tiny/job", as: "arm")
        try registry.putManifest(
            try OCILayoutWriter.indexDocument([(arm64, "arm64"), (amd64, "amd64")]), mediaType: "application/vnd.oci.image.index.v1+json",
            repository: "tiny/job", tag: "multi")

        let client = RegistryClient(configuration: .init(credentials: [:]))
        defer { Task { await client.shutdown() } }
        let store = try store()
        let byTag = try await store.pull("\(registry.host)/tiny/job:1", using: client)
        #expect(byTag.manifestDigest.description == amd64.digest)
        #expect(byTag.configDigest.description == amd64.configDigest)
        #expect(byTag.references == ["\(registry.host)/tiny/job:1"])
        #expect(try tree(byTag) == Self.expectedTree)
        #expect(try String(contentsOf: byTag.rootfs.appendingPathComponent("bin/tool"), encoding: .utf8) == "#!/bin/sh\necho amd64\n")

        let byDigest = try await store.pull("\(registry.host)/tiny/job@\(amd64.digest)", using: client)
        #expect(byDigest.manifestDigest == byTag.manifestDigest)
        #expect(byDigest.references.count == 2)

        let docker = try await store.pull("\(registry.host)/tiny/job:1-docker", using: client)
        #expect(docker.manifestDigest != byTag.manifestDigest, "skopeo wrote a Docker schema 2 manifest")
        #expect(docker.configDigest == byTag.configDigest)
        #expect(try tree(docker) == Self.expectedTree)

        let index = try await store.pull("\(registry.host)/tiny/job:multi", using: client)
        #expect(index.manifestDigest.description == amd64.digest, "the linux/amd64 entry of the index")

        // A fresh store pulls straight through the index too.
        let fresh = try await self.store("fresh").pull("\(registry.host)/tiny/job:multi", using: client)
        #expect(try tree(fresh) == Self.expectedTree)

        await #expect {
            try await store.pull("\(registry.host)/tiny/job:nope", using: client)
        } throws: { error in
            "\(error)" == "image not found: \(registry.host)/tiny/job:nope"
        }
        await #expect {
            try await store.pull("\(registry.host)/tiny/missing:1", using: client)
        } throws: { error in
            "\(error)".hasPrefix("image not found")
        }
    }

    @Test func tamperedBlobIsRefusedAndLeavesNothingInTheCache() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        var layout = try OCILayoutWriter(at: folder.appendingPathComponent("layout"))
        try layout.addImage(layers: Self.layers(), gzip: true, refName: "1")
        let registry = try RegistryFixture(folder: folder)
        defer { registry.stop() }
        try registry.push(layout: layout.url, tag: "1", to: "tiny/job", as: "1")
        let manifestBytes = try Data(contentsOf: layout.url.appendingPathComponent("blobs/sha256/\(try manifestHex(layout))"))
        let manifest = try JSONDecoder().decode(OCIManifest.self, from: manifestBytes)
        let layer = try #require(manifest.layers.first)
        let data = registry.blobData(layer.digest.description)
        var bytes = Array(try Data(contentsOf: data))
        bytes[bytes.count / 2] ^= 0x01
        try Data(bytes).write(to: data)

        let client = RegistryClient(configuration: .init(credentials: [:]))
        defer { Task { await client.shutdown() } }
        let store = try store()
        await #expect {
            try await store.pull("\(registry.host)/tiny/job:1", using: client)
        } throws: { error in
            "\(error)".contains("digest mismatch for blob \(layer.digest)")
        }
        let storeFolder = folder.appendingPathComponent("store")
        #expect(!FileManager.default.fileExists(atPath: storeFolder.appendingPathComponent("blobs/sha256/\(layer.digest.hex)").path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: storeFolder.appendingPathComponent("tmp").path).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: storeFolder.appendingPathComponent("rootfs").path).isEmpty)
        #expect(try store.list().isEmpty)
    }

    @Test func concurrentPullsIntoOneStoreAgree() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        var layout = try OCILayoutWriter(at: folder.appendingPathComponent("layout"))
        let image = try layout.addImage(layers: Self.layers(), gzip: true, refName: "1")
        let registry = try RegistryFixture(folder: folder)
        defer { registry.stop() }
        try registry.push(layout: layout.url, tag: "1", to: "tiny/job", as: "1")
        let client = RegistryClient(configuration: .init(credentials: [:]))
        defer { Task { await client.shutdown() } }
        let root = folder.appendingPathComponent("store")
        let reference = "\(registry.host)/tiny/job:1"
        let digests = try await withThrowingTaskGroup(of: Digest.self) { group in
            for _ in 0..<4 {
                // Separate ImageStore values on one folder, as separate processes would have.
                group.addTask { try await ImageStore(root: root).pull(reference, using: client).manifestDigest }
            }
            return try await group.reduce(into: [Digest]()) { $0.append($1) }
        }
        #expect(digests.map(\.description) == Array(repeating: image.digest, count: 4))
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("rootfs").path).count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("tmp").path).isEmpty)
        #expect(try ImageStore(root: root).list().map(\.references) == [[reference]])
    }

    /// The hex of the first manifest in the layout's index.
    func manifestHex(_ layout: OCILayoutWriter) throws -> String {
        let index = try JSONDecoder().decode(OCIIndex.self, from: Data(contentsOf: layout.url.appendingPathComponent("index.json")))
        return try #require(index.manifests.first).digest.hex
    }

    @Test(.enabled(if: RegistryTokenServer.isAvailable, Comment(rawValue: RegistryTokenServer.setupHint)))
    func tokenAuthAnonymousPublicPullsAndCredentials() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        var layout = try OCILayoutWriter(at: folder.appendingPathComponent("layout"))
        let image = try layout.addImage(layers: Self.layers(), gzip: true, refName: "1")
        // Push through an open registry, then serve the same storage behind token auth.
        let open = try RegistryFixture(folder: folder)
        defer { open.stop() }
        try open.push(layout: layout.url, tag: "1", to: "public/job", as: "1")
        try open.push(layout: layout.url, tag: "1", to: "private/job", as: "1")
        open.stop()
        let tokens = try RegistryTokenServer(folder: folder)
        defer { tokens.stop() }
        let registry = try RegistryFixture(
            folder: folder, storage: open.storage, tokenAuth: .init(realm: tokens.realm, certificate: tokens.certificate.path))
        defer { registry.stop() }

        let anonymous = RegistryClient(configuration: .init(credentials: [:]))
        defer { Task { await anonymous.shutdown() } }
        let pulled = try await store().pull("\(registry.host)/public/job:1", using: anonymous)
        #expect(pulled.manifestDigest.description == image.digest)
        #expect(try tree(pulled) == Self.expectedTree)
        await #expect {
            try await store("anonymous").pull("\(registry.host)/private/job:1", using: anonymous)
        } throws: { error in
            "\(error)".hasPrefix("authentication required to pull private/job from \(registry.host)")
        }

        let wrong = RegistryClient(configuration: .init(credentials: [registry.host: .init(username: "alice", password: "wrong")]))
        defer { Task { await wrong.shutdown() } }
        await #expect {
            try await store("wrong").pull("\(registry.host)/private/job:1", using: wrong)
        } throws: { error in
            "\(error)" == "authentication failed at \(registry.host): the token service refused the credentials of `alice`"
        }

        let alice = RegistryClient(configuration: .init(credentials: [registry.host: .init(username: "alice", password: "secret")]))
        defer { Task { await alice.shutdown() } }
        let privateImage = try await store("alice").pull("\(registry.host)/private/job:1", using: alice)
        #expect(privateImage.manifestDigest.description == image.digest)
    }
}
