import Testing

@testable import LilypadImages

@Suite struct ImageReferenceTests {
    static let digest = "sha256:" + String(repeating: "ab", count: 32)

    @Test(arguments: [
        ("busybox", "registry-1.docker.io", "library/busybox", "latest", "docker.io/library/busybox:latest"),
        ("busybox:1.36", "registry-1.docker.io", "library/busybox", "1.36", "docker.io/library/busybox:1.36"),
        ("docker.io/busybox", "registry-1.docker.io", "library/busybox", "latest", "docker.io/library/busybox:latest"),
        ("index.docker.io/library/busybox:x", "registry-1.docker.io", "library/busybox", "x", "docker.io/library/busybox:x"),
        ("lilypadnetwork/cowsay:v0.0.4", "registry-1.docker.io", "lilypadnetwork/cowsay", "v0.0.4", "docker.io/lilypadnetwork/cowsay:v0.0.4"),
        ("localhost:5000/x", "localhost:5000", "x", "latest", "localhost:5000/x:latest"),
        ("localhost/x/y", "localhost", "x/y", "latest", "localhost/x/y:latest"),
        ("127.0.0.1:5000/a/b:1", "127.0.0.1:5000", "a/b", "1", "127.0.0.1:5000/a/b:1"),
        ("ghcr.io/org/team/img:v1.2_beta-3", "ghcr.io", "org/team/img", "v1.2_beta-3", "ghcr.io/org/team/img:v1.2_beta-3"),
        ("[::1]:5000/x:y", "[::1]:5000", "x", "y", "[::1]:5000/x:y"),
        ("a/b__c.d-e--f", "registry-1.docker.io", "a/b__c.d-e--f", "latest", "docker.io/a/b__c.d-e--f:latest"),
    ])
    func parses(_ text: String, registry: String, repository: String, tag: String, description: String) throws {
        let reference = try ImageReference(parsing: text)
        #expect(reference.registry == registry)
        #expect(reference.repository == repository)
        #expect(reference.tag == tag)
        #expect(reference.digest == nil)
        #expect(reference.description == description)
    }

    @Test func digestsPinTheManifest() throws {
        let bare = try ImageReference(parsing: "127.0.0.1:5000/a/b@\(Self.digest)")
        #expect(bare.tag == nil)
        #expect(bare.digest?.description == Self.digest)
        #expect(bare.manifestReference == Self.digest)
        #expect(bare.description == "127.0.0.1:5000/a/b@\(Self.digest)")
        let tagged = try ImageReference(parsing: "busybox:1@\(Self.digest)")
        #expect(tagged.tag == "1")
        #expect(tagged.manifestReference == Self.digest)
    }

    @Test(arguments: [
        ("", "empty"), ("Busybox", "lowercase"), ("busybox:", "invalid tag"), ("busybox:-x", "invalid tag"), ("a//b", "empty path component"),
        ("busybox@sha256:abc", "64 lowercase hex"), ("busybox@md5:abc", "unsupported algorithm"), ("a b", "white space"), ("a/-b", "component"),
        ("host:99999/x", "registry host"), ("/x", "empty"),
    ])
    func rejects(_ text: String, reason: String) {
        #expect {
            try ImageReference(parsing: text)
        } throws: { error in
            "\(error)".contains(reason)
        }
    }

    @Test(arguments: [
        ("localhost", true), ("localhost:5000", true), ("127.0.0.1:5000", true), ("127.5.6.7", true), ("[::1]:5000", true),
        ("128.0.0.1:5000", false), ("127.0.0.1.example.com", false), ("registry-1.docker.io", false), ("localhost.example:5000", false),
    ])
    func loopbackRegistriesUsePlainHTTP(_ registry: String, loopback: Bool) {
        #expect(RegistryClient.isLoopback(registry) == loopback)
    }
}
