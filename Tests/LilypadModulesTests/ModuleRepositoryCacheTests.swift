import Foundation
import Testing

@testable import LilypadModules

/// Fetching from a real git repository served over file://.
@Suite("Module repository cache", .serialized)
struct ModuleRepositoryCacheTests {
    let root: String
    let origin: String
    var commits: [String] = []

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("modcache-\(UUID().uuidString)").path
        origin = root + "/origin"
        try FileManager.default.createDirectory(atPath: origin, withIntermediateDirectories: true)
        let env = [
            "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t",
            "GIT_CONFIG_GLOBAL": "/dev/null",
        ]
        func git(_ args: [String]) throws -> String {
            let output = try GitCommand.run(["-c", "commit.gpgsign=false"] + args, in: origin, environment: env)
            try #require(output.status == 0, "git \(args): \(output.stderr)")
            return output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        _ = try git(["init", "--quiet", "--initial-branch=main"])
        for version in ["v1", "v2"] {
            try Data("{\"version\": \"\(version)\"}".utf8).write(to: URL(fileURLWithPath: origin + "/lilypad_module.json.tmpl"))
            _ = try git(["add", "--all"])
            _ = try git(["commit", "--quiet", "-m", version])
            _ = try git(["tag", version])
            commits.append(try git(["rev-parse", "HEAD"]))
        }
        _ = try git(["checkout", "--quiet", "-b", "feature", commits[0]])
    }

    var cache: ModuleRepositoryCache {
        ModuleRepositoryCache(root: root + "/cache", retry: .init(attempts: 2, initialDelay: .milliseconds(1)))
    }

    func template(_ checkout: ModuleCheckout) throws -> String {
        try String(contentsOfFile: checkout.directory + "/lilypad_module.json.tmpl", encoding: .utf8)
    }

    @Test func fetchesByTagBranchAndCommit() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let url = "file://" + origin
        let byTag = try cache.checkout(url: url, ref: "v1")
        #expect(byTag.commit == commits[0])
        #expect(try template(byTag).contains("v1"))
        #expect(try cache.checkout(url: url, ref: "main").commit == commits[1])
        #expect(try cache.checkout(url: url, ref: "feature").commit == commits[0])
        let byCommit = try cache.checkout(url: url, ref: commits[1])
        #expect(byCommit.commit == commits[1] && !byCommit.offline)
        #expect(try template(byCommit).contains("v2"))
        #expect(try cache.checkout(url: url, ref: String(commits[1].prefix(10))).commit == commits[1])
    }

    @Test func missingRefSaysSoInOneLine() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let error = #expect(throws: ModuleError.self) { try cache.checkout(url: "file://" + origin, ref: "v9") }
        #expect(error == .refNotFound(url: "file://" + origin, ref: "v9"))
        #expect(error?.description.contains("\n") == false)
        let missingRepository = #expect(throws: ModuleError.self) { try cache.checkout(url: "file://" + root + "/nowhere", ref: "v1") }
        if case .repositoryNotFound = missingRepository {
        } else {
            Issue.record("expected repositoryNotFound, got \(String(describing: missingRepository))")
        }
    }

    @Test func cachedCommitsWorkOffline() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        // A host that refuses connections, whose mirror was filled earlier (here: from the local origin).
        let url = "http://127.0.0.1:1/team/module.git"
        let mirror = "\(root)/cache/mirrors/\(ModuleRepositoryCache.cacheKey(for: url)).git"
        #expect(try GitCommand.run(["init", "--quiet", "--bare", mirror]).status == 0)
        #expect(try GitCommand.run(["--git-dir", mirror, "fetch", "--quiet", "file://" + origin, "+refs/tags/*:refs/tags/*"]).status == 0)

        let byCommit = try cache.checkout(url: url, ref: commits[1])
        #expect(byCommit.commit == commits[1] && !byCommit.offline)  // a known commit needs no network at all
        let byTag = try cache.checkout(url: url, ref: "v1")
        #expect(byTag.commit == commits[0] && byTag.offline)  // the network failed; the cached tag is used
        let error = #expect(throws: ModuleError.self) { try cache.checkout(url: url, ref: "v3") }
        #expect(
            error
                == .networkUnavailable(
                    url: url, attempts: 2, detail: error.flatMap { if case .networkUnavailable(_, _, let d) = $0 { d } else { nil } } ?? ""))
    }

    @Test func classifiesGitErrors() {
        #expect(ModuleRepositoryCache.classify("fatal: unable to access 'https://x/': Could not resolve host: x") == .network)
        #expect(ModuleRepositoryCache.classify("remote: Repository not found.\nfatal: repository 'https://github.com/a/b/' not found") == .notFound)
        #expect(
            ModuleRepositoryCache.classify("fatal: could not read Username for 'https://github.com': terminal prompts disabled") == .authentication)
        #expect(ModuleRepositoryCache.classify("fatal: couldn't find remote ref refs/tags/v9") == .missingRef)
    }

    @Test func builtinRepositoriesAreDeterministic() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let first = try BuiltinModules.materialize(in: root + "/a")
        let second = try BuiltinModules.materialize(in: root + "/b")
        let cowsay = try #require(first["cowsay"])
        let a = try ModuleRepositoryCache(root: root + "/a-cache").checkout(url: cowsay, ref: "v0.0.4")
        let b = try ModuleRepositoryCache(root: root + "/b-cache").checkout(url: try #require(second["cowsay"]), ref: "v0.0.4")
        #expect(a.commit == b.commit)
        #expect(try template(a).contains("/usr/games/cowsay"))
        // Materialising again is a no-op that keeps the same repository.
        #expect(try BuiltinModules.materialize(in: root + "/a") == first)
    }
}
