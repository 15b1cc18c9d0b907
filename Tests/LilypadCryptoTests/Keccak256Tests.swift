import Testing

@testable import LilypadCrypto

@Suite("Keccak-256")
struct Keccak256Tests {
    @Test(arguments: [
        ("", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"),
        ("abc", "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"),
        ("The quick brown fox jumps over the lazy dog", "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15"),
    ])
    func knownVectors(input: String, expected: String) {
        #expect(Hex.encode(Keccak256.hash(Array(input.utf8))) == expected)
    }

    @Test func isNotSHA3() {
        // SHA3-256("") is a7ffc6f8…; Ethereum's Keccak must differ.
        #expect(Hex.encode(Keccak256.hash([])) != "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a")
    }

    @Test(arguments: [0, 1, 135, 136, 137, 271, 272, 273, 1000])
    func streamingMatchesOneShot(length: Int) {
        let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        var hasher = Keccak256()
        var index = 0
        var step = 1
        while index < bytes.count {
            let end = min(index + step, bytes.count)
            hasher.update(bytes[index..<end])
            index = end
            step = step * 2 + 1
        }
        #expect(hasher.finalize() == Keccak256.hash(bytes))
    }
}
