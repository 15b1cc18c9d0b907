import CSecp256k1

/// An ECDSA secp256k1 signature with its public-key recovery id: Ethereum's `r‖s‖v`.
public struct RecoverableSignature: Sendable, Hashable {
    /// 32 bytes, big-endian.
    public let r: [UInt8]
    /// 32 bytes, big-endian; always in the lower half of the group order for signatures we make.
    public let s: [UInt8]
    /// 0 or 1.
    public let recoveryID: UInt8

    /// Half the secp256k1 group order, the largest `s` EIP-2 allows.
    private static let halfOrder: [UInt8] = Hex.decode("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0") ?? []

    init(r: [UInt8], s: [UInt8], recoveryID: UInt8) {
        self.r = r
        self.s = s
        self.recoveryID = recoveryID
    }

    /// Parses 65 bytes `r‖s‖v` with `v` in {0, 1} (raw, as in Lilypad's headers) or {27, 28}
    /// (as `personal_sign` returns). High-S signatures are refused.
    public init(bytes: [UInt8]) throws(CryptoError) {
        guard bytes.count == 65 else { throw .malformedSignature("it is \(bytes.count) bytes long") }
        let v = bytes[64]
        switch v {
        case 0, 1: recoveryID = v
        case 27, 28: recoveryID = v - 27
        default: throw .invalidRecoveryID(v)
        }
        r = Array(bytes[0..<32])
        s = Array(bytes[32..<64])
        // Equal-length big-endian byte strings compare like the numbers they encode.
        if Self.halfOrder.lexicographicallyPrecedes(s) { throw .highSSignature }
    }

    /// Parses `0x`-prefixed (or bare) hex of 65 bytes.
    public init(hex text: String) throws(CryptoError) {
        guard let bytes = Hex.decode(text.trimmingWhitespace()) else { throw .malformedSignature("it is not hexadecimal") }
        try self.init(bytes: bytes)
    }

    /// `r‖s‖v` with `v = recoveryID + vOffset`: 27 for `personal_sign` style, 0 for Lilypad's raw headers.
    public func bytes(vOffset: UInt8 = 27) -> [UInt8] {
        r + s + [recoveryID + vOffset]
    }

    /// `0x`-hex of ``bytes(vOffset:)`` with v = 27/28, the form wallets print.
    public var hexString: String { Hex.encode(bytes(), prefix: true) }

    /// Recovers the public key that signed `digest` (32 bytes).
    public func recoverPublicKey(digest: [UInt8]) throws(CryptoError) -> PublicKey {
        guard digest.count == 32 else { throw .recoveryFailed }
        let context = Secp256k1Context.shared.pointer
        var signature = secp256k1_ecdsa_recoverable_signature()
        let compact = r + s
        guard secp256k1_ecdsa_recoverable_signature_parse_compact(context, &signature, compact, Int32(recoveryID)) == 1 else {
            throw .malformedSignature("r or s is not a valid scalar")
        }
        var pubkey = secp256k1_pubkey()
        guard secp256k1_ecdsa_recover(context, &pubkey, &signature, digest) == 1 else { throw .recoveryFailed }
        return PublicKey(pubkey)
    }

    /// The address that signed `digest`.
    public func recoverAddress(digest: [UInt8]) throws(CryptoError) -> EthereumAddress {
        try recoverPublicKey(digest: digest).address
    }

    /// The address that signed `message` with `personal_sign`.
    public func recoverPersonalMessageSigner(_ message: [UInt8]) throws(CryptoError) -> EthereumAddress {
        try recoverAddress(digest: PersonalMessage.digest(message))
    }

    /// Checks that `address` signed `message` with `personal_sign`.
    public func verifyPersonalMessage(_ message: [UInt8], signer address: EthereumAddress) throws(CryptoError) {
        let recovered = try recoverPersonalMessageSigner(message)
        guard recovered == address else { throw .signerMismatch(expected: address.checksummed, recovered: recovered.checksummed) }
    }
}

/// EIP-191 version `0x45` ("personal_sign") message hashing.
public enum PersonalMessage {
    /// `keccak256("\x19Ethereum Signed Message:\n" + decimal(len) + message)`.
    public static func digest(_ message: [UInt8]) -> [UInt8] {
        var hasher = Keccak256()
        hasher.update(Array("\u{19}Ethereum Signed Message:\n\(message.count)".utf8))
        hasher.update(message)
        return hasher.finalize()
    }
}
