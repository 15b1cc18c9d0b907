import LilypadTestSupport
import Testing

@testable import LilypadCore

@Suite("Order book ID index")
struct OrderBookIndexTests {
    /// Random inserts and removals with few distinct hashes (long probe runs that wrap around the
    /// table): every slot still in the index is found, and none that left is.
    @Test(arguments: [1, 2, 3])
    func findsExactlyWhatIsIn(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        var index = OrderBook.IDIndex()
        var present: [UInt32: UInt32] = [:]  // slot → hash
        // Hashes near the top of a 16–64-cell table, so that runs wrap past the end.
        let hashes: [UInt32] = [13, 14, 15, 29, 30, 31, 63, 0xFFFF_FFFF]
        for step in 0..<1500 {
            if present.isEmpty || random.next() % 3 != 0 {
                let slot = UInt32(step)
                let hash = hashes[Int(random.next() % UInt64(hashes.count))]
                index.insert(hash, slot: slot, replacing: { _ in false })
                present[slot] = hash
            } else {
                let slot = present.keys.sorted()[Int(random.next() % UInt64(present.count))]
                index.remove(present[slot] ?? 0, slot: slot)
                present[slot] = nil
            }
            #expect(index.count == present.count)
            if step % 97 == 0 {
                for (slot, hash) in present { #expect(index.find(hash, where: { $0 == slot }) == slot) }
                #expect(index.find(13, where: { present[$0] == nil }) == nil)
            }
        }
    }

    @Test func insertingTheSameIDAgainReplacesIt() {
        var index = OrderBook.IDIndex()
        index.insert(7, slot: 1, replacing: { _ in false })
        index.insert(7, slot: 2, replacing: { $0 == 1 })
        #expect(index.count == 1)
        #expect(index.find(7, where: { _ in true }) == 2)
    }
}
