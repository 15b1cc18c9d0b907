extension OrderBook {
    /// Where an offer is in its ``Slab``: a slot, and the generation of the offer in it (a slot is
    /// reused once its offer leaves, so a stale handle in a queue is recognised as dead).
    struct Handle: Hashable, Sendable {
        var slot: UInt32
        var generation: UInt32
    }

    /// The hash an offer ID is indexed by, seeded per process. A Lilypad ID (CIDv0: `Qm` and 44
    /// base58 digits of a SHA-256 digest) is already uniformly random, so its last eight digits,
    /// mixed with the seed, are hash enough (a multiply instead of SipHash); other IDs go through
    /// `Hasher`. Two IDs collide only when they share those eight digits, which no one can arrange
    /// without finding near-collisions of SHA-256, and where colliding IDs land depends on the seed.
    static func idHash(_ id: String) -> UInt32 {
        let fast = id.utf8.withContiguousStorageIfAvailable { bytes -> UInt32? in
            guard bytes.count == 46, bytes[0] == UInt8(ascii: "Q"), bytes[1] == UInt8(ascii: "m") else { return nil }
            let digits = UnsafeRawBufferPointer(bytes).loadUnaligned(fromByteOffset: 38, as: UInt64.self)
            let mixed = (digits ^ idSeed) &* 0x9E37_79B9_7F4A_7C15
            return UInt32(truncatingIfNeeded: mixed ^ mixed >> 32)
        }
        if let fast, let hash = fast { return hash }
        var hasher = Hasher()
        hasher.combine(id)
        return UInt32(truncatingIfNeeded: hasher.finalize())
    }

    /// A random number per process (`Hasher` is seeded per process).
    private static let idSeed: UInt64 = {
        var hasher = Hasher()
        hasher.combine(0x1D)
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }()

    /// The offers on one side of the book, in slots reused after removal. Matching follows
    /// handles (an array index and a compare) instead of hashing offer IDs; IDs are looked up
    /// through an ``IDIndex``.
    struct Slab<Entry: SlabEntry>: Sendable {
        struct Slot: Sendable {
            var entry: Entry?
            var generation: UInt32
        }

        private var slots: [Slot] = []
        private var free: [UInt32] = []
        private var index = IDIndex()

        var count: Int { index.count }

        /// Room for `capacity` offers without growing (and rehashing) on the way.
        mutating func reserve(_ capacity: Int) {
            slots.reserveCapacity(capacity)
            index.reserve(capacity)
        }

        func handle(of id: String) -> Handle? {
            guard let slot = index.find(OrderBook.idHash(id), where: { slots[Int($0)].entry?.id == id }) else { return nil }
            return Handle(slot: slot, generation: slots[Int(slot)].generation)
        }

        @inline(__always)
        func contains(_ handle: Handle) -> Bool {
            slots[Int(handle.slot)].generation == handle.generation && slots[Int(handle.slot)].entry != nil
        }

        /// When the offer arrived, without copying it out (`nil` if it left).
        @inline(__always)
        func arrival(of handle: Handle) -> UInt64? { contains(handle) ? slots[Int(handle.slot)].entry?.arrival : nil }

        /// `body` applied to the entry at `handle` (`nil` if it left).
        func read<Result>(_ handle: Handle, _ body: (Entry) -> Result) -> Result? {
            guard contains(handle), let entry = slots[Int(handle.slot)].entry else { return nil }
            return body(entry)
        }

        /// Changes the entry at `handle` in place (nothing if it left).
        mutating func update(_ handle: Handle, _ change: (inout Entry) -> Void) {
            guard contains(handle) else { return }
            slots[Int(handle.slot)].entry?.apply(change)  // in place: taking the entry out and back would copy it
        }

        /// Adds an offer; one with the same ID already in the slab is no longer found by its ID.
        mutating func insert(_ entry: consuming Entry) -> Handle {
            let hash = entry.idHash
            let id = entry.id
            let handle: Handle
            if let slot = free.popLast() {
                handle = Handle(slot: slot, generation: slots[Int(slot)].generation)
                slots[Int(slot)].entry = entry
            } else {
                handle = Handle(slot: UInt32(slots.count), generation: 0)
                slots.append(Slot(entry: entry, generation: 0))
            }
            index.insert(hash, slot: handle.slot, replacing: { slots[Int($0)].entry?.id == id })
            return handle
        }

        /// Takes the offer at `handle` out of the book, and gives it back (`nil` if it already left).
        mutating func remove(_ handle: Handle) -> Entry? {
            guard contains(handle), let entry = slots[Int(handle.slot)].entry.take() else { return nil }
            index.remove(entry.idHash, slot: handle.slot)
            slots[Int(handle.slot)].generation &+= 1
            free.append(handle.slot)
            return entry
        }
    }

    /// Offer IDs → slots, in an open-addressing table of 8-byte cells (the ID's hash, the slot):
    /// adding an offer writes one cell, where a `Dictionary` keyed by ID would touch three arrays
    /// and keep a copy of every ID. Linear probing, deletion by shifting back (no tombstones).
    struct IDIndex: Sendable {
        /// `hash << 32 | (slot + 1)`; 0 is an empty cell.
        private var cells: [UInt64] = []
        private(set) var count = 0

        private var mask: Int { cells.count - 1 }

        private static func cell(_ hash: UInt32, _ slot: UInt32) -> UInt64 { UInt64(hash) << 32 | (UInt64(slot) + 1) }
        private static func hash(of cell: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: cell >> 32) }
        private static func slot(of cell: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: cell - 1) }

        /// Room for `capacity` IDs without growing.
        mutating func reserve(_ capacity: Int) {
            var size = 16
            while size * 7 < capacity * 8 { size *= 2 }  // at most 7/8 full
            if size > cells.count { rebuild(size: size) }
        }

        /// The slot under `hash` for which `matches` holds.
        func find(_ hash: UInt32, where matches: (UInt32) -> Bool) -> UInt32? {
            guard !cells.isEmpty else { return nil }
            var position = Int(hash) & mask
            while cells[position] != 0 {
                if Self.hash(of: cells[position]) == hash, matches(Self.slot(of: cells[position])) { return Self.slot(of: cells[position]) }
                position = (position + 1) & mask
            }
            return nil
        }

        /// Adds `slot` under `hash`, in place of a slot under the same hash for which `replacing` holds.
        mutating func insert(_ hash: UInt32, slot: UInt32, replacing: (UInt32) -> Bool) {
            if (count + 1) * 8 > cells.count * 7 { rebuild(size: max(16, cells.count * 2)) }
            var position = Int(hash) & mask
            while cells[position] != 0 {
                if Self.hash(of: cells[position]) == hash, replacing(Self.slot(of: cells[position])) {
                    cells[position] = Self.cell(hash, slot)
                    return
                }
                position = (position + 1) & mask
            }
            cells[position] = Self.cell(hash, slot)
            count += 1
        }

        /// Removes `slot` (added under `hash`).
        mutating func remove(_ hash: UInt32, slot: UInt32) {
            guard !cells.isEmpty else { return }
            let target = Self.cell(hash, slot)
            var hole = Int(hash) & mask
            while cells[hole] != target {
                if cells[hole] == 0 { return }
                hole = (hole + 1) & mask
            }
            // Shift back the cells after the hole that probed past it, so that no probe stops early.
            var next = hole
            while true {
                next = (next + 1) & mask
                guard cells[next] != 0 else { break }
                let home = Int(Self.hash(of: cells[next])) & mask
                // `next` may fill the hole unless its home lies cyclically in (hole, next].
                let homeAfterHole = hole <= next ? (home > hole && home <= next) : (home > hole || home <= next)
                if !homeAfterHole {
                    cells[hole] = cells[next]
                    hole = next
                }
            }
            cells[hole] = 0
            count -= 1
        }

        private mutating func rebuild(size: Int) {
            let old = cells
            cells = [UInt64](repeating: 0, count: size)
            for cell in old where cell != 0 {
                var position = Int(Self.hash(of: cell)) & mask
                while cells[position] != 0 { position = (position + 1) & mask }
                cells[position] = cell
            }
        }
    }
}

extension OrderBook {
    /// Free resource offers by provider, for targeted jobs: each provider's handles in a list, and
    /// each offer's entry knows its place in that list, so that taking an offer out of the book
    /// hashes nothing (but the provider's address, when its last free offer leaves).
    struct ProviderIndex: Sendable {
        /// Where a handle is: a list, and a position in it.
        struct Place: Sendable {
            var list = 0
            var position = 0
        }

        private var lists: [String: Int] = [:]
        private var handles: [[Handle]] = []
        private var unusedLists: [Int] = []

        /// The provider's free offers (none if it has none).
        func handles(of provider: String) -> [Handle] { lists[provider].map { handles[$0] } ?? [] }

        mutating func add(_ handle: Handle, provider: String) -> Place {
            let list: Int
            if let existing = lists[provider] {
                list = existing
            } else {
                list = unusedLists.popLast() ?? handles.count
                if list == handles.count { handles.append([]) }
                lists[provider] = list
            }
            handles[list].append(handle)
            return Place(list: list, position: handles[list].count - 1)
        }

        /// Removes the handle at `place`; the last handle of the list takes its place and is returned,
        /// for its entry to be told.
        mutating func remove(at place: Place, provider: String) -> Handle? {
            let last = handles[place.list].count - 1
            let moved = place.position == last ? nil : handles[place.list][last]
            if let moved { handles[place.list][place.position] = moved }
            handles[place.list].removeLast()
            if handles[place.list].isEmpty {
                lists[provider] = nil
                unusedLists.append(place.list)
            }
            return moved
        }
    }
}

/// What a ``OrderBook/Slab`` keeps per offer.
protocol SlabEntry: Sendable {
    /// The offer's ID.
    var id: String { get }
    /// ``OrderBook/idHash(_:)`` of the ID, kept to take the offer out of the index.
    var idHash: UInt32 { get }
    /// When the offer arrived in the book.
    var arrival: UInt64 { get }
}

extension SlabEntry {
    /// `change` applied to this entry, where it is.
    mutating func apply(_ change: (inout Self) -> Void) { change(&self) }
}
