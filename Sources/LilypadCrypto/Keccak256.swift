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

    private static func permute(_ a: UnsafeMutableBufferPointer<UInt64>) {
        var c = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        for round in 0..<24 {
            // θ
            c.0 = a[0] ^ a[5] ^ a[10] ^ a[15] ^ a[20]
            c.1 = a[1] ^ a[6] ^ a[11] ^ a[16] ^ a[21]
            c.2 = a[2] ^ a[7] ^ a[12] ^ a[17] ^ a[22]
            c.3 = a[3] ^ a[8] ^ a[13] ^ a[18] ^ a[23]
            c.4 = a[4] ^ a[9] ^ a[14] ^ a[19] ^ a[24]
            let d0 = c.4 ^ rotl(c.1, 1)
            let d1 = c.0 ^ rotl(c.2, 1)
            let d2 = c.1 ^ rotl(c.3, 1)
            let d3 = c.2 ^ rotl(c.4, 1)
            let d4 = c.3 ^ rotl(c.0, 1)
            for row in stride(from: 0, to: 25, by: 5) {
                a[row] ^= d0
                a[row + 1] ^= d1
                a[row + 2] ^= d2
                a[row + 3] ^= d3
                a[row + 4] ^= d4
            }
            // ρ and π, unrolled: each lane moves to its π position, rotated by its ρ offset.
            var current = a[1]
            var next: UInt64
            next = a[10]
            a[10] = rotl(current, 1)
            current = next
            next = a[7]
            a[7] = rotl(current, 3)
            current = next
            next = a[11]
            a[11] = rotl(current, 6)
            current = next
            next = a[17]
            a[17] = rotl(current, 10)
            current = next
            next = a[18]
            a[18] = rotl(current, 15)
            current = next
            next = a[3]
            a[3] = rotl(current, 21)
            current = next
            next = a[5]
            a[5] = rotl(current, 28)
            current = next
            next = a[16]
            a[16] = rotl(current, 36)
            current = next
            next = a[8]
            a[8] = rotl(current, 45)
            current = next
            next = a[21]
            a[21] = rotl(current, 55)
            current = next
            next = a[24]
            a[24] = rotl(current, 2)
            current = next
            next = a[4]
            a[4] = rotl(current, 14)
            current = next
            next = a[15]
            a[15] = rotl(current, 27)
            current = next
            next = a[23]
            a[23] = rotl(current, 41)
            current = next
            next = a[19]
            a[19] = rotl(current, 56)
            current = next
            next = a[13]
            a[13] = rotl(current, 8)
            current = next
            next = a[12]
            a[12] = rotl(current, 25)
            current = next
            next = a[2]
            a[2] = rotl(current, 43)
            current = next
            next = a[20]
            a[20] = rotl(current, 62)
            current = next
            next = a[14]
            a[14] = rotl(current, 18)
            current = next
            next = a[22]
            a[22] = rotl(current, 39)
            current = next
            next = a[9]
            a[9] = rotl(current, 61)
            current = next
            next = a[6]
            a[6] = rotl(current, 20)
            current = next
            a[1] = rotl(current, 44)
            // χ
            for row in stride(from: 0, to: 25, by: 5) {
                let b0 = a[row], b1 = a[row + 1], b2 = a[row + 2], b3 = a[row + 3], b4 = a[row + 4]
                a[row] = b0 ^ (~b1 & b2)
                a[row + 1] = b1 ^ (~b2 & b3)
                a[row + 2] = b2 ^ (~b3 & b4)
                a[row + 3] = b3 ^ (~b4 & b0)
                a[row + 4] = b4 ^ (~b0 & b1)
            }
            // ι
            a[0] ^= roundConstants.withUnsafeBufferPointer { $0[round] }
        }
    }

    @inline(__always)
    private static func rotl(_ value: UInt64, _ amount: UInt64) -> UInt64 {
        (value << amount) | (value >> (64 - amount))
    }
}
