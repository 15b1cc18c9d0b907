/// A unit of measure for ``Quantity``.
public protocol QuantityUnit: Sendable {
    /// The unit's symbol, for messages.
    static var symbol: String { get }
}

/// CPU in thousandths of a core (`1000` = one core).
public enum MilliCPU: QuantityUnit { public static let symbol = "millicores" }
/// Memory in mebibytes (2^20 bytes).
public enum MiB: QuantityUnit { public static let symbol = "MiB" }
/// Storage in bytes.
public enum Bytes: QuantityUnit { public static let symbol = "bytes" }

/// An integer amount in an explicit unit. On the wire it is a plain JSON integer, as in Lilypad;
/// in code, a RAM figure in bytes cannot be assigned where MiB are expected (the unit mix-up that
/// made Lilypad v2's RAM check meaningless), and every conversion is spelled out.
public struct Quantity<Unit: QuantityUnit>: Sendable, Hashable, Comparable, Codable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    /// The amount in `Unit`.
    public var value: Int

    public init(_ value: Int) { self.value = value }
    public init(integerLiteral value: Int) { self.value = value }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }
    public static func + (lhs: Self, rhs: Self) -> Self { Self(lhs.value + rhs.value) }
    public static func - (lhs: Self, rhs: Self) -> Self { Self(lhs.value - rhs.value) }
    public static var zero: Self { Self(0) }

    public var description: String { "\(value) \(Unit.symbol)" }

    public init(from decoder: any Decoder) throws {
        value = try decoder.singleValueContainer().decode(Int.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

/// CPU capacity or requirement in millicores.
public typealias Millicores = Quantity<MilliCPU>
/// RAM or VRAM in MiB.
public typealias Mebibytes = Quantity<MiB>
/// Disk space in bytes.
public typealias ByteCount = Quantity<Bytes>

extension Quantity where Unit == MiB {
    /// Whole MiB in `bytes`, rounded down (a machine with 1.5 MiB free offers 1 MiB).
    public init(bytes: ByteCount) { self.init(bytes.value >> 20) }
    /// The amount in bytes.
    public var bytes: ByteCount { ByteCount(value << 20) }
}

extension Quantity where Unit == MilliCPU {
    /// Whole cores as millicores.
    public init(cores: Int) { self.init(cores * 1000) }
}
