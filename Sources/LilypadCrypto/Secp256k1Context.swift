import CSecp256k1

/// The process-wide libsecp256k1 context.
///
/// A context without precomputation flags serves signing, verification and recovery (API ≥ 0.2).
/// It is randomised once for side-channel protection and never mutated afterwards, so sharing it
/// across threads is safe.
final class Secp256k1Context: @unchecked Sendable {
    static let shared = Secp256k1Context()

    let pointer: OpaquePointer

    private init() {
        // secp256k1_context_create only fails on invalid flags, which is a programming error.
        guard let context = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) else {
            preconditionFailure("libsecp256k1 refused to create a context")
        }
        var seed = SecureRandom.bytes(count: 32)
        _ = secp256k1_context_randomize(context, &seed)
        pointer = context
    }

    deinit {
        secp256k1_context_destroy(pointer)
    }
}

/// Cryptographically secure random bytes from the system generator.
public enum SecureRandom {
    /// Returns `count` random bytes.
    public static func bytes(count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}
