/// Values ordered by an integer key, smallest first (a binary min-heap): O(log n) to add or take
/// the first. Used for expiries and deadlines, where the key is a time.
public struct MinHeap<Value: Sendable>: Sendable {
    private var entries: [(key: Int64, value: Value)] = []

    public init() {}

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    /// The smallest key, if any.
    public var firstKey: Int64? { entries.first?.key }

    public mutating func push(_ value: Value, key: Int64) {
        entries.append((key, value))
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].key < entries[parent].key else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the first value if its key is at most `limit`.
    public mutating func popFirst(ifKeyAtMost limit: Int64) -> Value? {
        guard let first = entries.first, first.key <= limit else { return nil }
        entries.swapAt(0, entries.count - 1)
        entries.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < entries.count, entries[left].key < entries[smallest].key { smallest = left }
            if right < entries.count, entries[right].key < entries[smallest].key { smallest = right }
            guard smallest != parent else { break }
            entries.swapAt(parent, smallest)
            parent = smallest
        }
        return first.value
    }
}
