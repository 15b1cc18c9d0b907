import Testing

@testable import LilypadCrypto

@Suite("Base58 against the textbook algorithm")
struct Base58PropertyTests {
    /// One division per digit per byte: slow, obviously right.
    static func textbookEncode(_ bytes: [UInt8]) -> String {
        let alphabet = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".utf8)
        let zeros = bytes.prefix { $0 == 0 }.count
        var digits: [UInt8] = []
        for byte in bytes[zeros...] {
            var carry = Int(byte)
            for index in digits.indices {
                carry += Int(digits[index]) << 8
                digits[index] = UInt8(carry % 58)
                carry /= 58
            }
            while carry > 0 {
                digits.append(UInt8(carry % 58))
                carry /= 58
            }
        }
        return String(decoding: [UInt8](repeating: alphabet[0], count: zeros) + digits.reversed().map { alphabet[Int($0)] }, as: UTF8.self)
    }

    @Test func randomBytesEncodeAsTheTextbookAlgorithmAndRoundTrip() throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        for length in 0..<80 {
            for _ in 0..<8 {
                var bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: next()) }
                let zeros = Int(next() % 4)
                for index in 0..<min(zeros, bytes.count) { bytes[index] = 0 }
                if next() % 5 == 0, !bytes.isEmpty { bytes[bytes.count - 1] = 0 }
                let text = Base58.encode(bytes)
                #expect(text == Self.textbookEncode(bytes), "\(bytes)")
                #expect(try Base58.decode(text) == bytes)
            }
        }
        #expect(Base58.encode([UInt8](repeating: 0xFF, count: 34)) == Self.textbookEncode([UInt8](repeating: 0xFF, count: 34)))
    }

    /// 34-byte inputs (a CIDv0's multihash) take their own path: same text as the textbook.
    @Test func multihashLengthEncodesAsTheTextbookAlgorithm() throws {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next() -> UInt8 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
        var inputs: [[UInt8]] = [
            [UInt8](repeating: 0xFF, count: 34), [1] + [UInt8](repeating: 0, count: 33), [0x12, 0x20] + [UInt8](repeating: 0, count: 32),
        ]
        for _ in 0..<500 { inputs.append((0..<34).map { _ in next() }) }
        for _ in 0..<20 { inputs.append([0] + (0..<33).map { _ in next() }) }  // leading zero: the general path
        for bytes in inputs {
            let text = Base58.encode(bytes)
            #expect(text == Self.textbookEncode(bytes), "\(bytes)")
            #expect(try Base58.decode(text) == bytes)
        }
    }
}
