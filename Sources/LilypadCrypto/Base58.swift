/// Base58 with the Bitcoin alphabet (multibase `base58btc`), as used by CIDv0.
public enum Base58 {
    private static let alphabet = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".utf8)
    private static let indexes: [Int8] = {
        var table = [Int8](repeating: -1, count: 128)
        for (index, char) in alphabet.enumerated() { table[Int(char)] = Int8(index) }
        return table
    }()

    /// Encodes bytes; each leading zero byte becomes a leading `1`.
    ///
    /// The number is held in 32-bit limbs and divided by 58⁵ per pass, so each pass yields five
    /// digits with one 64-bit division per limb (a CID's 34 bytes: 10 passes of 9 divisions,
    /// instead of one division per digit per byte).
    public static func encode(_ bytes: [UInt8]) -> String {
        let zeros = bytes.prefix { $0 == 0 }.count
        // Big-endian 32-bit limbs of the number after the leading zeros.
        let significant = bytes[zeros...]
        var limbs = [UInt32](repeating: 0, count: (significant.count + 3) / 4)
        let offset = limbs.count * 4 - significant.count
        for (position, byte) in significant.enumerated() {
            let index = position + offset
            limbs[index / 4] |= UInt32(byte) << (8 * (3 - UInt32(index % 4)))
        }
        let divisor: UInt64 = 58 * 58 * 58 * 58 * 58
        var digits: [UInt8] = []  // least significant first
        digits.reserveCapacity(significant.count * 138 / 100 + 5)
        var first = 0  // limbs before `first` are zero
        while first < limbs.count {
            var remainder: UInt64 = 0
            for index in first..<limbs.count {
                let value = remainder << 32 | UInt64(limbs[index])
                limbs[index] = UInt32(truncatingIfNeeded: value / divisor)
                remainder = value % divisor
            }
            while first < limbs.count, limbs[first] == 0 { first += 1 }
            for _ in 0..<5 {
                digits.append(UInt8(remainder % 58))
                remainder /= 58
            }
        }
        while digits.last == 0 { digits.removeLast() }  // the last pass's leading zero digits
        var text = [UInt8](repeating: alphabet[0], count: zeros)
        text.reserveCapacity(zeros + digits.count)
        for digit in digits.reversed() { text.append(alphabet[Int(digit)]) }
        return String(decoding: text, as: UTF8.self)
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
