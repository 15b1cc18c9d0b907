import Testing

@testable import LilypadCrypto

@Suite("Keccak-256 into a caller's buffer")
struct Keccak256BufferTests {
    /// Every length across the first three blocks, including each padding case (0x01 and 0x80 in
    /// one byte at 135) and inputs whose lanes are not 8-byte aligned in memory.
    @Test func matchesTheAllocatingHashForEveryLength() {
        let bytes = (0..<(3 * 136 + 9)).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 17) }
        var digest = [UInt8](repeating: 0xEE, count: 32)
        for start in [0, 1] {
            for length in 0...(bytes.count - start) {
                let slice = Array(bytes[start..<(start + length)])
                bytes.withUnsafeBytes { raw in
                    let input = UnsafeRawBufferPointer(rebasing: raw[start..<(start + length)])
                    digest.withUnsafeMutableBytes { Keccak256.hash(input, into: $0) }
                }
                #expect(digest == Keccak256.hash(slice), "length \(length) at offset \(start)")
            }
        }
    }

    @Test func knownVector() {
        var digest = [UInt8](repeating: 0, count: 32)
        Array("abc".utf8).withUnsafeBytes { input in digest.withUnsafeMutableBytes { Keccak256.hash(input, into: $0) } }
        #expect(Hex.encode(digest) == "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")
    }
}
