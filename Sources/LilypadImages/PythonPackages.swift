import Foundation
import LilypadCore

/// Python packages (wheels from the Python Package Index) installed into an image layer, for the
/// images of the model modules.
///
/// Wheels are fetched once with `pip download --no-deps` into a cache folder, then installed from
/// that cache alone (`pip install --no-index --no-deps --no-compile --target`), so a rebuild needs
/// no network and writes no compiled or time-stamped files. Dependencies are not resolved: a
/// recipe lists every package it needs, pinned (`name==version`).
public struct PythonPackages: Sendable {
    /// Where downloaded wheels are kept.
    public var cache: URL
    /// The interpreter that runs pip (it must match the image's Python version for binary wheels).
    public var python: String

    public init(cache: URL, python: String = "python3") {
        self.cache = cache
        self.python = python
    }

    /// Installs `packages` into `destination` (created; the caller archives it), then runs
    /// `postInstall` (Python, with `destination` on `sys.path` and as `sys.argv[1]`).
    public func install(_ packages: [String], into destination: URL, postInstall: String? = nil) throws(ImageError) {
        try install(packages, into: destination)
        guard let postInstall else { return }
        let output = try run([
            "-c", "import sys; sys.path.insert(0, sys.argv[1]); exec(compile(sys.argv[2], 'post-install', 'exec'))", destination.path, postInstall,
        ])
        guard output.status == 0 else {
            throw .buildFailed(
                step: "post-install of Python packages \(packages.joined(separator: " "))",
                reason: output.stderr.split(separator: "\n").last.map(String.init) ?? output.summary)
        }
    }

    private func install(_ packages: [String], into destination: URL) throws(ImageError) {
        guard !packages.isEmpty else { return }
        for package in packages where !package.contains("==") {
            throw .invalidDocument(what: "Python package `\(package)`", reason: "pin the version, like `numpy==2.4.6`")
        }
        do {
            try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
        } catch {
            throw .buildFailed(step: "create \(destination.path)", reason: error.localizedDescription)
        }
        let install =
            ["-m", "pip", "install", "--quiet", "--no-index", "--no-deps", "--no-compile", "--disable-pip-version-check", "--find-links", cache.path]
            + ["--target", destination.path] + packages
        if try run(install).status == 0 { return }
        // Not all cached yet: one download at a time per cache, then install again.
        let lock: FileLock
        do { lock = try FileLock(path: cache.appendingPathComponent(".download.lock").path) } catch {
            throw .buildFailed(step: "lock \(cache.path)", reason: error.description)
        }
        defer { withExtendedLifetime(lock) {} }
        let download = try run(
            ["-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:", "--disable-pip-version-check", "--dest", cache.path]
                + packages)
        guard download.status == 0 else {
            throw .buildFailed(step: "download Python packages \(packages.joined(separator: " "))", reason: "pip download: \(download.summary)")
        }
        try? FileManager.default.removeItem(at: destination)
        let second = try run(install)
        guard second.status == 0 else {
            throw .buildFailed(step: "install Python packages \(packages.joined(separator: " "))", reason: "pip install: \(second.summary)")
        }
    }

    private func run(_ arguments: [String]) throws(ImageError) -> ExternalCommand.Output {
        do {
            return try ExternalCommand(
                python, arguments, environment: ["PIP_NO_INPUT": "1", "PYTHONDONTWRITEBYTECODE": "1", "PIP_ROOT_USER_ACTION": "ignore"]
            ).run()
        } catch {
            throw .buildFailed(step: "run \(python) -m pip", reason: error.description)
        }
    }
}
