/// A 256-bit unsigned integer, the width of token amounts on EVM chains.
///
/// Arithmetic is checked: ``adding(_:)`` and ``subtracting(_:)`` return `nil` on overflow or
/// underflow instead of wrapping, so the ledger can refuse such a transaction instead of
/// corrupting a balance.
public struct UInt256: Sendable, Hashable, Comparable, Codable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    /// Limbs, least significant first.
    var limbs: (UInt64, UInt64, UInt64, UInt64)

    public static let zero = UInt256(0)
    public static let max = UInt256(limbs: (.max, .max, .max, .max))

    init(limbs: (UInt64, UInt64, UInt64, UInt64)) { self.limbs = limbs }

    public init(_ value: UInt64) { limbs = (value, 0, 0, 0) }
    public init(integerLiteral value: UInt64) { self.init(value) }

    var array: [UInt64] { [limbs.0, limbs.1, limbs.2, limbs.3] }
    init(array: [UInt64]) { limbs = (array[0], array[1], array[2], array[3]) }

    public var isZero: Bool { limbs == (0, 0, 0, 0) }

    /// `self + other`, or `nil` if the sum does not fit in 256 bits.
    public func adding(_ other: UInt256) -> UInt256? {
        var result = [UInt64](repeating: 0, count: 4)
        var carry: UInt64 = 0
        for (index, (a, b)) in zip(array, other.array).enumerated() {
            let (s1, o1) = a.addingReportingOverflow(b)
            let (s2, o2) = s1.addingReportingOverflow(carry)
            result[index] = s2
            carry = (o1 ? 1 : 0) + (o2 ? 1 : 0)
        }
        return carry == 0 ? UInt256(array: result) : nil
    }

    /// `self − other`, or `nil` if `other > self`.
    public func subtracting(_ other: UInt256) -> UInt256? {
        var result = [UInt64](repeating: 0, count: 4)
        var borrow: UInt64 = 0
        for (index, (a, b)) in zip(array, other.array).enumerated() {
            let (d1, o1) = a.subtractingReportingOverflow(b)
            let (d2, o2) = d1.subtractingReportingOverflow(borrow)
            result[index] = d2
            borrow = (o1 ? 1 : 0) + (o2 ? 1 : 0)
        }
        return borrow == 0 ? UInt256(array: result) : nil
    }

    /// `self × factor`, or `nil` on overflow.
    public func multiplied(by factor: UInt64) -> UInt256? {
        var result = [UInt64](repeating: 0, count: 4)
        var carry: UInt64 = 0
        for (index, limb) in array.enumerated() {
            let (high, low) = limb.multipliedFullWidth(by: factor)
            let (sum, overflow) = low.addingReportingOverflow(carry)
            result[index] = sum
            carry = high + (overflow ? 1 : 0)
        }
        return carry == 0 ? UInt256(array: result) : nil
    }

    /// Quotient and remainder of division by a non-zero 64-bit divisor.
    public func quotientAndRemainder(dividingBy divisor: UInt64) -> (quotient: UInt256, remainder: UInt64) {
        precondition(divisor != 0, "division by zero")
        var result = [UInt64](repeating: 0, count: 4)
        var remainder: UInt64 = 0
        for index in (0..<4).reversed() {
            let (q, r) = divisor.dividingFullWidth((remainder, array[index]))
            result[index] = q
            remainder = r
        }
        return (UInt256(array: result), remainder)
    }

    public static func < (lhs: UInt256, rhs: UInt256) -> Bool {
        for (a, b) in zip(lhs.array, rhs.array).reversed() where a != b { return a < b }
        return false
    }

    public static func == (lhs: UInt256, rhs: UInt256) -> Bool { lhs.limbs == rhs.limbs }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(limbs.0)
        hasher.combine(limbs.1)
        hasher.combine(limbs.2)
        hasher.combine(limbs.3)
    }

    /// Decimal digits.
    public var description: String {
        if isZero { return "0" }
        var digits: [Character] = []
        var value = self
        while !value.isZero {
            let (quotient, remainder) = value.quotientAndRemainder(dividingBy: 10)
            digits.append(Character(String(remainder)))
            value = quotient
        }
        return String(digits.reversed())
    }

    /// Parses decimal digits; `nil` for anything else or a value over 2^256 − 1.
    public init?(decimal text: some StringProtocol) {
        guard !text.isEmpty else { return nil }
        var value = UInt256.zero
        for char in text {
            guard let digit = char.wholeNumberValue, char.isASCII,
                let shifted = value.multiplied(by: 10), let next = shifted.adding(UInt256(UInt64(digit)))
            else { return nil }
            value = next
        }
        self = value
    }

    /// Encoded as a decimal string in JSON (numbers this large do not survive JavaScript).
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = UInt256(decimal: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "\"\(text)\" is not a whole number below 2^256"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// The 32-byte big-endian encoding.
    public var bigEndianBytes: [UInt8] {
        array.reversed().flatMap { limb in (0..<8).reversed().map { UInt8(truncatingIfNeeded: limb >> UInt64($0 * 8)) } }
    }
}
