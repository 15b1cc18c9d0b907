import Synchronization

/// A value set from a callback (the latest setting wins) and read later, from any thread.
public final class OnceBox<Value: Sendable>: Sendable {
    private let storage = Mutex<Value?>(nil)

    public init() {}

    public func set(_ value: Value) { storage.withLock { $0 = value } }

    public var value: Value? { storage.withLock { $0 } }
}
