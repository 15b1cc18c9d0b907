import Foundation
import LilypadCore

/// Root filesystems for execution tests, made from Debian's static busybox (`busybox-static`).
public enum TestRootfs {
    /// Where `busybox-static` installs its binary.
    public static let busyboxPath = "/bin/busybox"

    /// Whether the static busybox is installed (`apt-get install busybox-static`).
    public static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: busyboxPath) }

    /// Creates a minimal root at `directory`: `/bin/busybox` with a symlink per applet, `/bin/sh`,
    /// `/etc/passwd` and `/etc/group` with root and `nobody`, and an empty `/work`.
    /// `extraFiles` maps paths inside the root to contents (mode 0755, so scripts can run).
    @discardableResult
    public static func busybox(at directory: URL, extraFiles: [String: String] = [:]) throws -> URL {
        let fm = FileManager.default
        let bin = directory.appendingPathComponent("bin")
        try fm.createDirectory(at: bin, withIntermediateDirectories: true)
        try fm.createDirectory(at: directory.appendingPathComponent("etc"), withIntermediateDirectories: true)
        try fm.createDirectory(at: directory.appendingPathComponent("work"), withIntermediateDirectories: true)
        let busybox = bin.appendingPathComponent("busybox")
        if !fm.fileExists(atPath: busybox.path) {
            try fm.copyItem(atPath: busyboxPath, toPath: busybox.path)
        }
        for applet in try applets() where applet != "busybox" {
            let link = bin.appendingPathComponent(applet)
            if (try? fm.destinationOfSymbolicLink(atPath: link.path)) == nil {
                try fm.createSymbolicLink(atPath: link.path, withDestinationPath: "busybox")
            }
        }
        try "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
            .write(to: directory.appendingPathComponent("etc/passwd"), atomically: true, encoding: .utf8)
        try "root:x:0:\nnogroup:x:65534:\n".write(to: directory.appendingPathComponent("etc/group"), atomically: true, encoding: .utf8)
        for (path, contents) in extraFiles {
            let file = directory.appendingPathComponent(path)
            try fm.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try contents.write(to: file, atomically: true, encoding: .utf8)
            try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
        }
        return directory
    }

    private static func applets() throws -> [String] {
        try ExternalCommand(busyboxPath, ["--list"]).run().stdout.split(separator: "\n").map(String.init)
    }
}
