/// A Go value of one of the dynamic types a template can meet: what `encoding/json` produces when decoding
/// into `interface{}`, Lilypad's `map[string]string` inputs, and the `int`, `uint8` and `complex128` values
/// that constants, `len`, `range` and `index` create. Strings are Go byte strings.
enum GoData: Sendable {
    case bool(Bool)
    case int(Int)
    case uint8(UInt8)
    case float64(Double)
    case complex128(Double, Double)
    case string([UInt8])
    /// `[]interface{}`; `nil` elements are nil interfaces.
    case slice(GoSlice)
    /// `map[string]interface{}`.
    case map([[UInt8]: GoData?])
    /// `map[string]string`.
    case stringMap([[UInt8]: [UInt8]])

    /// The Go type, as `reflect.Type.String()` spells it.
    var typeName: String {
        switch self {
        case .bool: "bool"
        case .int: "int"
        case .uint8: "uint8"
        case .float64: "float64"
        case .complex128: "complex128"
        case .string: "string"
        case .slice: "[]interface {}"
        case .map: "map[string]interface {}"
        case .stringMap: "map[string]string"
        }
    }

    /// Go's `len` for the kinds that have one.
    var length: Int? {
        switch self {
        case .string(let bytes): bytes.count
        case .slice(let slice): slice.count
        case .map(let entries): entries.count
        case .stringMap(let entries): entries.count
        default: nil
        }
    }

    /// `template.IsTrue`: the zero value of every type is false; every value here has a truth value.
    var isTrue: Bool {
        switch self {
        case .bool(let value): value
        case .int(let value): value != 0
        case .uint8(let value): value != 0
        case .float64(let value): value != 0
        case .complex128(let re, let im): re != 0 || im != 0
        case .string, .slice, .map, .stringMap: (length ?? 0) > 0
        }
    }

    /// Map keys in the order `fmt` and `range` visit them (`internal/fmtsort`: byte order for strings).
    static func sortedKeys<Value>(_ entries: [[UInt8]: Value]) -> [[UInt8]] {
        entries.keys.sorted { $0.lexicographicallyPrecedes($1) }
    }
}

/// What text/template manipulates as a `reflect.Value`: nothing at all (the zero `Value`, which prints as
/// `<no value>`), a concrete value, or a value of static type `interface{}`, as found inside JSON
/// containers, which may be a nil interface.
enum Operand: Sendable {
    case invalid
    case value(GoData)
    case interface(GoData?)

    /// The value an `interface{}` parameter receives: the dynamic value, or nil.
    var dynamicValue: GoData? {
        switch self {
        case .invalid: nil
        case .value(let data): data
        case .interface(let data): data
        }
    }

    /// `indirectInterface`: the concrete value inside an interface, or `.invalid` for a nil one.
    var indirected: Operand {
        if case .interface(let data) = self { return data.map(Operand.value) ?? .invalid }
        return self
    }

    /// The type name `reflect.Value.Type()` reports (interfaces report `interface {}`).
    var typeName: String {
        switch self {
        case .invalid: "<nil>"
        case .value(let data): data.typeName
        case .interface: "interface {}"
        }
    }

    /// `truth`/`isTrue(indirectInterface(v))`.
    var isTrue: Bool {
        indirected.dynamicValue?.isTrue ?? false
    }
}

/// A Go `[]interface{}`: the visible elements plus the spare capacity behind them, which text/template's
/// `slice` function can reach (`slice x 0 (cap x)` is legal Go even past `len x`).
struct GoSlice: Sendable {
    /// The backing array from the first element up to the capacity; slots past `count` hold nil interfaces.
    var storage: [GoData?]
    var count: Int

    var capacity: Int { storage.count }
    var elements: ArraySlice<GoData?> { storage[0..<count] }

    /// A slice whose capacity is what Go's `encoding/json` leaves it with: it appends elements one by one
    /// to an empty `[]interface{}`, so the capacity follows the runtime's growth rule and size classes.
    init(decoded elements: [GoData?]) {
        var capacity = 0
        while capacity < elements.count { capacity = Self.grownCapacity(appendingTo: capacity) }
        storage = elements + repeatElement(nil, count: capacity - elements.count)
        count = elements.count
    }

    init(storage: [GoData?], count: Int) {
        self.storage = storage
        self.count = count
    }

    /// `s[low:high]` / `s[low:high:max]` on a valid range.
    func sliced(_ low: Int, _ high: Int, max: Int? = nil) -> GoSlice {
        GoSlice(storage: Array(storage[low..<(max ?? capacity)]), count: high - low)
    }

    /// The capacity after appending one element to a full `[]interface{}` of capacity `capacity`
    /// (Go 1.23's `growslice` for 16-byte, pointer-holding elements).
    static func grownCapacity(appendingTo capacity: Int) -> Int {
        let needed = capacity + 1
        var grown: Int
        if needed > 2 * capacity {
            grown = needed
        } else if capacity < 256 {
            grown = 2 * capacity
        } else {
            grown = capacity
            while grown < needed { grown += (grown + 3 * 256) >> 2 }
        }
        return roundedAllocationSize(grown * 16) / 16
    }

    /// The runtime's `roundupsize` for objects containing pointers.
    private static func roundedAllocationSize(_ size: Int) -> Int {
        let mallocHeader = 8
        if size <= 32768 - mallocHeader {
            let requested = size > 512 ? size + mallocHeader : size
            let classSize = sizeClasses.first { $0 >= requested } ?? requested
            return classSize - (requested - size)
        }
        let page = 8192
        return (size + page - 1) / page * page
    }

    private static let sizeClasses = [
        0, 8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 288, 320, 352, 384, 416, 448, 480,
        512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792, 2048, 2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376,
        6144, 6528, 6784, 6912, 8192, 9472, 9728, 10240, 10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576,
        27264, 28672, 32768,
    ]
}
