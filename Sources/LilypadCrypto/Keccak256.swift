/// Keccak-256 as used by Ethereum: the original Keccak submission with `0x01` padding, which is
/// *not* the same function as NIST SHA3-256 (domain byte `0x06`).
///
/// ```swift
/// var hasher = Keccak256()
/// hasher.update(Array("abc".utf8))
/// let digest = hasher.finalize()   // 4e03657a…a12d6c45
/// ```
public struct Keccak256: Sendable {
    /// The size of a digest in bytes.
    public static let digestSize = 32
    /// The sponge rate in bytes (1600 − 2·256 bits).
    static let rate = 136

    private var state = [UInt64](repeating: 0, count: 25)
    private var buffer: [UInt8] = []

    /// Creates an empty hasher.
    public init() {
        buffer.reserveCapacity(Self.rate)
    }

    /// Hashes `bytes` in one call.
    public static func hash<Bytes: Sequence>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        var hasher = Keccak256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Hashes `input` into the first 32 bytes of `digest` without allocating: the state lives on
    /// the stack and whole lanes are read straight from `input`. For hot loops that hash millions of
    /// short inputs, such as proof-of-work mining. Same digest as ``hash(_:)``.
    ///
    /// - Precondition: `digest` has room for ``digestSize`` bytes.
    public static func hash(_ input: UnsafeRawBufferPointer, into digest: UnsafeMutableRawBufferPointer) {
        precondition(digest.count >= digestSize, "a Keccak-256 digest needs \(digestSize) bytes, not \(digest.count)")
        var lanes: StackState = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &lanes) { raw in
            let state = raw.bindMemory(to: UInt64.self)
            var offset = 0
            while input.count - offset >= rate {
                for lane in 0..<(rate / 8) {
                    state[lane] ^= UInt64(littleEndian: input.loadUnaligned(fromByteOffset: offset + lane * 8, as: UInt64.self))
                }
                permute(state)
                offset += rate
            }
            // The last, partial block: whole lanes, then the tail bytes with the 0x01 padding byte.
            let remaining = input.count - offset
            let wholeLanes = remaining / 8
            for lane in 0..<wholeLanes {
                state[lane] ^= UInt64(littleEndian: input.loadUnaligned(fromByteOffset: offset + lane * 8, as: UInt64.self))
            }
            var tail: UInt64 = 0
            for byte in 0..<(remaining % 8) {
                tail |= UInt64(input[offset + wholeLanes * 8 + byte]) << UInt64(8 * byte)
            }
            tail |= 0x01 << UInt64(8 * (remaining % 8))
            state[wholeLanes] ^= tail
            state[rate / 8 - 1] ^= 0x8000_0000_0000_0000
            permute(state)
            for lane in 0..<(digestSize / 8) {
                digest.storeBytes(of: state[lane].littleEndian, toByteOffset: lane * 8, as: UInt64.self)
            }
        }
    }

    /// The 25 lanes of a Keccak state, kept on the stack.
    private typealias StackState = (
        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64
    )

    /// Absorbs more input.
    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let handled: Void? = bytes.withContiguousStorageIfAvailable { update(buffer: $0) }
        if handled == nil {
            let copy = Array(bytes)
            copy.withUnsafeBufferPointer { update(buffer: $0) }
        }
    }

    private mutating func update(buffer input: UnsafeBufferPointer<UInt8>) {
        var offset = 0
        // Top up a partial block first.
        if !buffer.isEmpty {
            let take = min(Self.rate - buffer.count, input.count)
            buffer.append(contentsOf: input[0..<take])
            offset = take
            guard buffer.count == Self.rate else { return }
            buffer.withUnsafeBufferPointer { absorb(block: $0) }
            buffer.removeAll(keepingCapacity: true)
        }
        // Whole blocks straight from the input.
        while input.count - offset >= Self.rate {
            absorb(block: UnsafeBufferPointer(rebasing: input[offset..<offset + Self.rate]))
            offset += Self.rate
        }
        buffer.append(contentsOf: input[offset...])
    }

    /// Pads, absorbs the final block and returns the 32-byte digest.
    public mutating func finalize() -> [UInt8] {
        var block = buffer
        block.append(0x01)
        while block.count < Self.rate { block.append(0) }
        block[Self.rate - 1] |= 0x80
        buffer = block
        absorbBuffer()
        var digest = [UInt8]()
        digest.reserveCapacity(Self.digestSize)
        for lane in state.prefix(4) {
            for shift in stride(from: 0, to: 64, by: 8) {
                digest.append(UInt8(truncatingIfNeeded: lane >> UInt64(shift)))
            }
        }
        return digest
    }

    private mutating func absorbBuffer() {
        buffer.withUnsafeBufferPointer { absorb(block: $0) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// XORs one `rate`-byte block into the state (lanes are little-endian) and permutes.
    private mutating func absorb(block: UnsafeBufferPointer<UInt8>) {
        state.withUnsafeMutableBufferPointer { lanes in
            for lane in 0..<(Self.rate / 8) {
                var value: UInt64 = 0
                for byte in 0..<8 {
                    value |= UInt64(block[lane * 8 + byte]) << UInt64(8 * byte)
                }
                lanes[lane] ^= value
            }
            Self.permute(lanes)
        }
    }

    private static let roundConstants: [UInt64] = [
        0x0000_0000_0000_0001, 0x0000_0000_0000_8082, 0x8000_0000_0000_808A, 0x8000_0000_8000_8000,
        0x0000_0000_0000_808B, 0x0000_0000_8000_0001, 0x8000_0000_8000_8081, 0x8000_0000_0000_8009,
        0x0000_0000_0000_008A, 0x0000_0000_0000_0088, 0x0000_0000_8000_8009, 0x0000_0000_8000_000A,
        0x0000_0000_8000_808B, 0x8000_0000_0000_008B, 0x8000_0000_0000_8089, 0x8000_0000_0000_8003,
        0x8000_0000_0000_8002, 0x8000_0000_0000_0080, 0x0000_0000_0000_800A, 0x8000_0000_8000_000A,
        0x8000_0000_8000_8081, 0x8000_0000_0000_8080, 0x0000_0000_8000_0001, 0x8000_0000_8000_8008,
    ]

    /// Keccak-f[1600] on 25 lanes: the lanes are kept in local variables (registers, mostly) for
    /// all 24 rounds and written back once.
    private static func permute(_ state: UnsafeMutableBufferPointer<UInt64>) {
        var a0 = state[0], a1 = state[1], a2 = state[2], a3 = state[3], a4 = state[4]
        var a5 = state[5], a6 = state[6], a7 = state[7], a8 = state[8], a9 = state[9]
        var a10 = state[10], a11 = state[11], a12 = state[12], a13 = state[13], a14 = state[14]
        var a15 = state[15], a16 = state[16], a17 = state[17], a18 = state[18], a19 = state[19]
        var a20 = state[20], a21 = state[21], a22 = state[22], a23 = state[23], a24 = state[24]
        roundConstants.withUnsafeBufferPointer { constants in
            for constant in constants {
                // θ
                let c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20
                let c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21
                let c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22
                let c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23
                let c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24
                let d0 = c4 ^ rotl(c1, 1)
                let d1 = c0 ^ rotl(c2, 1)
                let d2 = c1 ^ rotl(c3, 1)
                let d3 = c2 ^ rotl(c4, 1)
                let d4 = c3 ^ rotl(c0, 1)
                a0 ^= d0; a1 ^= d1; a2 ^= d2; a3 ^= d3; a4 ^= d4
                a5 ^= d0; a6 ^= d1; a7 ^= d2; a8 ^= d3; a9 ^= d4
                a10 ^= d0; a11 ^= d1; a12 ^= d2; a13 ^= d3; a14 ^= d4
                a15 ^= d0; a16 ^= d1; a17 ^= d2; a18 ^= d3; a19 ^= d4
                a20 ^= d0; a21 ^= d1; a22 ^= d2; a23 ^= d3; a24 ^= d4
                // ρ and π: the lane at (x, y) moves to (y, 2x + 3y), rotated by its offset.
                let b0 = a0, b1 = rotl(a6, 44), b2 = rotl(a12, 43), b3 = rotl(a18, 21), b4 = rotl(a24, 14)
                let b5 = rotl(a3, 28), b6 = rotl(a9, 20), b7 = rotl(a10, 3), b8 = rotl(a16, 45), b9 = rotl(a22, 61)
                let b10 = rotl(a1, 1), b11 = rotl(a7, 6), b12 = rotl(a13, 25), b13 = rotl(a19, 8), b14 = rotl(a20, 18)
                let b15 = rotl(a4, 27), b16 = rotl(a5, 36), b17 = rotl(a11, 10), b18 = rotl(a17, 15), b19 = rotl(a23, 56)
                let b20 = rotl(a2, 62), b21 = rotl(a8, 55), b22 = rotl(a14, 39), b23 = rotl(a15, 41), b24 = rotl(a21, 2)
                // χ
                a0 = b0 ^ (~b1 & b2)
                a1 = b1 ^ (~b2 & b3)
                a2 = b2 ^ (~b3 & b4)
                a3 = b3 ^ (~b4 & b0)
                a4 = b4 ^ (~b0 & b1)
                a5 = b5 ^ (~b6 & b7)
                a6 = b6 ^ (~b7 & b8)
                a7 = b7 ^ (~b8 & b9)
                a8 = b8 ^ (~b9 & b5)
                a9 = b9 ^ (~b5 & b6)
                a10 = b10 ^ (~b11 & b12)
                a11 = b11 ^ (~b12 & b13)
                a12 = b12 ^ (~b13 & b14)
                a13 = b13 ^ (~b14 & b10)
                a14 = b14 ^ (~b10 & b11)
                a15 = b15 ^ (~b16 & b17)
                a16 = b16 ^ (~b17 & b18)
                a17 = b17 ^ (~b18 & b19)
                a18 = b18 ^ (~b19 & b15)
                a19 = b19 ^ (~b15 & b16)
                a20 = b20 ^ (~b21 & b22)
                a21 = b21 ^ (~b22 & b23)
                a22 = b22 ^ (~b23 & b24)
                a23 = b23 ^ (~b24 & b20)
                a24 = b24 ^ (~b20 & b21)
                // ι
                a0 ^= constant
            }
        }
        state[0] = a0; state[1] = a1; state[2] = a2; state[3] = a3; state[4] = a4
        state[5] = a5; state[6] = a6; state[7] = a7; state[8] = a8; state[9] = a9
        state[10] = a10; state[11] = a11; state[12] = a12; state[13] = a13; state[14] = a14
        state[15] = a15; state[16] = a16; state[17] = a17; state[18] = a18; state[19] = a19
        state[20] = a20; state[21] = a21; state[22] = a22; state[23] = a23; state[24] = a24
    }

    @inline(__always)
    private static func rotl(_ value: UInt64, _ amount: UInt64) -> UInt64 {
        (value << amount) | (value >> (64 - amount))
    }
}
