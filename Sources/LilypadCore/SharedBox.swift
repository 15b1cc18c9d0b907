/// Immutable storage shared by the copies of a value type, so that copying the value costs one
/// reference count however many fields it has. A change stores a new box (copy on write).
final class SharedBox<Value: Sendable>: Sendable {
    let value: Value

    init(_ value: Value) { self.value = value }
}
