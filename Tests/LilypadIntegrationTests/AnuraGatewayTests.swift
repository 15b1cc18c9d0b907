import AsyncHTTPClient
import Foundation
import LilypadCore
import NIOCore
import Testing

/// `lilypad anura` without models: keys, errors and web search through a stand-in search backend.
@Suite("Anura gateway", .serialized)
struct AnuraGatewayTests {
    @Test func webSearchGoesThroughTheConfiguredBackendAndKeysAreChecked() async throws {
        let home = try TemporaryDirectory(prefix: "lilypad-anura-gw")
        let searchPort = Int.random(in: 50_000..<55_000)
        let anuraPort = Int.random(in: 55_000..<60_000)
        let backend = try ChildProcess("python3", [Oracle.directory + "/search_backend_stub.py", "\(searchPort)"])
        defer {
            backend.send(SIGKILL)
            backend.waitUntilExit()
        }
        // No network is needed for search: the solver URL is only used for models and jobs.
        let gateway = try LilypadProcess(
            [
                "anura", "--port", "\(anuraPort)", "--search-url", "http://127.0.0.1:\(searchPort)", "--solver-url", "http://127.0.0.1:9",
                "--account-key", DevelopmentAccounts.jobCreator.privateKey,
            ],
            home: home.path)
        defer { gateway.kill() }
        try await waitForGateway(gateway, port: anuraPort)
        let created = try Oracle.lilypad(["anura", "key", "create", "--name", "search"], environment: ["LILYPAD_HOME": home.path])
        let key = try #require(created.stdout.split(separator: "\n").last.map(String.init), "\(created.stderr)")

        func post(_ body: String, key: String) async throws -> (Int, [String: Any]) {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(anuraPort)/api/v1/websearch")
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(key)")
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            let data = Data(buffer: try await response.body.collect(upTo: 1 << 20))
            return (Int(response.status.code), (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:])
        }

        let (status, answer) = try await post(#"{"query": "lily pads & frogs", "number_of_results": 3}"#, key: key)
        #expect(status == 200, "\(answer)\n\(gateway.output)")
        let results = try #require(answer["results"] as? [[String: String]])
        #expect(results.count == 3 && answer["count"] as? Int == 3)
        #expect(results.first == ["title": "lily pads & frogs 0", "url": "https://example.org/0", "description": "about lily pads & frogs"])
        #expect(answer["related_queries"] as? [String] == ["lily pads & frogs more"])

        let (tooMany, refusal) = try await post(#"{"query": "x", "number_of_results": 11}"#, key: key)
        #expect(tooMany == 400 && (refusal["error"] as? [String: Any])?["param"] as? String == "number_of_results")
        let (badKey, unauthorized) = try await post(#"{"query": "x"}"#, key: "lp-wrong")
        #expect(badKey == 401 && (unauthorized["error"] as? [String: Any])?["code"] as? String == "invalid_api_key")

        // A revoked key is refused.
        let id = try #require(created.stdout.split(separator: " ").first.map(String.init))
        #expect(try Oracle.lilypad(["anura", "key", "revoke", id], environment: ["LILYPAD_HOME": home.path]).status == 0)
        #expect(try await post(#"{"query": "x"}"#, key: key).0 == 401)
    }
}

/// Waits until the gateway answers its health check; fails at once with its output if it exits.
func waitForGateway(_ gateway: LilypadProcess, port: Int) async throws {
    for _ in 0..<1200 {
        guard gateway.process.isRunning else { throw Oracle.Failure(description: "lilypad anura exited: \(gateway.output)") }
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/v1/health")
        request.method = .GET
        if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(1)), response.status == .ok { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw Oracle.Failure(description: "lilypad anura did not come up: \(gateway.output)")
}
