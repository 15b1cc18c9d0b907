/// Pending lifecycle deadlines, earliest first (a binary min-heap): the solver sleeps until the
/// earliest one instead of sweeping every offer on a tick.
struct DeadlineQueue: Sendable {
    /// Which timeout a deadline enforces.
    enum Kind: Sendable, Hashable { case match, execution, download, total }

    /// One deadline: at `at` (ms since the epoch), apply `kind` to the offer or deal `id` if it is still pending.
    struct Entry: Sendable, Hashable {
        var at: Int
        var kind: Kind
        var id: String
    }

    private var heap: [Entry] = []

    var count: Int { heap.count }
    var earliest: Int? { heap.first?.at }

    mutating func push(contentsOf entries: [Entry]) { for entry in entries { push(entry) } }

    mutating func push(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].at < heap[parent].at else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest entry if it is due at `now`.
    mutating func popDue(now: Int) -> Entry? {
        guard let first = heap.first, first.at <= now else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < heap.count, heap[left].at < heap[smallest].at { smallest = left }
                if right < heap.count, heap[right].at < heap[smallest].at { smallest = right }
                guard smallest != parent else { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return first
    }
}
