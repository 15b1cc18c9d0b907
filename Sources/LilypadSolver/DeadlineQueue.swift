import LilypadCrypto

/// Pending lifecycle deadlines, earliest first: the solver sleeps until the earliest one instead
/// of sweeping every offer on a tick.
struct DeadlineQueue: Sendable {
    /// Which timeout a deadline enforces.
    enum Kind: Sendable, Hashable { case match, execution, download, total }

    /// One deadline: at `at` (ms since the epoch), apply `kind` to the offer or deal `id` if it is still pending.
    struct Entry: Sendable, Hashable {
        var at: Int
        var kind: Kind
        var id: String
    }

    private var heap = MinHeap<Entry>()

    var count: Int { heap.count }
    var earliest: Int? { heap.firstKey.map { Int($0) } }

    mutating func push(contentsOf entries: [Entry]) { for entry in entries { push(entry) } }

    mutating func push(_ entry: Entry) { heap.push(entry, key: Int64(entry.at)) }

    /// Removes and returns the earliest entry if it is due at `now`.
    mutating func popDue(now: Int) -> Entry? { heap.popFirst(ifKeyAtMost: Int64(now)) }
}
