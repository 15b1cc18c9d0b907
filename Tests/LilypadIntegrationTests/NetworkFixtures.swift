import AsyncHTTPClient
import Foundation
import LilypadCore
import LilypadCrypto
import LilypadLedger
import LilypadLedgerService
import LilypadTestSupport
import Testing

/// Modules served from real git repositories over HTTP (git's dumb protocol, `python3 -m
/// http.server`): what a provider fetches from a module author's host.
final class HTTPModuleServer {
    let root: TemporaryDirectory
    let port: Int
    let process: ChildProcess

    /// `modules`: repository name → template text (tagged `v1`).
    init(modules: [String: String]) throws {
        root = try TemporaryDirectory(prefix: "module-server")
        port = try RegistryFixture.freePort()
        for (name, template) in modules {
            let work = root.url.appendingPathComponent("work-\(name)").path
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            try template.write(toFile: work + "/lilypad_module.json.tmpl", atomically: true, encoding: .utf8)
            for arguments in [
                ["init", "-q", work], ["-C", work, "add", "."],
                ["-C", work, "-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-qm", "v1"],
                ["-C", work, "tag", "v1"], ["clone", "-q", "--bare", work, root.path + "/\(name).git"],
                ["-C", root.path + "/\(name).git", "update-server-info"],
            ] {
                let git = try Oracle.run("/usr/bin/git", arguments)
                guard git.status == 0 else { throw Oracle.Failure(description: "git \(arguments): \(git.stderr)") }
            }
        }
        process = try ChildProcess(
            "/usr/bin/python3", ["-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", root.path], stdout: .null,
            stderr: .null)
        // Python can take a while to listen on a loaded machine: wait until it answers.
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline, process.isRunning {
            let answer = try Oracle.run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/"])
            if answer.stdout == "200" { return }
            usleep(50_000)
        }
        throw Oracle.Failure(description: "the module server did not answer on port \(port)")
    }

    func reference(_ name: String) -> String { "http://127.0.0.1:\(port)/\(name).git:v1" }

    deinit {
        process.send(SIGKILL)
        process.waitUntilExit()
    }

    /// A module template running `entrypoint` in the built-in cowsay image (or `image`).
    static func template(
        entrypoint: [String], image: String = "lilypad.local/cowsay:3.03", timeout: Int = 60, memory: String = ""
    ) -> String {
        let quoted = entrypoint.map { "\"\($0.replacingOccurrences(of: "\"", with: "\\\""))\"" }.joined(separator: ", ")
        return """
            {"machine": {"gpu": 0, "cpu": 500, "ram": 100},
             "job": {"APIVersion": "V1beta1", "Spec": {"Deal": {"Concurrency": 1},
               "Docker": {"Entrypoint": [\(quoted)], "Image": "\(image)"},
               "Engine": "Docker", "Network": {"Type": "None"}, "PublisherSpec": {"Type": "IPFS"},
               "Resources": {"GPU": "", "Memory": "\(memory)"}, "Timeout": \(timeout), "Verifier": "Noop"}}}
            """
    }
}

/// A `lilypad` service process (devnet, solver, provider, mediator…) that the test kills with SIGKILL.
final class LilypadProcess {
    let process: ChildProcess
    let log: URL

    init(_ arguments: [String], home: String, environment: [String: String] = [:]) throws {
        log = FileManager.default.temporaryDirectory.appendingPathComponent("lilypad-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        process = try ChildProcess(
            Oracle.lilypadBinary, arguments,
            environment: ProcessInfo.processInfo.environment.merging(environment.merging(["LILYPAD_HOME": home]) { $1 }) { $1 },
            stdout: .descriptor(handle.fileDescriptor), stderr: .descriptor(handle.fileDescriptor))
    }

    var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    func kill() {
        process.send(SIGKILL)
        process.waitUntilExit()
    }

    deinit {
        if process.isRunning { kill() }
        try? FileManager.default.removeItem(at: log)
    }
}

/// Waits until `url`'s health endpoint answers.
func waitForHealth(_ url: String, seconds: Int = 60) async throws {
    for _ in 0..<(seconds * 20) {
        var request = HTTPClientRequest(url: url + "/api/v1/health")
        request.method = .GET
        if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(1)), response.status == .ok { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw Oracle.Failure(description: "\(url) did not come up")
}

/// An account's balance plus escrow: what it owns on the ledger.
func holdings(_ ledger: LedgerClient, _ account: DevelopmentAccounts.Account) async throws -> UInt256 {
    let state = try await ledger.account(try EthereumAddress(account.address))
    return state.balance.adding(state.escrow) ?? .max
}

/// The deal ID `lilypad run` downloaded into `downloads`.
func downloadedDeal(_ downloads: URL) throws -> String {
    try #require(try FileManager.default.contentsOfDirectory(atPath: downloads.path).first { !$0.hasPrefix(".") })
}
