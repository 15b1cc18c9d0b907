import Foundation
import LilypadCore
import Testing

@Suite("Solver events")
struct SolverEventTests {
    /// An event of a kind this build does not know (a newer solver's) is read all the same, with
    /// its `seq`, so that a client following the log neither stops nor reads it again.
    @Test func anEventOfAnUnknownKindIsReadAsUnrecognized() throws {
        let json = #"[{"seq": 7, "event_type": "SomethingNew"}, {"seq": 8, "event_type": "DealStopRequested"}]"#
        let events = try JSONDecoder().decode([SolverEvent].self, from: Data(json.utf8))
        #expect(events.map(\.kind) == [.unrecognized, .dealStopRequested])
        #expect(events.map(\.seq) == [7, 8])
    }

    @Test(arguments: SolverEvent.Kind.allCases)
    func everyKindRoundTrips(kind: SolverEvent.Kind) throws {
        let event = SolverEvent(seq: 3, kind: kind)
        #expect(try JSONDecoder().decode(SolverEvent.self, from: Data(try GoJSONEncoder().encode(event))) == event)
    }
}
