/// UTF-8 handling with Go's rules: strings are byte strings, and an invalid byte decodes as U+FFFD of width 1.
enum GoUTF8 {
    static let runeError: UInt32 = 0xFFFD
    static let maxRune: UInt32 = 0x10FFFF

    /// Decodes the rune starting at `index` (like `utf8.DecodeRune`); `(runeError, 1)` for invalid input.
    static func decode(_ bytes: [UInt8], at index: Int) -> (rune: UInt32, width: Int) {
        decode(bytes, at: index, end: bytes.count)
    }

    static func decode(_ bytes: [UInt8], at index: Int, end: Int) -> (rune: UInt32, width: Int) {
        let b0 = bytes[index]
        if b0 < 0x80 { return (UInt32(b0), 1) }
        let available = end - index
        func continuation(_ offset: Int, _ low: UInt8 = 0x80, _ high: UInt8 = 0xBF) -> UInt32? {
            guard offset < available else { return nil }
            let byte = bytes[index + offset]
            return byte >= low && byte <= high ? UInt32(byte & 0x3F) : nil
        }
        switch b0 {
        case 0xC2...0xDF:
            guard let c1 = continuation(1) else { break }
            return (UInt32(b0 & 0x1F) << 6 | c1, 2)
        case 0xE0...0xEF:
            let low: UInt8 = b0 == 0xE0 ? 0xA0 : 0x80
            let high: UInt8 = b0 == 0xED ? 0x9F : 0xBF
            guard let c1 = continuation(1, low, high), let c2 = continuation(2) else { break }
            return (UInt32(b0 & 0x0F) << 12 | c1 << 6 | c2, 3)
        case 0xF0...0xF4:
            let low: UInt8 = b0 == 0xF0 ? 0x90 : 0x80
            let high: UInt8 = b0 == 0xF4 ? 0x8F : 0xBF
            guard let c1 = continuation(1, low, high), let c2 = continuation(2), let c3 = continuation(3) else { break }
            return (UInt32(b0 & 0x07) << 18 | c1 << 12 | c2 << 6 | c3, 4)
        default:
            break
        }
        return (runeError, 1)
    }

    /// Whether `rune` is a Unicode scalar (Go's `utf8.ValidRune`).
    static func isValid(_ rune: UInt32) -> Bool {
        rune <= maxRune && !(0xD800...0xDFFF).contains(rune)
    }

    /// Appends the UTF-8 encoding of `rune` (U+FFFD for an invalid one), like `utf8.AppendRune`.
    static func append(_ rune: UInt32, to bytes: inout [UInt8]) {
        let r = isValid(rune) ? rune : runeError
        switch r {
        case 0..<0x80:
            bytes.append(UInt8(r))
        case 0x80..<0x800:
            bytes.append(UInt8(0xC0 | r >> 6))
            bytes.append(UInt8(0x80 | r & 0x3F))
        case 0x800..<0x10000:
            bytes.append(UInt8(0xE0 | r >> 12))
            bytes.append(UInt8(0x80 | r >> 6 & 0x3F))
            bytes.append(UInt8(0x80 | r & 0x3F))
        default:
            bytes.append(UInt8(0xF0 | r >> 18))
            bytes.append(UInt8(0x80 | r >> 12 & 0x3F))
            bytes.append(UInt8(0x80 | r >> 6 & 0x3F))
            bytes.append(UInt8(0x80 | r & 0x3F))
        }
    }

    /// The number of runes, counting every invalid byte as one (`utf8.RuneCount`).
    static func runeCount(_ bytes: [UInt8]) -> Int {
        var count = 0
        var index = 0
        while index < bytes.count {
            index += bytes[index] < 0x80 ? 1 : decode(bytes, at: index).width
            count += 1
        }
        return count
    }

    /// Whether the bytes are valid UTF-8.
    static func isValid(_ bytes: [UInt8]) -> Bool {
        var index = 0
        while index < bytes.count {
            if bytes[index] < 0x80 {
                index += 1
                continue
            }
            let (rune, width) = decode(bytes, at: index)
            if rune == runeError && width == 1 { return false }
            index += width
        }
        return true
    }

    /// Decodes Go bytes into a Swift string, turning each invalid byte into U+FFFD as Go's `encoding/json` does.
    static func string(_ bytes: [UInt8]) -> String {
        if isValid(bytes) { return String(decoding: bytes, as: UTF8.self) }
        var repaired: [UInt8] = []
        repaired.reserveCapacity(bytes.count + 8)
        var index = 0
        while index < bytes.count {
            let (rune, width) = decode(bytes, at: index)
            if rune == runeError && width == 1 {
                append(runeError, to: &repaired)
            } else {
                repaired.append(contentsOf: bytes[index..<index + width])
            }
            index += width
        }
        return String(decoding: repaired, as: UTF8.self)
    }
}
