import CSecp256k1

/// A secp256k1 private key: the secret behind an Ethereum account.
///
/// ```swift
/// let key = try PrivateKey(hex: ProcessInfo.processInfo.environment["WEB3_PRIVATE_KEY"] ?? "")
/// print(key.address)                        // 0x… (EIP-55)
/// let signature = key.signPersonalMessage(Array("hello".utf8))
/// ```
///
/// Its `description` never reveals the secret.
public struct PrivateKey: Sendable, Hashable, CustomStringConvertible {
    /// The 32 secret bytes, big-endian.
    public let rawRepresentation: [UInt8]

    /// Wraps 32 bytes, checking that they are a valid scalar (non-zero, below the group order).
    public init(rawRepresentation bytes: [UInt8]) throws(CryptoError) {
        guard bytes.count == 32 else { throw .malformedPrivateKey(length: bytes.count * 2) }
        guard secp256k1_ec_seckey_verify(Secp256k1Context.shared.pointer, bytes) == 1 else {
            throw .privateKeyOutOfRange
        }
        rawRepresentation = bytes
    }

    /// Parses 64 hex digits, with or without `0x` and surrounding white space.
    ///
    /// - Throws: ``CryptoError/seedPhraseInsteadOfPrivateKey(words:)`` when the text looks like a
    ///   mnemonic, ``CryptoError/malformedPrivateKey(length:)`` for anything else that is not 64 hex digits.
    public init(hex text: String) throws(CryptoError) {
        let trimmed = text.trimmingWhitespace()
        let words = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
        if words.count >= 12, words.allSatisfy({ $0.allSatisfy { $0.isLetter } }) {
            throw .seedPhraseInsteadOfPrivateKey(words: words.count)
        }
        let digits = trimmed.hasPrefix("0x") || trimmed.hasPrefix("0X") ? trimmed.dropFirst(2) : Substring(trimmed)
        guard digits.utf8.count == 64, let bytes = Hex.decode(digits) else {
            throw .malformedPrivateKey(length: digits.count)
        }
        try self.init(rawRepresentation: bytes)
    }

    /// A fresh key from the system's secure random generator.
    public static func random() -> PrivateKey {
        while true {
            // The chance that 32 random bytes are not a valid scalar is about 2^-128.
            if let key = try? PrivateKey(rawRepresentation: SecureRandom.bytes(count: 32)) {
                return key
            }
        }
    }

    /// The key as `0x` followed by 64 lower-case hex digits. Handle with care: this is the secret.
    public var hexString: String { Hex.encode(rawRepresentation, prefix: true) }

    /// The matching public key.
    public var publicKey: PublicKey {
        var pubkey = secp256k1_pubkey()
        // Cannot fail: the scalar was validated at construction.
        _ = secp256k1_ec_pubkey_create(Secp256k1Context.shared.pointer, &pubkey, rawRepresentation)
        return PublicKey(pubkey)
    }

    /// The Ethereum address of this key.
    public var address: EthereumAddress { publicKey.address }

    /// Signs a 32-byte digest (RFC 6979 deterministic nonce, low-S).
    public func sign(digest: [UInt8]) -> RecoverableSignature {
        precondition(digest.count == 32, "a digest to sign is exactly 32 bytes")
        var signature = secp256k1_ecdsa_recoverable_signature()
        _ = secp256k1_ecdsa_sign_recoverable(Secp256k1Context.shared.pointer, &signature, digest, rawRepresentation, nil, nil)
        var compact = [UInt8](repeating: 0, count: 64)
        var recid: Int32 = 0
        _ = secp256k1_ecdsa_recoverable_signature_serialize_compact(Secp256k1Context.shared.pointer, &compact, &recid, &signature)
        return RecoverableSignature(r: Array(compact[0..<32]), s: Array(compact[32..<64]), recoveryID: UInt8(recid))
    }

    /// Signs `message` the way `personal_sign` / `eth_sign` wallets do (EIP-191 version 0x45).
    public func signPersonalMessage(_ message: [UInt8]) -> RecoverableSignature {
        sign(digest: PersonalMessage.digest(message))
    }

    public var description: String { "PrivateKey(\(address), secret redacted)" }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        let text = String(self)
        let scalars = text.unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(Substring(scalars[start...end]))
    }
}
