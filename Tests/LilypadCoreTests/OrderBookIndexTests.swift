import Foundation
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

    /// Lilypad IDs (CIDv0) are indexed by their last digits: IDs that share them, and IDs of other
    /// shapes, are still told apart.
    @Test func cidShapedIDsThatShareTheirLastDigits() throws {
        var book = OrderBook()
        let tail = "ABCDEFGH"
        let ids = (0..<40).map { "Qm" + String(repeating: "z", count: 34) + String(format: "%02d", $0) + tail }
        #expect(ids.allSatisfy { $0.utf8.count == 46 })
        #expect(Set(ids.map(OrderBook.idHash)).count == 1)
        for id in ids + ["short", "Qm-not-a-cid"] {
            #expect(try book.add(job: Offers.job(id, spec: MachineSpec(cpu: 64000))) == .waiting)
        }
        for id in ids where id.hasSuffix("7" + tail) || id.hasSuffix("3" + tail) { book.removeJob(id: id) }
        book.removeJob(id: "short")
        for id in ids {
            #expect(book.isWaiting(jobOffer: id) == !(id.hasSuffix("7" + tail) || id.hasSuffix("3" + tail)), "\(id)")
        }
        #expect(!book.isWaiting(jobOffer: "short") && book.isWaiting(jobOffer: "Qm-not-a-cid"))
        #expect(book.waitingJobOfferCount == 41 - 8)
        // Real IDs, computed from the offers.
        var real = OrderBook()
        let (job, json) = try Offers.job("", spec: MachineSpec(cpu: 64000)).identified()
        #expect(job.id.hasPrefix("Qm") && job.id.utf8.count == 46)
        #expect(try real.add(job: job, json: json) == .waiting)
        #expect(real.isWaiting(jobOffer: job.id))
        real.removeJob(id: job.id)
        #expect(!real.isWaiting(jobOffer: job.id) && real.waitingJobOfferCount == 0)
    }
}
