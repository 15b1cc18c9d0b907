import Foundation
import Testing

@testable import LilypadImages

@Suite struct AuthChallengeTests {
    @Test func bearerWithQuestionMarkInRealm() throws {
        let challenges = AuthChallenge.parse(
            #"Bearer realm="https://auth.example.com/token?x=1&y=2",service="registry.example.com",scope="repository:a/b:pull,push""#)
        #expect(challenges.count == 1)
        let challenge = try #require(challenges.first)
        #expect(challenge.scheme == "bearer")
        #expect(challenge.parameters["realm"] == "https://auth.example.com/token?x=1&y=2")
        #expect(challenge.parameters["service"] == "registry.example.com")
        #expect(challenge.parameters["scope"] == "repository:a/b:pull,push")
    }

    @Test func basicAndSeveralChallenges() {
        let challenges = AuthChallenge.parse(
            #"Basic realm="Registry Realm", Bearer realm="http://127.0.0.1:5002/token",service=svc, error="a \"quoted\" word""#)
        #expect(challenges.map(\.scheme) == ["basic", "bearer"])
        #expect(challenges.first?.parameters["realm"] == "Registry Realm")
        #expect(challenges.last?.parameters["service"] == "svc")
        #expect(challenges.last?.parameters["error"] == #"a "quoted" word"#)
    }

    @Test func emptyAndOddHeaders() {
        #expect(AuthChallenge.parse("").isEmpty)
        #expect(AuthChallenge.parse("Bearer").map(\.scheme) == ["bearer"])
        #expect(AuthChallenge.parse(#"BEARER REALM="x""#).first?.parameters == ["realm": "x"])
    }

    @Test func dockerConfigCredentials() {
        let auth = Data("alice:s3cr:et".utf8).base64EncodedString()
        let json = #"{"auths":{"https://index.docker.io/v1/":{"auth":"\#(auth)"},"127.0.0.1:5001":{"auth":"\#(auth)"},"bad":{"auth":"!!"}}}"#
        let credentials = RegistryCredentials.parseDockerConfig(Data(json.utf8))
        #expect(credentials["registry-1.docker.io"] == RegistryCredentials(username: "alice", password: "s3cr:et"))
        #expect(credentials["127.0.0.1:5001"]?.username == "alice")
        #expect(credentials["bad"] == nil)
    }

    @Test func redirectsKeepAuthorizationOnlyWithinTheOrigin() throws {
        func url(_ text: String) throws -> URL { try #require(URL(string: text)) }
        #expect(RegistryClient.sameOrigin(try url("https://r.io/v2/x"), try url("https://R.io:443/other")))
        #expect(!RegistryClient.sameOrigin(try url("https://r.io/v2/x"), try url("https://cdn.r.io/blob")))
        #expect(!RegistryClient.sameOrigin(try url("https://r.io/v2/x"), try url("http://r.io/v2/x")))
        #expect(!RegistryClient.sameOrigin(try url("http://127.0.0.1:5000/v2"), try url("http://127.0.0.1:5001/v2")))
    }
}
