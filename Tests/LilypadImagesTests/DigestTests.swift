import Testing

@testable import LilypadImages

@Suite struct DigestTests {
    @Test func sha256OfEmptyInput() {
        #expect(Digest.sha256(of: [UInt8]()).description == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test(arguments: [
        "sha256", "md5:d41d8cd98f00b204e9800998ecf8427e", "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", "sha256:abc",
    ])
    func rejectsMalformedDigests(_ text: String) {
        #expect(throws: ImageError.self) { try Digest(parsing: text) }
    }
}
