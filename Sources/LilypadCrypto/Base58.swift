/// Base58 with the Bitcoin alphabet (multibase `base58btc`), as used by CIDv0.
public enum Base58 {
    private static let alphabet = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".utf8)
    private static let indexes: [Int8] = {
        var table = [Int8](repeating: -1, count: 128)
        for (index, char) in alphabet.enumerated() { table[Int(char)] = Int8(index) }
        return table
    }()

    /// Encodes bytes; each leading zero byte becomes a leading `1`.
    public static func encode(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBufferPointer { encode($0) }
    }

    /// Encodes bytes; each leading zero byte becomes a leading `1`.
    ///
    /// The number is held in 32-bit limbs and divided by 58⁵ per pass, so each pass yields five
    /// digits with one 64-bit division per limb (a CID's 34 bytes: 10 passes of 9 divisions,
    /// instead of one division per digit per byte). Limbs and digits live on the stack: the only
    /// allocation is the string's, if it is too long to be stored inline.
    public static func encode(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        if bytes.count == 34, bytes[0] != 0 { return encodeMultihash(bytes) }
        let zeros = bytes.prefix { $0 == 0 }.count
        let significant = bytes.count - zeros
        let limbCount = (significant + 3) / 4
        // Each byte adds log₅₈(256) < 1.37 digits; a pass writes five, the last some of them zeros.
        let digitCapacity = significant * 137 / 100 + 6
        return withUnsafeTemporaryAllocation(of: UInt32.self, capacity: max(limbCount, 1)) { limbs in
            // Big-endian 32-bit limbs of the number after the leading zeros.
            limbs.initialize(repeating: 0)
            let offset = limbCount * 4 - significant
            for position in 0..<significant {
                let index = position + offset
                limbs[index / 4] |= UInt32(bytes[zeros + position]) << (8 * (3 - UInt32(index % 4)))
            }
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: digitCapacity) { digits in
                let divisor: UInt64 = 58 * 58 * 58 * 58 * 58
                var count = 0  // digits written, least significant first
                var first = 0  // limbs before `first` are zero
                while first < limbCount {
                    var remainder: UInt64 = 0
                    for index in first..<limbCount {
                        let value = remainder << 32 | UInt64(limbs[index])
                        limbs[index] = UInt32(truncatingIfNeeded: value / divisor)
                        remainder = value % divisor
                    }
                    while first < limbCount, limbs[first] == 0 { first += 1 }
                    var digitsLeft = UInt32(truncatingIfNeeded: remainder)  // < 58⁵ < 2³²: 32-bit divisions
                    for _ in 0..<5 {
                        digits[count] = UInt8(digitsLeft % 58)
                        digitsLeft /= 58
                        count += 1
                    }
                }
                while count > 0, digits[count - 1] == 0 { count -= 1 }  // the last pass's leading zero digits
                return String(unsafeUninitializedCapacity: zeros + count) { text in
                    for index in 0..<zeros { text[index] = alphabet[0] }
                    for index in 0..<count { text[zeros + index] = alphabet[Int(digits[count - 1 - index])] }
                    return zeros + count
                }
            }
        }
    }

    /// 58⁵, the base of the chunks of five digits the encoders work in.
    private static let chunk: UInt64 = 58 * 58 * 58 * 58 * 58

    /// `places[w * 10 + j]`: chunk `j` (least significant first) of 2^(16·w), for w in 0...16: the
    /// place values of a 34-byte number's 16-bit words, written in base 58⁵.
    private static let wordPlaces: [UInt64] = {
        var places: [UInt64] = []
        var power: [UInt64] = [1] + Array(repeating: 0, count: 9)
        for _ in 0...16 {
            places += power
            var carry: UInt64 = 0
            for index in power.indices {
                let value = power[index] << 16 + carry
                power[index] = value % chunk
                carry = value / chunk
            }
        }
        return places
    }()

    /// Encodes 34 bytes that do not start with zero (a CIDv0's sha2-256 multihash): the number is
    /// a sum of 17 words times their place values, so its base-58⁵ chunks are sums of independent
    /// products, not the remainders of a chain of long divisions.
    private static func encodeMultihash(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 10) { chunks in
            chunks.initialize(repeating: 0)
            wordPlaces.withUnsafeBufferPointer { places in
                for word in 0..<17 {  // from the least significant
                    let value = UInt64(bytes[32 - 2 * word]) << 8 | UInt64(bytes[33 - 2 * word])
                    // Each sum stays below 17 · 2¹⁶ · 58⁵ < 2⁵⁰.
                    for index in 0..<10 { chunks[index] &+= value &* places[word * 10 + index] }
                }
            }
            var carry: UInt64 = 0
            for index in 0..<10 {
                let value = chunks[index] + carry
                chunks[index] = value % chunk
                carry = value / chunk
            }
            // 50 digits, most significant first, less the leading zeros (the number is below 58⁵⁰).
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 50) { digits in
                for index in 0..<10 {
                    var value = UInt32(truncatingIfNeeded: chunks[index])
                    for place in 0..<5 {
                        digits[49 - 5 * index - place] = UInt8(value % 58)
                        value /= 58
                    }
                }
                let first = digits.firstIndex { $0 != 0 } ?? 50
                return String(unsafeUninitializedCapacity: 50 - first) { text in
                    for index in first..<50 { text[index - first] = alphabet[Int(digits[index])] }
                    return 50 - first
                }
            }
        }
    }

    /// Decodes base58btc text.
    public static func decode(_ text: String) throws(CryptoError) -> [UInt8] {
        let chars = Array(text.utf8)
        let ones = chars.prefix { $0 == alphabet[0] }.count
        var bytes: [UInt8] = []  // least significant first
        for char in chars[ones...] {
            guard char < 128, indexes[Int(char)] >= 0 else { throw .malformedBase58(text) }
            var carry = Int(indexes[Int(char)])
            for index in bytes.indices {
                carry += Int(bytes[index]) * 58
                bytes[index] = UInt8(carry & 0xFF)
                carry >>= 8
            }
            while carry > 0 {
                bytes.append(UInt8(carry & 0xFF))
                carry >>= 8
            }
        }
        return [UInt8](repeating: 0, count: ones) + bytes.reversed()
    }
}

/// RFC 4648 base32, lower case, without padding (multibase `base32`, prefix `b`), as used by CIDv1.
public enum Base32 {
    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)

    /// Encodes bytes.
    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = buffer << 8 | UInt32(byte)
            bits += 8
            while bits >= 5 {
                out.append(alphabet[Int(buffer >> UInt32(bits - 5) & 0x1F)])
                bits -= 5
            }
        }
        if bits > 0 { out.append(alphabet[Int(buffer << UInt32(5 - bits) & 0x1F)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes text in either case; `nil` on a character outside the alphabet.
    public static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for char in text.lowercased().utf8 {
            guard let value = alphabet.firstIndex(of: char) else { return nil }
            buffer = buffer << 5 | UInt32(value)
            bits += 5
            if bits >= 8 {
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits - 8)))
                bits -= 8
            }
        }
        return out
    }
}

/// Unsigned LEB128 varints (multiformats `unsigned-varint`, protobuf varints).
public enum Varint {
    /// Appends the varint encoding of `value` to `bytes`.
    public static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    /// The encoding of `value`.
    public static func encode(_ value: UInt64) -> [UInt8] {
        var bytes: [UInt8] = []
        append(value, to: &bytes)
        return bytes
    }

    /// Reads a varint at `index`, advancing it; `nil` if truncated or longer than 64 bits.
    public static func read(_ bytes: [UInt8], at index: inout Int) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.count, shift < 64 {
            let byte = bytes[index]
            index += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        return nil
    }
}
