import CSecp256k1

/// A secp256k1 public key.
public struct PublicKey: Sendable, Hashable {
    /// The 64 bytes X‖Y of the uncompressed point (without the `0x04` prefix).
    public let rawRepresentation: [UInt8]

    init(_ pubkey: secp256k1_pubkey) {
        var pubkey = pubkey
        var output = [UInt8](repeating: 0, count: 65)
        var length = 65
        _ = secp256k1_ec_pubkey_serialize(Secp256k1Context.shared.pointer, &output, &length, &pubkey, UInt32(SECP256K1_EC_UNCOMPRESSED))
        rawRepresentation = Array(output[1...])
    }

    /// The uncompressed SEC1 encoding, `0x04 ‖ X ‖ Y`.
    public var uncompressed: [UInt8] { [0x04] + rawRepresentation }

    /// The Ethereum address: the last 20 bytes of Keccak-256(X‖Y).
    public var address: EthereumAddress {
        EthereumAddress(unchecked: Array(Keccak256.hash(rawRepresentation).suffix(20)))
    }
}
