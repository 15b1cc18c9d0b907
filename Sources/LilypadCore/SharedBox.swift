/// Immutable storage shared by the copies of a value type, so that copying the value costs one
/// reference count however many fields it has. A change stores a new box (copy on write).
final class SharedBox<Value: Sendable>: Sendable {
    let value: Value

    init(_ value: Value) { self.value = value }

    /// A new box holding this one's value with `change` applied (a box itself never changes:
    /// other copies of the value share it).
    func updated(_ change: (inout Value) -> Void) -> SharedBox {
        var copy = value
        change(&copy)
        return SharedBox(copy)
    }
}
