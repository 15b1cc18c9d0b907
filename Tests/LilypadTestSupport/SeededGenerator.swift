import Foundation

/// A small deterministic generator (SplitMix64) for randomised tests, so a failure reproduces
/// from its seed.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The seed from `LILYPAD_TEST_SEED`, or a fixed default so CI runs are reproducible.
    public static var configuredSeed: UInt64 {
        ProcessInfo.processInfo.environment["LILYPAD_TEST_SEED"].flatMap(UInt64.init) ?? 20_261_123
    }
}
