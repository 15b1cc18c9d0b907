/// The escapers behind text/template's `html`, `js` and `urlquery`, and `encoding/json`'s string encoding.
enum GoEscaping {
    /// `template.HTMLEscapeString`.
    static func html(_ s: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        for c in s {
            switch c {
            case 0: out.append(contentsOf: [0xEF, 0xBF, 0xBD])
            case UInt8(ascii: "\""): out.append(contentsOf: Array("&#34;".utf8))
            case UInt8(ascii: "'"): out.append(contentsOf: Array("&#39;".utf8))
            case UInt8(ascii: "&"): out.append(contentsOf: Array("&amp;".utf8))
            case UInt8(ascii: "<"): out.append(contentsOf: Array("&lt;".utf8))
            case UInt8(ascii: ">"): out.append(contentsOf: Array("&gt;".utf8))
            default: out.append(c)
            }
        }
        return out
    }

    /// `template.JSEscapeString`.
    static func javaScript(_ s: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var index = 0
        while index < s.count {
            let c = s[index]
            if c < 0x80 {
                switch c {
                case UInt8(ascii: "\\"): out.append(contentsOf: Array(#"\\"#.utf8))
                case UInt8(ascii: "'"): out.append(contentsOf: Array(#"\'"#.utf8))
                case UInt8(ascii: "\""): out.append(contentsOf: Array(#"\""#.utf8))
                case UInt8(ascii: "<"): out.append(contentsOf: Array(#"\u003C"#.utf8))
                case UInt8(ascii: ">"): out.append(contentsOf: Array(#"\u003E"#.utf8))
                case UInt8(ascii: "&"): out.append(contentsOf: Array(#"\u0026"#.utf8))
                case UInt8(ascii: "="): out.append(contentsOf: Array(#"\u003D"#.utf8))
                case 0..<0x20:
                    out.append(contentsOf: Array(#"\u00"#.utf8))
                    out.append(GoStrconv.upperHex[Int(c >> 4)])
                    out.append(GoStrconv.upperHex[Int(c & 0xF)])
                default: out.append(c)
                }
                index += 1
                continue
            }
            let (rune, width) = GoUTF8.decode(s, at: index)
            if GoStrconv.isPrint(rune) {
                out.append(contentsOf: s[index..<index + width])
            } else {
                out.append(contentsOf: GoFormat.sprintf(Array(#"\u%04X"#.utf8), [.int(Int(rune))]))
            }
            index += width
        }
        return out
    }

    /// `url.QueryEscape`.
    static func queryComponent(_ s: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        for c in s {
            switch c {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(c)
            case UInt8(ascii: " "):
                out.append(UInt8(ascii: "+"))
            default:
                out.append(UInt8(ascii: "%"))
                out.append(GoStrconv.upperHex[Int(c >> 4)])
                out.append(GoStrconv.upperHex[Int(c & 0xF)])
            }
        }
        return out
    }

    /// `json.Marshal` of a Go string: quoted, with `<`, `>`, `&`, U+2028 and U+2029 escaped, invalid UTF-8
    /// replaced by `\ufffd`, and control characters as short escapes or `\u00XX`.
    static func jsonString(_ s: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        out.reserveCapacity(s.count + 2)
        var index = 0
        while index < s.count {
            let c = s[index]
            if c < 0x80 {
                switch c {
                case UInt8(ascii: "\\"), UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), c])
                case 0x08: out.append(contentsOf: Array(#"\b"#.utf8))
                case 0x0C: out.append(contentsOf: Array(#"\f"#.utf8))
                case 0x0A: out.append(contentsOf: Array(#"\n"#.utf8))
                case 0x0D: out.append(contentsOf: Array(#"\r"#.utf8))
                case 0x09: out.append(contentsOf: Array(#"\t"#.utf8))
                case 0..<0x20, UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"):
                    out.append(contentsOf: Array(#"\u00"#.utf8))
                    out.append(GoStrconv.lowerHex[Int(c >> 4)])
                    out.append(GoStrconv.lowerHex[Int(c & 0xF)])
                default: out.append(c)
                }
                index += 1
                continue
            }
            let (rune, width) = GoUTF8.decode(s, at: index)
            if rune == GoUTF8.runeError && width == 1 {
                out.append(contentsOf: Array(#"\ufffd"#.utf8))
            } else if rune == 0x2028 || rune == 0x2029 {
                out.append(contentsOf: Array((rune == 0x2028 ? #"\u2028"# : #"\u2029"#).utf8))
            } else {
                out.append(contentsOf: s[index..<index + width])
            }
            index += width
        }
        out.append(UInt8(ascii: "\""))
        return out
    }
}
