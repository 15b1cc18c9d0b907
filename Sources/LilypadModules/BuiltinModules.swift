import Crypto
import Foundation
import LilypadCore
import Synchronization

/// The modules shipped with Lilypad for Swift (`Sources/LilypadModules/Builtin/<name>/<version>/`),
/// served on the local network without any network access.
///
/// Each module becomes a bare git repository with one commit per version, tagged with the
/// version, and `main` at the newest. Author, committer and dates are fixed, so the commit hashes —
/// and therefore module IDs — are the same on every machine.
public enum BuiltinModules {
    /// Module name → versions, oldest first.
    public static var catalog: [String: [String]] {
        guard let root = sourceRoot, let names = try? FileManager.default.contentsOfDirectory(atPath: root) else { return [:] }
        var catalog: [String: [String]] = [:]
        for name in names where !name.hasPrefix(".") {
            let versions = (try? FileManager.default.contentsOfDirectory(atPath: root + "/" + name)) ?? []
            catalog[name] = versions.filter { !$0.hasPrefix(".") }.sorted(by: VersionOrder.precedes)
        }
        return catalog
    }

    static var sourceRoot: String? {
        Bundle.module.resourceURL.map { $0.appendingPathComponent("Builtin").path }
    }

    /// Makes sure the repositories exist under `modulesRoot` and returns name → `file://` URL,
    /// ready to use as ``ModuleRegistry`` overrides. Checked once per process and modules folder
    /// (the built-in sources do not change while it runs; every job loads modules).
    public static func materialize(in modulesRoot: String) throws(ModuleError) -> [String: String] {
        if let urls = materialized.withLock({ $0[modulesRoot] }) { return urls }
        let urls = try build(in: modulesRoot)
        materialized.withLock { $0[modulesRoot] = urls }
        return urls
    }

    private static let materialized = Mutex<[String: [String: String]]>([:])

    private static func build(in modulesRoot: String) throws(ModuleError) -> [String: String] {
        guard let sourceRoot else { return [:] }
        var urls: [String: String] = [:]
        for (name, versions) in catalog.sorted(by: { $0.key < $1.key }) where !versions.isEmpty {
            let repository = "\(modulesRoot)/builtin/lilypad-module-\(name).git"
            let lock = try FileLock.acquire("\(modulesRoot)/locks/builtin-\(name).lock")
            let fingerprint = Self.fingerprint(of: sourceRoot + "/" + name)
            let marker = repository + "/lilypad-builtin-fingerprint"
            if (try? String(contentsOfFile: marker, encoding: .utf8)) != fingerprint {
                try build(name: name, versions: versions, from: sourceRoot + "/" + name, into: repository)
                try? fingerprint.write(toFile: marker, atomically: true, encoding: .utf8)
            }
            withExtendedLifetime(lock) {}
            urls[name] = "file://" + repository
        }
        return urls
    }

    private static func build(name: String, versions: [String], from source: String, into repository: String) throws(ModuleError) {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("lilypad-builtin-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: work) }
        let environment = [
            "GIT_AUTHOR_NAME": "Lilypad", "GIT_AUTHOR_EMAIL": "modules@lilypad.local", "GIT_COMMITTER_NAME": "Lilypad",
            "GIT_COMMITTER_EMAIL": "modules@lilypad.local", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null",
        ]
        func git(_ arguments: [String], date: String? = nil) throws(ModuleError) {
            var env = environment
            if let date {
                env["GIT_AUTHOR_DATE"] = date
                env["GIT_COMMITTER_DATE"] = date
            }
            let output = try GitCommand.run(["-c", "commit.gpgsign=false", "-c", "core.autocrlf=false"] + arguments, in: work, environment: env)
            guard output.status == 0 else { throw .gitFailed(command: arguments.first ?? "", detail: output.stderr.firstLine) }
        }
        do {
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        } catch {
            throw .gitFailed(command: "init", detail: error.localizedDescription)
        }
        try git(["init", "--quiet", "--initial-branch=main"])
        for (index, version) in versions.enumerated() {
            // Replace the tree with this version's files.
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: work)) ?? [] where entry != ".git" {
                try? FileManager.default.removeItem(atPath: work + "/" + entry)
            }
            let versionRoot = source + "/" + version
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: versionRoot)) ?? [] {
                do {
                    try FileManager.default.copyItem(atPath: versionRoot + "/" + entry, toPath: work + "/" + entry)
                } catch {
                    throw .gitFailed(command: "add", detail: "cannot copy \(entry): \(error.localizedDescription)")
                }
            }
            try git(["add", "--all"])
            try git(["commit", "--quiet", "--allow-empty", "--message", "\(name) \(version)"], date: "\(1_704_067_200 + index * 86_400) +0000")
            try git(["tag", version])
        }
        try? FileManager.default.removeItem(atPath: repository)
        try? FileManager.default.createDirectory(atPath: (repository as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try git(["clone", "--quiet", "--bare", work, repository])
    }

    /// A digest of every file's path and contents under `directory`.
    static func fingerprint(of directory: String) -> String {
        var hasher = SHA256()
        let files = (FileManager.default.subpaths(atPath: directory) ?? []).sorted()
        for file in files {
            hasher.update(data: Data(file.utf8))
            hasher.update(data: FileManager.default.contents(atPath: directory + "/" + file) ?? Data())
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}

/// Orders versions like `v0.0.9` < `v0.0.10`: numeric runs compare as numbers.
enum VersionOrder {
    static func precedes(_ a: String, _ b: String) -> Bool {
        let left = components(a), right = components(b)
        for (x, y) in zip(left, right) where x != y {
            switch (Int(x), Int(y)) {
            case (let p?, let q?): return p < q
            default: return x < y
            }
        }
        return left.count < right.count
    }

    private static func components(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var numeric: Bool?
        for char in text {
            let isDigit = char.isNumber
            if numeric != nil, numeric != isDigit {
                parts.append(current)
                current = ""
            }
            numeric = isDigit
            current.append(char)
        }
        if !current.isEmpty { parts.append(current) }
        return parts
    }
}
