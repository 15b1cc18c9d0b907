import Foundation

/// Lilypad v2's authentication headers, for talking to and accepting Go Lilypad clients.
///
/// `X-Lilypad-User` is base64 of the exact bytes `{"address":"<EIP-55 address>"}`, and
/// `X-Lilypad-Signature` is base64 of `r‖s‖v` (v ∈ {0, 1}) over Keccak-256 of those bytes, with no
/// EIP-191 prefix. The pair is the same for every request a key makes, so anyone who sees it once
/// can replay it: accept it only behind an explicit compatibility switch, and prefer
/// ``SignedRequest``.
public struct LegacyAuthHeaders: Sendable, Hashable {
    /// The `X-Lilypad-User` header name.
    public static let userHeader = "X-Lilypad-User"
    /// The `X-Lilypad-Signature` header name.
    public static let signatureHeader = "X-Lilypad-Signature"

    /// The `X-Lilypad-User` value.
    public var user: String
    /// The `X-Lilypad-Signature` value.
    public var signature: String

    public init(user: String, signature: String) {
        self.user = user
        self.signature = signature
    }

    /// The header pair for `key`.
    public init(signingWith key: PrivateKey) {
        let payload = Self.payload(for: key.address)
        user = Data(payload).base64EncodedString()
        signature = Data(key.sign(digest: Keccak256.hash(payload)).bytes(vOffset: 0)).base64EncodedString()
    }

    static func payload(for address: EthereumAddress) -> [UInt8] {
        Array("{\"address\":\"\(address.checksummed)\"}".utf8)
    }

    /// Checks the pair and returns the authenticated address.
    ///
    /// As in Lilypad, the recovered signer must equal the address in the user payload.
    public func verify() throws(RequestAuthError) -> EthereumAddress {
        guard let payload = Data(base64Encoded: user) else { throw .malformedHeader(Self.userHeader, reason: "not base64") }
        struct User: Decodable { var address: String }
        guard let decoded = try? JSONDecoder().decode(User.self, from: payload) else {
            throw .malformedHeader(Self.userHeader, reason: "not {\"address\":\"0x…\"} JSON")
        }
        let claimed: EthereumAddress
        do { claimed = try EthereumAddress(decoded.address) } catch { throw .malformedHeader(Self.userHeader, reason: error.description) }
        guard let signatureBytes = Data(base64Encoded: signature) else {
            throw .malformedHeader(Self.signatureHeader, reason: "not base64")
        }
        let recovered: EthereumAddress
        do {
            recovered = try RecoverableSignature(bytes: Array(signatureBytes)).recoverAddress(digest: Keccak256.hash(payload))
        } catch {
            throw .malformedHeader(Self.signatureHeader, reason: error.description)
        }
        guard recovered == claimed else { throw .badSignature }
        return claimed
    }
}
