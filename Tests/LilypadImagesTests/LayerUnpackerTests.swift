import Foundation
import LilypadTestSupport
import Testing

@testable import LilypadImages

/// Hostile layers: every write must land inside the rootfs (`host/rootfs`), never in `host`.
@Suite struct LayerUnpackerTests {
    @Test func symlinksResolveInsideTheRoot() throws {
        let fixture = try UnpackFixture()
        defer { fixture.cleanUp() }
        let hostTarget = fixture.host.appendingPathComponent("target").path
        var first = TarBuilder()
        first.directory("etc/")
        first.directory(String(hostTarget.dropFirst()) + "/")  // the same path inside the root
        first.symlink("abs", to: hostTarget)
        first.symlink("rel", to: "../../../../../../../.." + hostTarget)
        first.symlink("rootlink", to: "/")
        first.symlink("up", to: "../../../..")
        first.symlink("victim-link", to: fixture.host.appendingPathComponent("victim.txt").path)
        var second = TarBuilder()
        second.file("abs/PWNED-abs", "x")
        second.file("rel/PWNED-rel", "x")
        second.file("rootlink/etc/PWNED-via-root", "x")
        second.file("up/etc/PWNED-via-dotdot", "x")
        second.file("victim-link", "replaced")
        second.device("dev/sda", block: true)
        second.device("dev/null", block: false)
        second.fifo("run/fifo")
        try fixture.apply([first, second])

        #expect(try fixture.hostEntries() == ["target", "victim.txt"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: hostTarget).isEmpty)
        #expect(try String(contentsOf: fixture.host.appendingPathComponent("victim.txt"), encoding: .utf8) == "original")
        let inside = String(hostTarget.dropFirst())
        #expect(fixture.contents(inside + "/PWNED-abs") == "x")
        #expect(fixture.contents(inside + "/PWNED-rel") == "x")
        #expect(fixture.contents("etc/PWNED-via-root") == "x")
        #expect(fixture.contents("etc/PWNED-via-dotdot") == "x")
        #expect(fixture.linkTarget("victim-link") == nil, "the symlink was replaced, not written through")
        #expect(fixture.contents("victim-link") == "replaced")
        #expect(!FileManager.default.fileExists(atPath: fixture.rootfs.appendingPathComponent("dev/sda").path))
        #expect(!FileManager.default.fileExists(atPath: fixture.rootfs.appendingPathComponent("dev/null").path))
        var info = stat()
        #expect(lstat(fixture.rootfs.appendingPathComponent("run/fifo").path, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
    }

    @Test func writingThroughADanglingSymlinkFailsClosed() throws {
        let fixture = try UnpackFixture()
        defer { fixture.cleanUp() }
        var first = TarBuilder()
        first.symlink("abs", to: fixture.host.appendingPathComponent("target").path)
        var second = TarBuilder()
        second.file("abs/PWNED-abs", "x")
        #expect(throws: ImageError.self) { try fixture.apply([first, second]) }
        #expect(try fixture.hostEntries() == ["target", "victim.txt"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.host.appendingPathComponent("target").path).isEmpty)
    }

    @Test(arguments: ["../DOTDOT", "a/../../DOTDOT", "/../DOTDOT"])
    func dotDotIsRefused(_ name: String) throws {
        let fixture = try UnpackFixture()
        defer { fixture.cleanUp() }
        var layer = TarBuilder()
        layer.file(name, "x")
        #expect {
            try fixture.apply([layer])
        } throws: { error in
            (error as? ImageError) == .unsafeLayerEntry(path: name, reason: "`..` would leave the image root")
        }
        #expect(try fixture.hostEntries() == ["target", "victim.txt"])
    }

    @Test func hardlinksResolveInsideTheRoot() throws {
        let fixture = try UnpackFixture()
        defer { fixture.cleanUp() }
        var missing = TarBuilder()
        missing.hardlink("shadow-link", to: "/etc/shadow")
        #expect {
            try fixture.apply([missing])
        } throws: { error in
            "\(error)".contains("hardlink target `/etc/shadow` does not exist in the image")
        }
        var layer = TarBuilder()
        layer.file("etc/shadow", "image shadow", mode: 0o600)
        layer.symlink("hostlink", to: fixture.host.path)
        layer.hardlink("shadow-link", to: "/etc/shadow")
        layer.hardlink("via-symlink", to: "hostlink/victim.txt")
        #expect(throws: ImageError.self) { try fixture.apply([layer]) }
        #expect(fixture.contents("shadow-link") == "image shadow")
        var image = stat()
        var link = stat()
        #expect(stat(fixture.rootfs.appendingPathComponent("etc/shadow").path, &image) == 0)
        #expect(stat(fixture.rootfs.appendingPathComponent("shadow-link").path, &link) == 0)
        #expect(image.st_ino == link.st_ino && image.st_nlink == 2)
        var victim = stat()
        #expect(stat(fixture.host.appendingPathComponent("victim.txt").path, &victim) == 0 && victim.st_nlink == 1)
        #expect(!FileManager.default.fileExists(atPath: fixture.rootfs.appendingPathComponent("via-symlink").path))
    }

    @Test func whiteoutsAndOpaqueDirectories() throws {
        let fixture = try UnpackFixture()
        defer { fixture.cleanUp() }
        var base = TarBuilder()
        base.file("bin/vi", "vi")
        base.file("bin/sh", "sh")
        base.file("data/keep.txt", "keep")
        base.file("data/sub/old.txt", "old")
        base.file("data/sub/other.txt", "other")
        base.file("etc/removed-later.txt", "bye")
        base.symlink("hostlink", to: fixture.host.path)
        var whiteouts = TarBuilder()
        whiteouts.file("bin/.wh.vi", "")
        whiteouts.file("data/sub/.wh.old.txt", "")
        whiteouts.file("etc/.wh.removed-later.txt", "")
        whiteouts.file("hostlink/.wh.victim.txt", "")  // resolves inside the root, where nothing is
        whiteouts.file("nowhere/.wh.x", "")
        var opaque = TarBuilder()
        opaque.directory("data/")
        opaque.file("data/early.txt", "written before the marker")
        opaque.file("data/.wh..wh..opq", "")
        opaque.file("data/after-opaque.txt", "after")
        try fixture.apply([base, whiteouts, opaque])
        #expect(
            try fixture.tree() == [
                "bin", "bin/sh", "data", "data/early.txt", "data/after-opaque.txt", "etc", "hostlink",
            ])
        #expect(try fixture.hostEntries() == ["target", "victim.txt"])
    }

    @Test func opaqueKeepsOnlyWhatThisLayerWroteInsideSubdirectories() throws {
        let fixture = try UnpackFixture()
        defer { fixture.cleanUp() }
        var base = TarBuilder()
        base.file("d/sub/old.txt", "old")
        base.file("d/old.txt", "old")
        var layer = TarBuilder()
        layer.directory("d/sub/")
        layer.file("d/sub/new.txt", "new")
        layer.file("d/.wh..wh..opq", "")
        try fixture.apply([base, layer])
        #expect(try fixture.tree() == ["d", "d/sub", "d/sub/new.txt"])
    }

    @Test func ownersModesAndTimes() throws {
        let fixture = try UnpackFixture()
        defer { fixture.cleanUp() }
        var layer = TarBuilder()
        layer.directory("opt/", mode: 0o750, mtime: 1_600_000_000)
        layer.file("opt/suid", "x", mode: 0o4755, uid: 1000, gid: 1000, mtime: 1_500_000_000)
        layer.file("srv/plain", "y", mode: 0o600, uid: 0, gid: 0)
        // A file replacing a directory, and a directory replacing a file.
        layer.directory("was-file/")
        var second = TarBuilder()
        second.file("was-file", "now a file")
        second.directory("srv/plain/")
        try fixture.apply([layer, second])
        var info = stat()
        #expect(lstat(fixture.rootfs.appendingPathComponent("opt/suid").path, &info) == 0)
        #expect(info.st_mode & 0o7777 == 0o4755)
        #expect(info.st_mtim.tv_sec == 1_500_000_000)
        if geteuid() == 0 { #expect(info.st_uid == 1000 && info.st_gid == 1000) }
        #expect(lstat(fixture.rootfs.appendingPathComponent("opt").path, &info) == 0)
        #expect(info.st_mode & 0o7777 == 0o750)
        #expect(info.st_mtim.tv_sec == 1_600_000_000, "directory times are set after their children are written")
        #expect(fixture.contents("was-file") == "now a file")
        #expect(lstat(fixture.rootfs.appendingPathComponent("srv/plain").path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR)
    }
}
