import Foundation
import Testing

@testable import LilypadCrypto

@Suite("Request signatures")
struct RequestSignatureTests {
    let key: PrivateKey
    let other: PrivateKey
    let now: Int64 = 1_764_000_000_000
    let body = Array(#"{"job_creator":"0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"}"#.utf8)

    init() throws {
        key = try PrivateKey(hex: "5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a")
        other = try PrivateKey(hex: "4c0883a69102937d6231471b5dbb6204fe512961708279df95b4a2200eb6b5e7")
    }

    // MARK: Lilypad v2 headers

    @Test func legacyHeaderVector() throws {
        // Reference §2.2.
        let headers = LegacyAuthHeaders(signingWith: key)
        #expect(headers.user == "eyJhZGRyZXNzIjoiMHgzQzQ0Q2REZEI2YTkwMGZhMmI1ODVkZDI5OWUwM2QxMkZBNDI5M0JDIn0=")
        #expect(headers.signature == "vQyI8283hGYnX8XWCm5pinTksIYSSRhUAIcSPeMwIXs5HH3labmLYdNLyZkN9Q53JU+ff6hY6KXxAaIUANbBKwA=")
        #expect(try headers.verify() == key.address)
    }

    @Test func legacyHeadersFromAnotherKeyAreRefused() {
        let mine = LegacyAuthHeaders(signingWith: key), theirs = LegacyAuthHeaders(signingWith: other)
        #expect(throws: RequestAuthError.badSignature) { try LegacyAuthHeaders(user: mine.user, signature: theirs.signature).verify() }
        #expect(throws: RequestAuthError.self) { try LegacyAuthHeaders(user: "!!", signature: mine.signature).verify() }
    }

    // MARK: Replay-proof signatures

    func headers(_ request: SignedRequest) -> (String) -> String? {
        let fields = request.fields
        return { name in fields.first { $0.name.lowercased() == name.lowercased() }?.value }
    }

    func sign(
        method: String = "POST", target: String = "/api/v1/job_offers", body: [UInt8]? = nil, timestamp: Int64? = nil,
        nonce: String = "0123456789abcdef0123456789abcdef", key: PrivateKey? = nil
    ) -> SignedRequest {
        SignedRequest.sign(
            method: method, target: target, audience: "solver.local:8080", body: body ?? self.body, key: key ?? self.key,
            timestamp: timestamp ?? now, nonce: nonce)
    }

    func verify(
        _ verifier: RequestVerifier, _ request: SignedRequest, method: String = "POST", target: String = "/api/v1/job_offers",
        audience: String = "solver.local:8080", body: [UInt8]? = nil, now: Int64? = nil
    ) throws(RequestAuthError) -> EthereumAddress {
        try verifier.verify(
            method: method, target: target, audience: audience, body: body ?? self.body, header: headers(request), now: now ?? self.now)
    }

    @Test func validRequestIsAcceptedOnce() throws {
        let verifier = RequestVerifier()
        let request = sign()
        #expect(try verify(verifier, request) == key.address)
        #expect(throws: RequestAuthError.replayed) { try verify(verifier, request) }
        #expect(throws: RequestAuthError.replayed) { try verify(verifier, request, now: now + 20_000) }
        // Case of the method and host does not matter; a fresh nonce makes a new request.
        #expect(try verify(verifier, sign(nonce: "fresh-nonce-000000001"), method: "post", audience: "SOLVER.local:8080") == key.address)
    }

    @Test(arguments: ["body", "path", "query", "method", "audience"])
    func tamperingIsDetected(part: String) {
        let verifier = RequestVerifier()
        let request = sign(target: "/api/v1/job_offers?x=1")
        #expect(throws: RequestAuthError.badSignature) {
            switch part {
            case "body": _ = try verify(verifier, request, target: "/api/v1/job_offers?x=1", body: body + [0x20])
            case "path": _ = try verify(verifier, request, target: "/api/v1/resource_offers?x=1")
            case "query": _ = try verify(verifier, request, target: "/api/v1/job_offers?x=2")
            case "method": _ = try verify(verifier, request, method: "PUT", target: "/api/v1/job_offers?x=1")
            default: _ = try verify(verifier, request, target: "/api/v1/job_offers?x=1", audience: "other.example")
            }
        }
    }

    @Test func alteredHeadersAreDetected() {
        let verifier = RequestVerifier()
        var request = sign()
        request.timestamp += 1
        #expect(throws: RequestAuthError.badSignature) { try verify(verifier, request) }
        request = sign()
        request.nonce = "another-nonce-0000000"
        #expect(throws: RequestAuthError.badSignature) { try verify(verifier, request) }
        request = sign()
        request.address = other.address  // claims to be someone else
        #expect(throws: RequestAuthError.badSignature) { try verify(verifier, request) }
    }

    @Test func clockWindow() throws {
        let verifier = RequestVerifier(windowSeconds: 30)
        #expect(try verify(verifier, sign(timestamp: now - 29_000, nonce: "aaaaaaaaaaaaaaaa1")) == key.address)
        #expect(try verify(verifier, sign(timestamp: now + 29_000, nonce: "aaaaaaaaaaaaaaaa2")) == key.address)
        #expect(throws: RequestAuthError.staleTimestamp(skewMilliseconds: -31_000, windowMilliseconds: 30_000)) {
            try verify(verifier, sign(timestamp: now - 31_000, nonce: "aaaaaaaaaaaaaaaa3"))
        }
        #expect(throws: RequestAuthError.staleTimestamp(skewMilliseconds: 31_000, windowMilliseconds: 30_000)) {
            try verify(verifier, sign(timestamp: now + 31_000, nonce: "aaaaaaaaaaaaaaaa4"))
        }
    }

    @Test func replayAfterTheWindowIsStillRefused() {
        // The cache forgets the nonce once the timestamp is out of the window, and the window check takes over.
        let verifier = RequestVerifier(windowSeconds: 30)
        let request = sign()
        _ = try? verify(verifier, request)
        #expect(throws: RequestAuthError.staleTimestamp(skewMilliseconds: -31_000, windowMilliseconds: 30_000)) {
            try verify(verifier, request, now: now + 31_000)
        }
        #expect(verifier.rememberedNonces == 1)
        _ = try? verify(verifier, sign(timestamp: now + 61_000, nonce: "later-request-000001"), now: now + 61_000)
        #expect(verifier.rememberedNonces == 1)  // the first one was pruned
    }

    @Test func sameNonceFromTwoSignersIsNotAReplay() throws {
        let verifier = RequestVerifier()
        _ = try verify(verifier, sign())
        #expect(try verify(verifier, sign(key: other)) == other.address)
    }

    @Test func boundedCacheRefusesRatherThanForgets() throws {
        let verifier = RequestVerifier(capacity: 2)
        _ = try verify(verifier, sign(nonce: "nonce-number-000001"))
        _ = try verify(verifier, sign(nonce: "nonce-number-000002"))
        let error = #expect(throws: RequestAuthError.nonceCacheFull) { try verify(verifier, sign(nonce: "nonce-number-000003")) }
        #expect(error?.httpStatus == 503)
    }

    @Test func audienceRestriction() throws {
        let verifier = RequestVerifier(audiences: ["solver.local:8080"])
        let request = SignedRequest.sign(method: "GET", target: "/", audience: "elsewhere:1", body: [UInt8](), key: key, timestamp: now)
        #expect(throws: RequestAuthError.wrongAudience("elsewhere:1")) {
            try verifier.verify(method: "GET", target: "/", audience: "elsewhere:1", body: [], header: headers(request), now: now)
        }
    }

    @Test func missingAndMalformedHeaders() {
        let verifier = RequestVerifier()
        let request = sign()
        for name in [SignedRequest.Header.address, SignedRequest.Header.timestamp, SignedRequest.Header.nonce, SignedRequest.Header.signature] {
            let lookup = headers(request)
            let error = #expect(throws: RequestAuthError.missingHeader(name)) {
                try verifier.verify(
                    method: "POST", target: "/api/v1/job_offers", audience: "solver.local:8080", body: body,
                    header: { $0 == name ? nil : lookup($0) }, now: now)
            }
            #expect(error?.httpStatus == 401)
        }
        #expect(throws: RequestAuthError.self) { try verify(verifier, sign(nonce: "short")) }
        #expect(throws: RequestAuthError.self) { try verify(verifier, sign(nonce: "has spaces in it 12345")) }
    }

    @Test func canonicalTextIsStable() {
        // The exact text of docs/protocol.md's example.
        let text = SignedRequest.canonicalText(
            method: "post", target: "/api/v1/job_offers?a=1", audience: "Solver.Example:8080",
            bodyDigest: Array(repeating: 0xAB, count: 32), timestamp: 1_764_000_000_000,
            nonce: "0123456789abcdef0123456789abcdef")
        #expect(
            text == """
                lilypad-request-v1
                solver.example:8080
                POST
                /api/v1/job_offers?a=1
                abababababababababababababababababababababababababababababababab
                1764000000000
                0123456789abcdef0123456789abcdef
                """)
    }
}
