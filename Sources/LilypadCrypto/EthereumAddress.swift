/// A 20-byte Ethereum account address.
///
/// Printed in its EIP-55 mixed-case checksummed form, the form Lilypad puts on the wire and
/// compares. Parsing accepts all-lower-case and all-upper-case hex without a checksum; mixed-case
/// input must carry a correct checksum, which catches typos.
public struct EthereumAddress: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    /// The 20 address bytes.
    public let rawRepresentation: [UInt8]

    init(unchecked bytes: [UInt8]) {
        rawRepresentation = bytes
    }

    /// Wraps 20 raw bytes.
    public init(rawRepresentation bytes: [UInt8]) throws(CryptoError) {
        guard bytes.count == 20 else { throw .malformedAddress(Hex.encode(bytes, prefix: true)) }
        rawRepresentation = bytes
    }

    /// Parses `0x` + 40 hex digits, verifying the EIP-55 checksum of mixed-case input.
    public init(_ text: String) throws(CryptoError) {
        let trimmed = text.trimmingWhitespace()
        guard trimmed.hasPrefix("0x") || trimmed.hasPrefix("0X") else { throw .malformedAddress(text) }
        let digits = trimmed.dropFirst(2)
        guard digits.utf8.count == 40, let bytes = Hex.decode(digits) else { throw .malformedAddress(text) }
        self.rawRepresentation = bytes
        let hasLower = digits.contains { $0.isLowercase }
        let hasUpper = digits.contains { $0.isUppercase }
        if hasLower && hasUpper, "0x" + digits != checksummed {
            throw .addressChecksumMismatch(given: text, expected: checksummed)
        }
    }

    /// The zero address, `0x0000…0000`.
    public static let zero = EthereumAddress(unchecked: [UInt8](repeating: 0, count: 20))

    /// The EIP-55 checksummed form, e.g. `0xA127A616aabFc69C83203e7450F205aab6708C7b`.
    public var checksummed: String {
        let lower = Hex.encode(rawRepresentation)
        let hash = Keccak256.hash(lower.utf8)
        var out = "0x"
        for (index, char) in lower.enumerated() {
            let nibble = index % 2 == 0 ? hash[index / 2] >> 4 : hash[index / 2] & 0x0F
            out.append(char.isLetter && nibble >= 8 ? Character(char.uppercased()) : char)
        }
        return out
    }

    /// The all-lower-case form.
    public var lowercased: String { Hex.encode(rawRepresentation, prefix: true) }

    public var description: String { checksummed }

    public static func < (lhs: EthereumAddress, rhs: EthereumAddress) -> Bool {
        lhs.rawRepresentation.lexicographicallyPrecedes(rhs.rawRepresentation)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        try self.init(container.decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(checksummed)
    }
}
