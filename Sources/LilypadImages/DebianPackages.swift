import Foundation
import LilypadCore

/// Debian package files (`.deb`) fetched with `apt-get download` into a cache folder, and their
/// data archives extracted with `dpkg-deb`.
///
/// Once a package is in the cache, building needs no network.
public struct DebianPackages: Sendable {
    /// Where `.deb` files are kept.
    public var cache: URL

    public init(cache: URL) {
        self.cache = cache
    }

    /// The cached `.deb` for each package, downloading those not yet cached (one `apt-get download`
    /// for all of them).
    public func files(for packages: [String]) throws(ImageError) -> [URL] {
        do {
            try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
        } catch {
            throw .buildFailed(step: "create \(cache.path)", reason: error.localizedDescription)
        }
        // Processes building images at the same time share the cache: one downloads at a time, and
        // each looks again, under the lock, at what is still missing.
        let lock: FileLock?
        do { lock = packages.contains { cached($0) == nil } ? try FileLock(path: cache.appendingPathComponent(".download.lock").path) : nil } catch {
            throw .buildFailed(step: "lock \(cache.path)", reason: error.description)
        }
        defer { withExtendedLifetime(lock) {} }
        let missing = packages.filter { cached($0) == nil }
        if !missing.isEmpty {
            let output: ExternalCommand.Output
            do {
                output = try ExternalCommand("apt-get", ["download", "-q"] + missing, directory: cache.path).run()
            } catch {
                throw .buildFailed(step: "download Debian packages", reason: error.description)
            }
            guard output.status == 0 else {
                throw .buildFailed(
                    step: "download Debian packages \(missing.joined(separator: " "))",
                    reason: "apt-get download: \(output.summary) (is the package index current? `apt-get update` as root refreshes it)")
            }
        }
        var files: [URL] = []
        for package in packages {
            guard let file = cached(package) else {
                throw .buildFailed(step: "download Debian package \(package)", reason: "apt-get did not produce a .deb for it")
            }
            files.append(file)
        }
        return files
    }

    /// The package's name and version, from its file name (`name_version_arch.deb`).
    public static func nameAndVersion(of file: URL) -> String {
        let parts = file.deletingPathExtension().lastPathComponent.split(separator: "_")
        guard parts.count >= 2 else { return file.lastPathComponent }
        return "\(parts[0])=\(parts[1].replacingOccurrences(of: "%3a", with: ":"))"
    }

    /// The package's data archive (the files it installs) as an uncompressed tar, written to `destination`.
    public static func extractData(of file: URL, to destination: URL) throws(ImageError) {
        let output: ExternalCommand.Output
        do {
            output = try ExternalCommand("dpkg-deb", ["--fsys-tarfile", file.path], stdoutFile: destination.path).run()
        } catch {
            throw .buildFailed(step: "read \(file.lastPathComponent)", reason: error.description)
        }
        guard output.status == 0 else {
            throw .buildFailed(step: "read \(file.lastPathComponent)", reason: "dpkg-deb: \(output.summary)")
        }
    }

    private func cached(_ package: String) -> URL? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: cache.path)) ?? []
        return names.filter { $0.hasPrefix(package + "_") && $0.hasSuffix(".deb") }.sorted().last.map { cache.appendingPathComponent($0) }
    }
}
