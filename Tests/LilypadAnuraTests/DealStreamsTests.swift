import LilypadSolverService
import Testing

@Suite struct DealStreamsTests {
    @Test func readersGetBytesInOrderFromAnyOffsetUntilDone() async throws {
        let streams = DealStreams()
        try await streams.append(Array("data: a\n".utf8), dealID: "d", done: false)
        try await streams.append(Array("data: b\n".utf8), dealID: "d", done: false)
        let first = await streams.read(dealID: "d", from: 0)
        #expect(String(decoding: first.bytes, as: UTF8.self) == "data: a\ndata: b\n" && !first.done)
        let later = await streams.read(dealID: "d", from: 8)
        #expect(String(decoding: later.bytes, as: UTF8.self) == "data: b\n")
        try await streams.append([], dealID: "d", done: true)
        let end = await streams.read(dealID: "d", from: 16)
        #expect(end.bytes.isEmpty && end.done)
        await #expect(throws: DealStreams.Refusal.finished) { try await streams.append([1], dealID: "d", done: false) }
    }

    @Test func aWaitingReaderWakesOnTheNextBytes() async throws {
        let streams = DealStreams()
        async let read = streams.read(dealID: "w", from: 0, patience: .seconds(30))
        try await Task.sleep(for: .milliseconds(50))
        try await streams.append(Array("x".utf8), dealID: "w", done: false)
        let result = await read
        #expect(result.bytes == Array("x".utf8))
    }

    @Test func aReaderWithNothingNewReturnsAfterItsPatience() async {
        let streams = DealStreams()
        let result = await streams.read(dealID: "none", from: 0, patience: .milliseconds(20))
        #expect(result.bytes.isEmpty && !result.done)
    }

    @Test func eachDealIsBounded() async throws {
        let streams = DealStreams(limit: 4)
        try await streams.append([1, 2, 3], dealID: "b", done: false)
        await #expect(throws: DealStreams.Refusal.full(limit: 4)) { try await streams.append([4, 5], dealID: "b", done: false) }
    }
}

@Suite struct DealStreamStopTests {
    @Test func aStopRefusesTheProvidersNextBytesAndEndsTheReaders() async throws {
        let streams = DealStreams()
        try await streams.append(Array("data: a\n".utf8), dealID: "s", done: false)
        async let waiting = streams.read(dealID: "s", from: 8, patience: .seconds(30))
        try await Task.sleep(for: .milliseconds(50))
        await streams.stop(dealID: "s")
        let woken = await waiting
        #expect(woken.bytes.isEmpty && woken.done)
        #expect(await streams.isStopped(dealID: "s"))
        await #expect(throws: DealStreams.Refusal.stopped) { try await streams.append([1], dealID: "s", done: false) }
        // What was relayed before the stop is still there, once.
        let all = await streams.read(dealID: "s", from: 0)
        #expect(String(decoding: all.bytes, as: UTF8.self) == "data: a\n" && all.done)
    }

    @Test func aStopBeforeAnyOutputIsKeptForTheFirstPost() async throws {
        let streams = DealStreams()
        await streams.stop(dealID: "early")
        await streams.stop(dealID: "early")
        await #expect(throws: DealStreams.Refusal.stopped) { try await streams.append(Array("x".utf8), dealID: "early", done: false) }
        #expect(await !streams.isStopped(dealID: "other"))
    }
}
