/// Errors raised by key, address, signature and content-identifier handling.
///
/// Every case reads as a complete sentence for the person at the terminal: what was wrong and
/// how to fix it. Secret input (private keys, seed phrases) is never echoed back.
public enum CryptoError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The private key text was not 64 hex digits; `length` is the number of characters seen.
    case malformedPrivateKey(length: Int)
    /// The input looks like a wallet seed phrase (mnemonic) instead of a private key.
    case seedPhraseInsteadOfPrivateKey(words: Int)
    /// 32 bytes, but zero or not below the secp256k1 group order.
    case privateKeyOutOfRange
    /// No private key was given on the command line or in the environment.
    case missingPrivateKey(environmentVariable: String)
    /// An address that is not `0x` followed by 40 hex digits.
    case malformedAddress(String)
    /// A mixed-case address whose EIP-55 checksum does not match.
    case addressChecksumMismatch(given: String, expected: String)
    /// A signature that is not 65 bytes of hex or base64.
    case malformedSignature(String)
    /// The recovery id byte `v` was not 0, 1, 27 or 28.
    case invalidRecoveryID(UInt8)
    /// `s` is in the upper half of the curve order (EIP-2 forbids these malleable signatures).
    case highSSignature
    /// secp256k1 could not recover a public key from the signature.
    case recoveryFailed
    /// The signature is well formed but was made by another key.
    case signerMismatch(expected: String, recovered: String)
    /// Invalid base58 text.
    case malformedBase58(String)
    /// A content identifier that could not be parsed.
    case malformedCID(String, reason: String)

    public var description: String {
        switch self {
        case .malformedPrivateKey(let length):
            "invalid private key: a private key is 64 hexadecimal digits (32 bytes), optionally prefixed with 0x, "
                + "e.g. 0x4c0883a6…b6b5e7; the value given has \(length) characters"
        case .seedPhraseInsteadOfPrivateKey(let words):
            "invalid private key: the value given looks like a \(words)-word seed phrase, not a private key. "
                + "Never share a seed phrase; export the account's private key instead (MetaMask: Account details → Show private key), "
                + "which is 64 hexadecimal digits"
        case .privateKeyOutOfRange:
            "invalid private key: the value is zero or not below the secp256k1 group order, so no account can use it"
        case .missingPrivateKey(let variable):
            "no private key: pass --private-key or set \(variable) to your account's private key (64 hexadecimal digits)"
        case .malformedAddress(let text):
            "invalid address \"\(text)\": an Ethereum address is 0x followed by 40 hexadecimal digits"
        case .addressChecksumMismatch(let given, let expected):
            "invalid address \"\(given)\": its mixed-case EIP-55 checksum is wrong (expected \(expected)); "
                + "check for a typo, or write it all in lower case to skip the checksum"
        case .malformedSignature(let reason):
            "invalid signature: \(reason); a signature is 65 bytes (r‖s‖v) written as 0x-prefixed hex (132 characters)"
        case .invalidRecoveryID(let v):
            "invalid signature: the last byte v is \(v), but it must be 0, 1, 27 or 28"
        case .highSSignature:
            "invalid signature: s is not in the lower half of the curve order (malleable signatures are refused, EIP-2)"
        case .recoveryFailed:
            "invalid signature: no public key can be recovered from it"
        case .signerMismatch(let expected, let recovered):
            "signature mismatch: signed by \(recovered), not by \(expected)"
        case .malformedBase58(let text):
            "invalid base58 text \"\(text)\""
        case .malformedCID(let text, let reason):
            "invalid CID \"\(text)\": \(reason)"
        }
    }
}
