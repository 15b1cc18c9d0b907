import Foundation
import LilypadTestSupport

@testable import LilypadImages

/// A temporary "host" folder holding a root filesystem to unpack into (`host/rootfs`), so any
/// escape shows up as files in `host` outside `rootfs`.
struct UnpackFixture {
    let host: URL
    let rootfs: URL

    init() throws {
        host = FileManager.default.temporaryDirectory.appendingPathComponent("unpack-\(UUID().uuidString)")
        rootfs = host.appendingPathComponent("rootfs")
        try FileManager.default.createDirectory(at: rootfs, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: host.appendingPathComponent("target"), withIntermediateDirectories: true)
        try "original".write(to: host.appendingPathComponent("victim.txt"), atomically: true, encoding: .utf8)
    }

    func cleanUp() { try? FileManager.default.removeItem(at: host) }

    /// Applies the layers in order to `rootfs`; returns each layer's diff ID.
    @discardableResult
    func apply(_ layers: [TarBuilder], gzip: Bool = false) throws -> [Digest] {
        let unpacker = LayerUnpacker(root: try DirectoryHandle(opening: rootfs.path))
        var digests: [Digest] = []
        for (index, layer) in layers.enumerated() {
            let file = host.appendingPathComponent("layer-\(index).tar")
            try layer.write(to: file, gzip: gzip)
            defer { try? FileManager.default.removeItem(at: file) }
            let stream = try LayerStream(path: file.path, what: "layer \(index)")
            try unpacker.apply(TarReader(stream: stream, what: "layer \(index)"))
            digests.append(try stream.finish())
        }
        return digests
    }

    /// Everything in `host` outside `rootfs`, as relative paths.
    func hostEntries() throws -> Set<String> {
        Set(try FileManager.default.subpathsOfDirectory(atPath: host.path).filter { $0 != "rootfs" && !$0.hasPrefix("rootfs/") })
    }

    /// Every path in `rootfs`, relative.
    func tree() throws -> Set<String> { Set(try FileManager.default.subpathsOfDirectory(atPath: rootfs.path)) }

    func contents(_ path: String) -> String? {
        (try? Data(contentsOf: rootfs.appendingPathComponent(path))).map { String(decoding: $0, as: UTF8.self) }
    }

    func linkTarget(_ path: String) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: rootfs.appendingPathComponent(path).path)
    }
}
