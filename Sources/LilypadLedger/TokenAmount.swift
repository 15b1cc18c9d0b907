import Foundation

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

extension UInt256 {
    /// Parses an LP amount with up to 18 decimals (`"10"`, `"1.5"`, `"0.000000000000000001"`) into wei.
    public init?(lp text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = UInt256(decimal: parts[0].isEmpty ? "0" : parts[0]) else { return nil }
        var fraction = parts.count == 2 ? String(parts[1]) : ""
        guard fraction.count <= 18, fraction.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        fraction += String(repeating: "0", count: 18 - fraction.count)
        guard let wholeWei = whole.multiplied(by: 1_000_000_000_000_000_000), let fractionWei = UInt256(decimal: fraction),
            let total = wholeWei.adding(fractionWei)
        else { return nil }
        self = total
    }
}
