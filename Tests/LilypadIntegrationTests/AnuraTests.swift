import AsyncHTTPClient
import Foundation
import LilypadCore
import LilypadCrypto
import LilypadLedger
import LilypadLedgerService
import LilypadSolverService
import NIOCore
import NIOHTTP1
import Testing

/// Anura end to end: `lilypad devnet` and `lilypad anura` as real processes, the real model
/// modules run as jobs by the devnet's provider, and the official `openai` Python SDK as the client.
@Suite("Anura end to end", .serialized, .enabled(if: getuid() == 0, "the sandbox needs root"))
struct AnuraTests {
    let home: TemporaryDirectory
    let ledgerPort = Int.random(in: 20_000..<30_000)
    let solverPort = Int.random(in: 30_000..<40_000)
    let anuraPort = Int.random(in: 40_000..<50_000)
    var ledger: LedgerClient { LedgerClient(baseURL: "http://127.0.0.1:\(ledgerPort)") }

    init() throws {
        home = try TemporaryDirectory(prefix: "lilypad-anura")
        chmod(home.path, 0o700)
    }

    /// `lilypad anura key create …`'s secret (its last line).
    func createKey(_ extra: [String]) throws -> String {
        let output = try Oracle.lilypad(["anura", "key", "create"] + extra, environment: ["LILYPAD_HOME": home.path])
        guard output.status == 0, let secret = output.stdout.split(separator: "\n").last else {
            throw Oracle.Failure(description: "key create: \(output.stderr)")
        }
        return String(secret)
    }

    @Test func theOpenAISDKPassesAgainstModelsRunningAsJobs() async throws {
        let network = try LilypadProcess(["devnet", "--ledger-port", "\(ledgerPort)", "--solver-port", "\(solverPort)"], home: home.path)
        defer { network.kill() }
        try await waitForHealth("http://127.0.0.1:\(solverPort)")
        for _ in 0..<400 where !FileManager.default.fileExists(atPath: home.path + "/devnet/network.json") {
            try await Task.sleep(for: .milliseconds(50))
        }
        let data = home.url.appendingPathComponent("data")
        let gateway = try LilypadProcess(["anura", "--port", "\(anuraPort)", "--data-dir", data.path], home: home.path)
        defer { gateway.kill() }
        try await waitForGateway(gateway, port: anuraPort)
        let key = try createKey(["--name", "sdk"])
        let limited = try createKey(["--name", "limited", "--rate-limit", "5"])
        let creatorBefore = try await holdings(ledger, DevelopmentAccounts.jobCreator)
        let providerBefore = try await holdings(ledger, DevelopmentAccounts.resourceProvider)

        let report = try Oracle.python(
            [Oracle.directory + "/anura_openai_acceptance.py", "http://127.0.0.1:\(anuraPort)/api/v1", key, limited], modules: ["openai"])
        let measured = try #require(try JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any], "\(report)\n\(gateway.output)")
        #expect(measured["embedding_dimensions"] as? Int == 384)
        // The model modules are warm: the provider kept the chat model's process between the chats,
        // through the third chat, which the client left mid-stream: stopped early, exit code 130.
        #expect(network.output.contains("the job creator asked the job to stop"), "\(network.output.suffix(4000))")
        #expect(network.output.contains("exit_code=130"), "\(network.output.suffix(4000))")
        #expect(network.output.contains("warm_process_jobs=5"), "\(network.output.suffix(4000))")

        let solver = SolverClient(baseURL: "http://127.0.0.1:\(solverPort)", key: try PrivateKey(hex: DevelopmentAccounts.jobCreator.privateKey))
        var deals = try await solver.deals()
        // The stopped chat's deal is settled in the background: give it a moment.
        for _ in 0..<600 where !deals.allSatisfy({ $0.state == .resultsAccepted }) {
            try await Task.sleep(for: .milliseconds(100))
            deals = try await solver.deals()
        }

        // Every inference was a job the key's owner paid for, through deals the provider ran.
        let listed = try Oracle.lilypad(["anura", "key", "list", "--json"], environment: ["LILYPAD_HOME": home.path])
        let keys = try JSONDecoder().decode([[String: AnyCodableValue]].self, from: Data(listed.stdout.utf8))
        let jobs = keys.compactMap { $0["jobs"]?.int }.reduce(0, +)
        #expect(jobs == 8, "chat ×5 (one stopped), embeddings ×2, audio ×1: \(listed.stdout)")
        #expect((keys.first { $0["name"]?.string == "sdk" }?["completion_tokens"]?.int ?? 0) > 0)
        #expect(deals.count == jobs)
        #expect(
            deals.allSatisfy {
                $0.state == .resultsAccepted && $0.resourceProvider.lowercased() == DevelopmentAccounts.resourceProvider.address.lowercased()
            })
        let price = UInt256.lp(UInt64(jobs))
        #expect(try await holdings(ledger, DevelopmentAccounts.jobCreator) == creatorBefore.subtracting(price))
        #expect(try await holdings(ledger, DevelopmentAccounts.resourceProvider) == providerBefore.adding(price))
    }

    /// A stand-in media model (a test fixture, in the cowsay image): writes `outputs/<file>` as a
    /// PNG signature followed by the `REQUEST` it was given, so the test sees what reached the job.
    static func mediaModule(writing file: String) -> String {
        #"""
        {"machine": {"gpu": 0, "cpu": 500, "ram": 100},
         "job": {"APIVersion": "V1beta1", "Spec": {"Deal": {"Concurrency": 1},
           "Docker": {"Entrypoint": ["perl", "-e", "open my $f, '>', '/outputs/\#(file)' or die $!; binmode $f; print $f qq(\\x89PNG\\r\\n\\x1a\\n), $ENV{REQUEST}"],
             "EnvironmentVariables": [{{ if .Request }}"{{ subst "REQUEST=%s" .Request }}"{{else}}"REQUEST="{{ end }}],
             "Image": "lilypad.local/cowsay:3.03"},
           "Engine": "Docker", "Network": {"Type": "None"}, "PublisherSpec": {"Type": "IPFS"},
           "Resources": {"GPU": ""}, "Timeout": 60, "Verifier": "Noop"}}}
        """#
    }

    @Test func imageAndVideoModelsNamedInAModelsFileRunAsJobsOnceOffered() async throws {
        let modules = try HTTPModuleServer(modules: [
            "painter": Self.mediaModule(writing: "image.png"), "film": Self.mediaModule(writing: "video.webp"),
        ])
        let network = try LilypadProcess(["devnet", "--ledger-port", "\(ledgerPort)", "--solver-port", "\(solverPort)"], home: home.path)
        defer { network.kill() }
        try await waitForHealth("http://127.0.0.1:\(solverPort)")
        for _ in 0..<400 where !FileManager.default.fileExists(atPath: home.path + "/devnet/network.json") {
            try await Task.sleep(for: .milliseconds(50))
        }
        let models = home.url.appendingPathComponent("models.json")
        let catalog =
            #"[{"id": "pond-painter", "kind": "image", "module": "\#(modules.reference("painter"))", "owned_by": "frogs"},"#
            + #" {"id": "pond-film", "kind": "video", "module": "\#(modules.reference("film"))"}]"#
        try Data(catalog.utf8).write(to: models)
        let gateway = try LilypadProcess(
            ["anura", "--port", "\(anuraPort)", "--data-dir", home.url.appendingPathComponent("data").path, "--models", models.path], home: home.path)
        defer { gateway.kill() }
        try await waitForGateway(gateway, port: anuraPort)
        let key = try createKey(["--name", "media"])
        let creatorBefore = try await holdings(ledger, DevelopmentAccounts.jobCreator)

        func call(_ method: HTTPMethod, _ path: String, _ body: String? = nil) async throws -> (Int, HTTPHeaders, [UInt8]) {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(anuraPort)/api/v1" + path)
            request.method = method
            request.headers.add(name: "Authorization", value: "Bearer \(key)")
            if let body {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(string: body))
            }
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
            return (Int(response.status.code), response.headers, Array(buffer: try await response.body.collect(upTo: 1 << 24)))
        }
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

        let (_, _, listed) = try await call(.GET, "/image/models")
        #expect(String(decoding: listed, as: UTF8.self).contains("pond-painter"), "\(String(decoding: listed, as: UTF8.self))")
        let (_, _, all) = try await call(.GET, "/models")
        #expect(String(decoding: all, as: UTF8.self).contains(#""owned_by":"frogs""#))

        // The image comes back as the response body, with the job's offer id in a header.
        let body = #"{"model": "pond-painter", "prompt": "A spaceship parked on a lilypad"}"#
        let (status, headers, image) = try await call(.POST, "/image/generate", body)
        #expect(status == 200, "\(String(decoding: image, as: UTF8.self))\n\(gateway.output)")
        #expect(headers["Content-Type"].first == "image/png")
        #expect(headers["Job-Offer-Id"].first?.hasPrefix("Qm") == true, "\(headers)")
        #expect(Array(image.prefix(8)) == signature)
        #expect(Data(base64Encoded: Data(image.dropFirst(8))) == Data(body.utf8), "the job got the request body as REQUEST")
        #expect(try await call(.POST, "/image/generate", #"{"model": "pond-painter", "prompt": " "}"#).0 == 400)
        #expect(try await call(.POST, "/image/generate", #"{"model": "pond-film", "prompt": "x"}"#).0 == 404, "a video model is not an image model")

        // A video is a job to poll: 202 with status 102 while it runs, then the file.
        let (created, _, answer) = try await call(
            .POST, "/video/create-job", #"{"model": "pond-film", "prompt": "Two frogs talk", "negative_prompt": "dull"}"#)
        #expect(created == 200, "\(String(decoding: answer, as: UTF8.self))")
        let data = try #require(try JSONSerialization.jsonObject(with: Data(answer)) as? [String: Any])["data"] as? [String: Any]
        let id = try #require(data?["job_offer_id"] as? String)
        var video: (Int, HTTPHeaders, [UInt8]) = (0, [:], [])
        for _ in 0..<1200 {
            video = try await call(.GET, "/video/results/\(id)")
            guard video.0 == 202 else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(video.0 == 200 && video.1["Content-Type"].first == "image/webp", "\(String(decoding: video.2, as: UTF8.self))")
        #expect(Array(video.2.prefix(8)) == signature)
        #expect(try await call(.POST, "/video/create-job", #"{"model": "pond-film", "prompt": "x", "negative_prompt": 3}"#).0 == 400)
        #expect(try await holdings(ledger, DevelopmentAccounts.jobCreator) == creatorBefore.subtracting(.lp(2)))
    }
}

/// Just enough JSON for `key list --json`.
enum AnyCodableValue: Decodable {
    case int(Int), string(String), null

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    var int: Int? { if case .int(let value) = self { value } else { nil } }
    var string: String? { if case .string(let value) = self { value } else { nil } }
}
