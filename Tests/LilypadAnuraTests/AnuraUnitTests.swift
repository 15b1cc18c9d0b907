import Foundation
import LilypadAnura
import LilypadCrypto
import LilypadSolver
import Testing

@Suite struct APIKeyStoreTests {
    func store() throws -> APIKeyStore {
        try APIKeyStore(path: FileManager.default.temporaryDirectory.appendingPathComponent("anura-keys-\(UUID().uuidString).sqlite").path)
    }

    @Test func keysAreStoredHashedAndAuthenticateUntilRevoked() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("anura-keys-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try APIKeyStore(path: path)
        let owner = try EthereumAddress("0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc")
        let (secret, record) = try store.create(owner: owner, name: "test")
        #expect(record.rateLimit == 20)
        #expect(try store.authenticate(secret)?.id == record.id)
        #expect(try store.authenticate(secret + "x") == nil)
        // The database (its file and its write-ahead log) holds the hash, never the secret.
        let bytes = try [path, path + "-wal"].filter { FileManager.default.fileExists(atPath: $0) }
            .reduce(into: Data()) { $0 += try Data(contentsOf: URL(fileURLWithPath: $1)) }
        #expect(bytes.range(of: Data(secret.utf8)) == nil)
        #expect(bytes.range(of: Data(APIKeyStore.hash(secret).utf8)) != nil)
        try store.recordUsage(id: record.id, requests: 2, promptTokens: 10, completionTokens: 5, jobs: 1)
        let listed = try #require(try store.list().first)
        #expect((listed.requests, listed.promptTokens, listed.completionTokens, listed.jobs) == (2, 10, 5, 1))
        try store.revoke(record.id)
        #expect(try store.authenticate(secret) == nil)
        #expect(throws: APIKeyStore.Failure.self) { try store.revoke("key_unknown") }
    }

    @Test func hashIsSHA256Hex() {
        #expect(APIKeyStore.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}

@Suite struct KeyRateLimiterTests {
    @Test func aBurstOfTheRateThenRefillsOverASecond() {
        let limiter = KeyRateLimiter()
        let admitted = (0..<30).filter { _ in limiter.admit(key: "k", rate: 20, now: 100) }.count
        #expect(admitted == 20)
        #expect(!limiter.admit(key: "k", rate: 20, now: 100.01))
        #expect(limiter.admit(key: "k", rate: 20, now: 100.1))  // 0.1 s refills 2 tokens
        #expect(limiter.admit(key: "other", rate: 20, now: 100))  // keys are separate
    }
}

@Suite struct ModelCatalogTests {
    @Test func onlyModelsSomeOfferAcceptsAreListed() {
        let catalog = ModelCatalog.builtin
        #expect(catalog.offered(by: []).isEmpty)
        let chatOnly = [OfferedModules(resourceProvider: "0x1", modules: ["smollm2-135m-instruct:v0.3.0", "cowsay:v0.0.4"])]
        #expect(catalog.offered(by: chatOnly).map(\.id) == ["smollm2-135m-instruct"])
        let byName = [OfferedModules(resourceProvider: "0x1", modules: ["hibari-tts"])]
        #expect(catalog.offered(by: byName).map(\.id) == ["hibari-tts"])
        let any = [OfferedModules(resourceProvider: "0x1", modules: nil)]
        #expect(catalog.offered(by: any).count == catalog.entries.count)
    }

    @Test func aModelsFileAddsModelsAndItsMistakesAreNamed() throws {
        let file = #"[{"id": "sdxl-turbo", "kind": "image", "module": "https://example.org/sdxl.git:v1", "owned_by": "stabilityai"}]"#
        let catalog = try ModelCatalog.builtin.adding(json: Data(file.utf8), source: "models.json")
        let added = try #require(catalog.entries.last)
        #expect(added == ModelCatalog.Entry(id: "sdxl-turbo", kind: .image, module: "https://example.org/sdxl.git:v1", ownedBy: "stabilityai"))
        // A provider allowing the repository (any version) offers it; one allowing `https` does not.
        let byRepository = [OfferedModules(resourceProvider: "0x1", modules: ["https://example.org/sdxl.git"])]
        #expect(catalog.offered(by: byRepository).map(\.id) == ["sdxl-turbo"])
        #expect(catalog.offered(by: [OfferedModules(resourceProvider: "0x1", modules: ["https"])]).isEmpty)

        let mistakes: [(String, String)] = [
            ("{}", "not a JSON array"),
            (#"[{"id": "x", "kind": "photo", "module": "m:v1"}]"#, "kind `photo`; use one of chat, embeddings, audio, image, video"),
            (#"[{"id": "x", "kind": "image", "module": "m"}]"#, "without a version"),
            (#"[{"id": "", "kind": "image", "module": "m:v1"}]"#, "non-empty `id`"),
            (#"[{"id": "hibari-tts", "kind": "audio", "module": "m:v1"}]"#, "already in the catalog"),
        ]
        for (text, expected) in mistakes {
            #expect {
                _ = try ModelCatalog.builtin.adding(json: Data(text.utf8), source: "models.json")
            } throws: { error in
                "\(error)".contains(expected) && "\(error)".hasPrefix("models.json")
            }
        }
    }
}

@Suite struct AnuraErrorTests {
    @Test func bodiesHaveOpenAIsShape() throws {
        let body = try #require(try JSONSerialization.jsonObject(with: Data(AnuraError.modelNotFound("x", kind: "chat").body)) as? [String: Any])
        let error = try #require(body["error"] as? [String: Any])
        #expect(error["type"] as? String == "invalid_request_error")
        #expect(error["code"] as? String == "model_not_found")
        #expect(error["param"] as? String == "model")
        #expect((error["message"] as? String)?.contains("x") == true)
        #expect(AnuraError.rateLimited(limit: 20).status.code == 429)
        #expect(AnuraError.unauthorized("no").status.code == 401)
        let nullParam = try #require(try JSONSerialization.jsonObject(with: Data(AnuraError.server("boom").body)) as? [String: Any])
        #expect((nullParam["error"] as? [String: Any])?["param"] is NSNull)
    }
}
