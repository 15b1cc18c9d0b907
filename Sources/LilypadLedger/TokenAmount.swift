/// LP token amounts: 18 decimals, held as 256-bit integers of the smallest unit (wei).
extension UInt256 {
    /// 10^18: one whole LP token in wei.
    public static let weiPerToken = UInt256(1_000_000_000_000_000_000)

    /// `whole` LP tokens.
    public static func lp(_ whole: UInt64) -> UInt256 {
        // Cannot overflow: 2^64 × 10^18 < 2^256.
        UInt256(whole).multiplied(by: 1_000_000_000_000_000_000) ?? .max
    }

    /// The amount in LP with up to 18 decimals, e.g. `12.5 LP`.
    public var lpDescription: String {
        let (whole, fraction) = quotientAndRemainder(dividingBy: 1_000_000_000_000_000_000)
        guard fraction > 0 else { return "\(whole) LP" }
        var decimals = String(fraction)
        decimals = String(repeating: "0", count: 18 - decimals.count) + decimals
        while decimals.hasSuffix("0") { decimals.removeLast() }
        return "\(whole).\(decimals) LP"
    }
}
