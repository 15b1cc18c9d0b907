import Crypto
import Foundation

/// A content digest as OCI writes it: `sha256:<64 lowercase hex digits>`.
public struct Digest: Sendable, Hashable, Codable, CustomStringConvertible, Comparable {
    /// The algorithm; only `sha256` is accepted.
    public let algorithm: String
    /// The lowercase hex encoding of the hash.
    public let hex: String

    /// Parses `sha256:<hex>`.
    public init(parsing text: String) throws(ImageError) {
        guard let colon = text.firstIndex(of: ":") else {
            throw .invalidDigest(text, reason: "expected `sha256:` followed by 64 hex digits")
        }
        let algorithm = String(text[..<colon])
        let hex = String(text[text.index(after: colon)...])
        guard algorithm == "sha256" else {
            throw .invalidDigest(text, reason: "unsupported algorithm `\(algorithm)` (only sha256 is supported)")
        }
        guard hex.utf8.count == 64, hex.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            throw .invalidDigest(text, reason: "expected 64 lowercase hex digits after `sha256:`")
        }
        self.algorithm = algorithm
        self.hex = hex
    }

    /// The SHA-256 digest of `bytes`.
    public static func sha256(of bytes: some DataProtocol) -> Digest {
        Digest(sha256: SHA256.hash(data: bytes))
    }

    /// Wraps a finished SHA-256 hash.
    public init(sha256 hash: SHA256.Digest) {
        algorithm = "sha256"
        hex = hash.map { byte in
            let digits = Array("0123456789abcdef".utf8)
            return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0xf)]], as: UTF8.self)
        }.joined()
    }

    public var description: String { "\(algorithm):\(hex)" }

    /// The first 12 hex digits, as `docker images` shows IDs.
    public var shortHex: String { String(hex.prefix(12)) }

    public static func < (lhs: Digest, rhs: Digest) -> Bool { lhs.description < rhs.description }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
