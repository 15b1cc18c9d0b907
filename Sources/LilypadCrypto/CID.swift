import Crypto

/// A self-describing hash: `varint(code) ‖ varint(length) ‖ digest`.
public struct Multihash: Sendable, Hashable {
    /// The multicodec code of the hash function (`0x12` = sha2-256).
    public let code: UInt64
    /// The digest bytes.
    public let digest: [UInt8]

    /// The sha2-256 multihash code.
    public static let sha2_256: UInt64 = 0x12

    /// Wraps a digest.
    public init(code: UInt64, digest: [UInt8]) {
        self.code = code
        self.digest = digest
    }

    /// The sha2-256 multihash of `bytes`.
    public static func sha256(_ bytes: [UInt8]) -> Multihash {
        Multihash(code: sha2_256, digest: Array(SHA256.hash(data: bytes)))
    }

    /// The binary encoding.
    public var bytes: [UInt8] {
        var out = Varint.encode(code)
        Varint.append(UInt64(digest.count), to: &out)
        return out + digest
    }

    static func parse(_ bytes: [UInt8], at index: inout Int) -> Multihash? {
        guard let code = Varint.read(bytes, at: &index), let length = Varint.read(bytes, at: &index),
            length <= UInt64(bytes.count - index)
        else { return nil }
        let digest = Array(bytes[index..<index + Int(length)])
        index += Int(length)
        return Multihash(code: code, digest: digest)
    }
}

/// An IPFS content identifier, version 0 (`Qm…`, base58btc, dag-pb, sha2-256) or 1.
///
/// ```swift
/// let cid = CID.dagPB(node: DagPB.encode(data: json))   // Lilypad's offer and deal IDs
/// print(cid)                                             // Qm…
/// ```
public struct CID: Sendable, Hashable, CustomStringConvertible, LosslessStringConvertible {
    /// Multicodec content types used here.
    public enum Codec: UInt64, Sendable {
        case raw = 0x55
        case dagPB = 0x70
        case dagCBOR = 0x71
    }

    /// 0 or 1.
    public let version: Int
    /// The multicodec of the content (`0x70` dag-pb for every CIDv0).
    public let codec: UInt64
    /// The content's hash.
    public let multihash: Multihash

    /// Builds a CID. A version-0 CID must be dag-pb over a 32-byte sha2-256 digest.
    public init(version: Int, codec: UInt64, multihash: Multihash) {
        precondition(version == 1 || (codec == Codec.dagPB.rawValue && multihash.code == Multihash.sha2_256))
        self.version = version
        self.codec = codec
        self.multihash = multihash
    }

    /// The CIDv0 of an encoded dag-pb block.
    public static func dagPB(block: [UInt8]) -> CID {
        CID(version: 0, codec: Codec.dagPB.rawValue, multihash: .sha256(block))
    }

    /// The CIDv0 of the dag-pb node whose only field is `Data` = the concatenation of `parts`
    /// (what ``dagPB(block:)`` of `DagPB.encode(data:)` gives), hashed part by part without
    /// assembling the data or the block.
    public static func dagPB(dataParts parts: [[UInt8]]) -> CID {
        var head: [UInt8] = [0x0A]  // field 1 (Data), length-delimited
        Varint.append(UInt64(parts.reduce(0) { $0 + $1.count }), to: &head)
        var hasher = SHA256()
        hasher.update(data: head)
        for part in parts { hasher.update(data: part) }
        return CID(version: 0, codec: Codec.dagPB.rawValue, multihash: Multihash(code: Multihash.sha2_256, digest: Array(hasher.finalize())))
    }

    /// The text (`Qm…`) of the CIDv0 of an encoded dag-pb block: `CID.dagPB(block:).description`,
    /// without the intermediate values (the block is hashed where it is, the multihash written on
    /// the stack).
    public static func v0Text(ofDagPBBlock block: UnsafeRawBufferPointer) -> String {
        var hasher = SHA256()
        hasher.update(bufferPointer: block)
        let digest = hasher.finalize()
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 34) { multihash in
            multihash[0] = UInt8(Multihash.sha2_256)
            multihash[1] = 32
            digest.withUnsafeBytes { UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: multihash[2...])).copyMemory(from: $0) }
            return Base58.encode(UnsafeBufferPointer(multihash))
        }
    }

    /// The same content addressed as CIDv1.
    public var v1: CID { CID(version: 1, codec: codec, multihash: multihash) }

    /// The binary form: the bare multihash for v0, `varint(1) ‖ varint(codec) ‖ multihash` for v1.
    public var bytes: [UInt8] {
        if version == 0 { return multihash.bytes }
        var out = Varint.encode(1)
        Varint.append(codec, to: &out)
        return out + multihash.bytes
    }

    /// `Qm…` (base58btc) for v0, `b…` (base32) for v1.
    public var description: String {
        version == 0 ? Base58.encode(bytes) : "b" + Base32.encode(bytes)
    }

    /// Parses a CID string: `Qm…` (v0), or multibase `b…` (base32) / `z…` (base58btc) (v1).
    public init?(_ text: String) {
        guard let cid = try? CID(parsing: text) else { return nil }
        self = cid
    }

    /// Parses a CID string, explaining what is wrong.
    public init(parsing text: String) throws(CryptoError) {
        if text.utf8.count == 46, text.hasPrefix("Qm") {
            let bytes = try Base58.decode(text)
            var index = 0
            guard let hash = Multihash.parse(bytes, at: &index), index == bytes.count, hash.code == Multihash.sha2_256,
                hash.digest.count == 32
            else { throw .malformedCID(text, reason: "a CIDv0 is a base58btc sha2-256 multihash") }
            self.init(version: 0, codec: Codec.dagPB.rawValue, multihash: hash)
            return
        }
        let bytes: [UInt8]
        switch text.first {
        case "b":
            guard let decoded = Base32.decode(String(text.dropFirst())) else { throw .malformedCID(text, reason: "bad base32") }
            bytes = decoded
        case "z": bytes = try Base58.decode(String(text.dropFirst()))
        default: throw .malformedCID(text, reason: "unknown multibase prefix (expected Qm…, b… or z…)")
        }
        var index = 0
        guard let version = Varint.read(bytes, at: &index), version == 1 else {
            throw .malformedCID(text, reason: "unsupported CID version")
        }
        guard let codec = Varint.read(bytes, at: &index), let hash = Multihash.parse(bytes, at: &index), index == bytes.count else {
            throw .malformedCID(text, reason: "truncated or trailing bytes")
        }
        self.init(version: 1, codec: codec, multihash: hash)
    }
}
