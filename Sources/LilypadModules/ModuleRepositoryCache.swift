import Crypto
import Foundation
import LilypadCore
import Synchronization

/// A module repository checked out at one commit.
public struct ModuleCheckout: Sendable, Hashable {
    /// The repository URL.
    public var url: String
    /// The ref the user asked for (tag, branch or commit).
    public var ref: String
    /// The full commit hash the ref resolved to.
    public var commit: String
    /// The checked-out files (read-only by convention; shared between users of the cache).
    public var directory: String
    /// True when the network could not be reached and a previously fetched copy was used.
    public var offline: Bool
}

/// Fetches module repositories with git into a cache keyed by commit.
///
/// Each repository has one bare mirror (`mirrors/…`); each commit used is extracted once into
/// `checkouts/…/<commit>` by writing to a temporary folder and renaming it into place. A `flock`
/// per repository serialises work on it across processes, so several agents on one machine can
/// fetch the same module at once. Network errors are retried with exponential backoff and
/// jitter; "not found" and authentication errors are not. A commit or tag fetched before works
/// offline.
public struct ModuleRepositoryCache: Sendable {
    /// How often and how patiently to retry network errors.
    public struct RetryPolicy: Sendable {
        public var attempts: Int
        public var initialDelay: Duration
        public var maximumDelay: Duration

        public init(attempts: Int = 4, initialDelay: Duration = .seconds(1), maximumDelay: Duration = .seconds(8)) {
            self.attempts = attempts
            self.initialDelay = initialDelay
            self.maximumDelay = maximumDelay
        }
    }

    /// The cache folder (`$LILYPAD_HOME/modules`).
    public var root: String
    public var retry: RetryPolicy

    public init(root: String, retry: RetryPolicy = RetryPolicy()) {
        self.root = root
        self.retry = retry
    }

    /// Resolves `ref` in the repository at `url` and returns a checkout of that commit.
    public func checkout(url: String, ref: String) throws(ModuleError) -> ModuleCheckout {
        // A commit's files never change: once extracted here, it is not looked up in git again.
        let memo = root + "\u{1F}" + url + "\u{1F}" + ref
        if Self.isFullCommitHash(ref), let known = Self.commits.withLock({ $0[memo] }), FileManager.default.fileExists(atPath: known.directory) {
            return known
        }
        let checkout = try resolve(url: url, ref: ref)
        if Self.isFullCommitHash(ref), !checkout.offline { Self.commits.withLock { $0[memo] = checkout } }
        return checkout
    }

    /// Checkouts of full commit hashes made by this process.
    private static let commits = Mutex<[String: ModuleCheckout]>([:])

    private func resolve(url: String, ref: String) throws(ModuleError) -> ModuleCheckout {
        let key = Self.cacheKey(for: url)
        let mirror = "\(root)/mirrors/\(key).git"
        let lock = try FileLock.acquire("\(root)/locks/\(key).lock")
        defer { withExtendedLifetime(lock) {} }

        var offline = false
        var commit = Self.isFullCommitHash(ref) ? resolveLocally(mirror: mirror, ref: ref) : nil
        if commit == nil {
            do {
                try fetch(url: url, mirror: mirror, ref: ref)
            } catch let error {
                guard case .networkUnavailable = error, let cached = resolveLocally(mirror: mirror, ref: ref) else { throw error }
                commit = cached
                offline = true
            }
            if commit == nil { commit = resolveLocally(mirror: mirror, ref: ref) }
        }
        guard let commit else { throw .refNotFound(url: url, ref: ref) }

        let directory = "\(root)/checkouts/\(key)/\(commit)"
        if !FileManager.default.fileExists(atPath: directory) {
            try extract(mirror: mirror, commit: commit, into: directory)
        }
        return ModuleCheckout(url: url, ref: ref, commit: commit, directory: directory, offline: offline)
    }

    // MARK: - Steps

    private func fetch(url: String, mirror: String, ref: String) throws(ModuleError) {
        if !FileManager.default.fileExists(atPath: mirror + "/HEAD") {
            try? FileManager.default.removeItem(atPath: mirror)
            let initialised = try GitCommand.run(["init", "--quiet", "--bare", mirror])
            guard initialised.status == 0 else { throw .gitFailed(command: "init", detail: initialised.stderr.firstLine) }
        }
        var refspecs = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"]
        if Self.isFullCommitHash(ref) { refspecs.append(ref) }  // servers allow fetching a reachable commit by hash
        var delay = retry.initialDelay
        for attempt in 1...max(1, retry.attempts) {
            let output = try GitCommand.run(["--git-dir", mirror, "fetch", "--quiet", "--prune", "--no-write-fetch-head", url] + refspecs)
            if output.status == 0 { return }
            switch Self.classify(output.stderr) {
            case .notFound:
                // A missing commit hash is reported as a missing ref by the server, not a missing repository.
                if Self.isFullCommitHash(ref), refspecs.count == 3 {
                    refspecs.removeLast()
                    continue
                }
                throw .repositoryNotFound(url: url, detail: output.stderr.firstLine)
            case .authentication:
                throw .authenticationRequired(url: url)
            case .missingRef:
                throw .refNotFound(url: url, ref: ref)
            case .network:
                guard attempt < retry.attempts else {
                    throw .networkUnavailable(url: url, attempts: attempt, detail: output.stderr.firstLine)
                }
                let jitter = Double.random(in: 0.75...1.25)
                Thread.sleep(forTimeInterval: delay.seconds * jitter)
                delay = min(delay * 2, retry.maximumDelay)
            case .other:
                throw .gitFailed(command: "fetch \(url)", detail: output.stderr.firstLine)
            }
        }
    }

    private func resolveLocally(mirror: String, ref: String) -> String? {
        guard FileManager.default.fileExists(atPath: mirror + "/HEAD"),
            let output = try? GitCommand.run(["--git-dir", mirror, "rev-parse", "--verify", "--quiet", "--end-of-options", ref + "^{commit}"]),
            output.status == 0
        else { return nil }
        let commit = output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return Self.isFullCommitHash(commit) ? commit : nil
    }

    private func extract(mirror: String, commit: String, into directory: String) throws(ModuleError) {
        let parent = (directory as NSString).deletingLastPathComponent
        let staging = "\(parent)/.staging-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: staging) }
        do {
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        } catch {
            throw .gitFailed(command: "checkout", detail: "cannot create \(staging): \(error.localizedDescription)")
        }
        let archive = staging + ".tar"
        defer { try? FileManager.default.removeItem(atPath: archive) }
        let archived = try GitCommand.run(["--git-dir", mirror, "archive", "--format=tar", "-o", archive, commit])
        guard archived.status == 0 else { throw .gitFailed(command: "archive", detail: archived.stderr.firstLine) }
        let unpacked = try Self.untar(archive, into: staging)
        guard unpacked.status == 0 else { throw .gitFailed(command: "archive", detail: "tar: \(unpacked.stderr.firstLine)") }
        do {
            try FileManager.default.moveItem(atPath: staging, toPath: directory)
        } catch {
            // Another holder of an older lock layout may have won the race; theirs is identical.
            guard FileManager.default.fileExists(atPath: directory) else {
                throw .gitFailed(command: "checkout", detail: "cannot move the checkout into place: \(error.localizedDescription)")
            }
        }
    }

    private static func untar(_ archive: String, into directory: String) throws(ModuleError) -> GitCommand.Output {
        do {
            let output = try ExternalCommand("tar", ["--no-same-owner", "--no-same-permissions", "-xf", archive, "-C", directory]).run()
            return GitCommand.Output(status: output.status, stdout: "", stderr: output.stderr)
        } catch {
            throw .gitFailed(command: "archive", detail: error.description)
        }
    }

    // MARK: - Helpers

    enum FailureKind { case notFound, authentication, missingRef, network, other }

    /// Sorts git's error text into what to do about it.
    static func classify(_ stderr: String) -> FailureKind {
        let text = stderr.lowercased()
        if text.contains("authentication failed") || text.contains("could not read username") || text.contains("permission denied (publickey)")
            || text.contains("terminal prompts disabled")
        {
            return .authentication
        }
        if text.contains("couldn't find remote ref") || text.contains("not our ref") || text.contains("no such remote ref") {
            return .missingRef
        }
        if text.contains("repository not found") || text.contains("does not appear to be a git repository") || text.contains("not found")
            || text.contains("does not exist")
        {
            return .notFound
        }
        if text.contains("could not resolve host") || text.contains("connection refused") || text.contains("timed out")
            || text.contains("connection reset") || text.contains("early eof") || text.contains("unable to access")
            || text.contains("rpc failed") || text.contains("network is unreachable") || text.contains("temporary failure")
            || text.contains("the remote end hung up")
        {
            return .network
        }
        return .other
    }

    static func isFullCommitHash(_ text: String) -> Bool {
        (text.utf8.count == 40 || text.utf8.count == 64) && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    /// A readable, collision-free folder name for a repository URL.
    static func cacheKey(for url: String) -> String {
        var readable = url
        if let scheme = readable.range(of: "://") { readable = String(readable[scheme.upperBound...]) }
        readable = String(readable.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") ? $0 : "_" })
        readable = String(readable.prefix(80)).trimmingCharacters(in: CharacterSet(charactersIn: "._"))
        let digest = SHA256.hash(data: Data(url.utf8)).prefix(6).map { String(format: "%02x", $0) }.joined()
        return "\(readable.isEmpty ? "repo" : readable)-\(digest)"
    }
}

extension String {
    var firstLine: String {
        let lines = split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return lines.first { $0.lowercased().hasPrefix("fatal") || $0.lowercased().hasPrefix("error") } ?? lines.first ?? "no details"
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
