import Foundation
import LilypadCore
import LilypadImages
import Testing

/// Blob downloads redirected within the registry keep `Authorization`; redirected to another
/// origin (a CDN, S3) they must drop it.
@Suite("Registry redirects", .serialized)
struct RegistryRedirectTests {
    @Test func authorizationIsDroppedWhenARedirectLeavesTheOrigin() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("redirect-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var layout = try OCILayoutWriter(at: folder.appendingPathComponent("layout"))
        let image = try layout.addImage(layers: RegistryPullTests.layers(), gzip: true, refName: "1")

        let out = Pipe()
        let server = try ChildProcess(
            "python3", [Oracle.directory + "/redirect_registry.py", layout.url.path, "bob:hunter2"],
            stdout: .descriptor(out.fileHandleForWriting.fileDescriptor), stderr: .null)
        try out.fileHandleForWriting.close()
        defer {
            server.send(SIGKILL)
            server.waitUntilExit()
        }
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        let ports = String(decoding: line, as: UTF8.self).split(whereSeparator: \.isWhitespace)
        let registryPort = try #require(ports.first.map(String.init))
        let cdnPort = try #require(ports.last.map(String.init))
        let host = "127.0.0.1:\(registryPort)"

        let client = RegistryClient(configuration: .init(credentials: [host: .init(username: "bob", password: "hunter2")]))
        defer { Task { await client.shutdown() } }
        let store = try ImageStore(root: folder.appendingPathComponent("store"))
        let pulled = try await store.pull("\(host)/tiny/job:1", using: client)
        #expect(pulled.manifestDigest.description == image.digest)
        #expect(FileManager.default.fileExists(atPath: pulled.rootfs.appendingPathComponent("data/after-opaque.txt").path))
        let seen = try Oracle.run("/usr/bin/curl", ["-s", "http://127.0.0.1:\(cdnPort)/seen"])
        #expect(seen.stdout == "[]", "the CDN received Authorization headers: \(seen.stdout)")

        let anonymous = RegistryClient(configuration: .init(credentials: [:]))
        defer { Task { await anonymous.shutdown() } }
        await #expect {
            try await ImageStore(root: folder.appendingPathComponent("anonymous")).pull("\(host)/tiny/job:1", using: anonymous)
        } throws: { error in
            "\(error)" == "authentication required to pull tiny/job from \(host): add credentials for \(host) to your docker config.json"
        }
    }
}
