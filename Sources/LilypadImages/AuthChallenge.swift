/// One challenge of a `WWW-Authenticate` header: `Bearer realm="…",service="…",scope="…"` or
/// `Basic realm="…"`.
public struct AuthChallenge: Sendable, Hashable {
    /// The scheme, lowercased (`bearer`, `basic`).
    public var scheme: String
    /// The parameters with lowercased keys; quoted values are unescaped.
    public var parameters: [String: String]

    public init(scheme: String, parameters: [String: String]) {
        self.scheme = scheme
        self.parameters = parameters
    }

    /// Parses a header value into its challenges (RFC 7235: `scheme key=value, key="quoted", …`;
    /// a new scheme starts where a token is not followed by `=`).
    public static func parse(_ header: String) -> [AuthChallenge] {
        var scanner = Scanner(Array(header.utf8))
        var challenges: [AuthChallenge] = []
        while true {
            scanner.skip { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\t") }
            let scheme = scanner.token()
            guard !scheme.isEmpty else { break }
            var challenge = AuthChallenge(scheme: scheme.lowercased(), parameters: [:])
            while true {
                let mark = scanner.index
                scanner.skip { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\t") }
                let key = scanner.token()
                scanner.skip { $0 == UInt8(ascii: " ") }
                guard !key.isEmpty, scanner.take(UInt8(ascii: "=")) else {
                    scanner.index = mark
                    break
                }
                scanner.skip { $0 == UInt8(ascii: " ") }
                challenge.parameters[key.lowercased()] = scanner.peek == UInt8(ascii: "\"") ? scanner.quoted() : scanner.token()
            }
            challenges.append(challenge)
        }
        return challenges
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skip(while predicate: (UInt8) -> Bool) {
            while let byte = peek, predicate(byte) { index += 1 }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard peek == byte else { return false }
            index += 1
            return true
        }

        /// A token: anything up to white space, `,`, `=` or `"`.
        mutating func token() -> String {
            let start = index
            skip {
                $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: ",") && $0 != UInt8(ascii: "=") && $0 != UInt8(ascii: "\"")
                    && $0 != UInt8(ascii: "\t")
            }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        /// A quoted string, with `\x` escapes; an unterminated one runs to the end.
        mutating func quoted() -> String {
            index += 1
            var value: [UInt8] = []
            while let byte = peek {
                index += 1
                if byte == UInt8(ascii: "\"") { break }
                if byte == UInt8(ascii: "\\"), let next = peek {
                    value.append(next)
                    index += 1
                } else {
                    value.append(byte)
                }
            }
            return String(decoding: value, as: UTF8.self)
        }
    }
}
