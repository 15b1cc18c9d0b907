import Foundation
import LilypadImages
import Testing

/// Images built from Debian packages, checked with outside tools: GNU tar reads our archives,
/// skopeo and umoci read our OCI layouts, and the unpacked cowsay image runs.
@Suite(.serialized) struct ImageBuilderTests {
    static let cache = FileManager.default.temporaryDirectory.appendingPathComponent("lilypad-test-debs")

    @Test func gnuTarReadsOurArchives() throws {
        let scratch = try TemporaryDirectory()
        var writer = TarWriter()
        let longName = String(repeating: "d", count: 90) + "/" + String(repeating: "f", count: 90) + ".txt"
        try writer.append(path: "etc", kind: .directory, mode: 0o755)
        try writer.append(path: "etc/motd", kind: .file(Array("ribbit\n".utf8)), mode: 0o644)
        try writer.append(path: "etc/link", kind: .symlink(target: "motd"), mode: 0o777)
        try writer.append(path: longName, kind: .file([1, 2, 3]), mode: 0o600)
        let archive = scratch.url.appendingPathComponent("a.tar")
        try Data(writer.finish()).write(to: archive)
        let listing = try Oracle.run("tar", ["-tvf", archive.path])
        #expect(listing.status == 0, "\(listing.stderr)")
        #expect(listing.stdout.contains("etc/link -> motd"))
        #expect(listing.stdout.contains(longName))
        let out = scratch.url.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        #expect(try Oracle.run("tar", ["-xf", archive.path, "-C", out.path]).status == 0)
        #expect(try String(contentsOf: out.appendingPathComponent("etc/motd"), encoding: .utf8) == "ribbit\n")
        #expect(try Data(contentsOf: out.appendingPathComponent(longName)) == Data([1, 2, 3]))
    }

    @Test func pathsThatEscapeAreRefused() {
        var writer = TarWriter()
        #expect(throws: ImageError.self) { try writer.append(path: "../etc/passwd", kind: .file([]), mode: 0o644) }
        #expect(throws: ImageError.self) { try writer.append(path: "a/../../b", kind: .directory, mode: 0o755) }
    }

    @Test func cowsayImageIsReproducibleAndRuns() throws {
        let scratch = try TemporaryDirectory()
        let builder = ImageBuilder(packages: DebianPackages(cache: Self.cache))
        let first = try builder.build(.cowsay, layout: scratch.url.appendingPathComponent("one"))
        let second = try builder.build(.cowsay, layout: scratch.url.appendingPathComponent("two"))
        #expect(first.manifestDigest == second.manifestDigest)
        #expect(first.packageVersions.contains { $0.hasPrefix("cowsay=3.03") })

        let inspect = try Oracle.run("skopeo", ["inspect", "oci:\(first.layout.path):lilypad.local/cowsay:3.03"])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        #expect(inspect.stdout.contains(first.manifestDigest.description))

        let bundle = scratch.url.appendingPathComponent("bundle")
        let unpack = try Oracle.run("umoci", ["raw", "unpack", "--image", "\(first.layout.path):lilypad.local/cowsay:3.03", bundle.path])
        #expect(unpack.status == 0, "\(unpack.stderr)")
        let cow = try Oracle.run("/usr/sbin/chroot", [bundle.path, "/usr/games/cowsay", "hi"], environment: ["PATH": "/usr/bin:/bin"])
        #expect(cow.status == 0, "\(cow.stderr)")
        #expect(cow.stdout.contains("< hi >"))
        #expect(cow.stdout.contains("(oo)"))
    }

    @Test func lilysayImageDrawsTheFrog() throws {
        let scratch = try TemporaryDirectory()
        let built = try ImageBuilder(packages: DebianPackages(cache: Self.cache)).build(.lilysay, layout: scratch.url.appendingPathComponent("l"))
        let bundle = scratch.url.appendingPathComponent("bundle")
        let unpack = try Oracle.run("umoci", ["raw", "unpack", "--image", "\(built.layout.path):lilypad.local/lilysay:0.1.0", bundle.path])
        #expect(unpack.status == 0, "\(unpack.stderr)")
        let frog = try Oracle.run(
            "/usr/sbin/chroot", [bundle.path, "/bin/sh", "-c", "exec /usr/games/cowsay -f /usr/share/cowsay/cows/lilyfrog.cow \"$0\"", "hello"],
            environment: ["PATH": "/usr/bin:/bin"])
        #expect(frog.status == 0, "\(frog.stderr)")
        #expect(frog.stdout.contains("< hello >"))
        #expect(frog.stdout.contains("(o)-(o)"))
    }
}
