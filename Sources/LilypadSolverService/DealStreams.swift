import Foundation

/// The live output of running jobs, relayed from each deal's provider to its job creator while the
/// job runs (token streaming for Anura). Bounded: each deal keeps at most ``limit`` bytes, and a
/// finished stream is forgotten after ``retention``. The results archive stays the authority; the
/// live stream is a preview that readers may fall behind on but never see reordered.
///
/// It also carries the job creator's request to stop the job early (``stop(dealID:)``): the
/// provider learns of it when its next bytes are refused (``Refusal/stopped``).
public actor DealStreams {
    struct Stream {
        var bytes: [UInt8] = []
        var done = false
        var stopped = false
        var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]
    }

    /// Why an append was refused.
    public enum Refusal: Error, Sendable, Equatable {
        case full(limit: Int)
        case finished
        /// The job creator asked the job to stop.
        case stopped
    }

    /// Bytes kept per deal.
    public let limit: Int
    public let retention: Duration
    private var streams: [String: Stream] = [:]

    public init(limit: Int = 8 << 20, retention: Duration = .seconds(120)) {
        self.limit = limit
        self.retention = retention
    }

    /// Adds the provider's next bytes; `done` closes the stream.
    public func append(_ bytes: [UInt8], dealID: String, done: Bool) throws(Refusal) {
        var stream = streams[dealID] ?? Stream()
        guard !stream.stopped else { throw .stopped }
        guard !stream.done else { throw .finished }
        guard stream.bytes.count + bytes.count <= limit else { throw .full(limit: limit) }
        stream.bytes += bytes
        stream.done = done
        storeAndWake(stream, dealID)
        if done { forget(dealID, after: retention) }
    }

    /// Records the job creator's request to stop the deal's job and ends the stream for its
    /// readers. The request is kept until the job has had time to end (an hour, or ``retention``
    /// after the stream finished); asking again changes nothing.
    public func stop(dealID: String) {
        var stream = streams[dealID] ?? Stream()
        guard !stream.stopped else { return }
        let wasDone = stream.done
        stream.stopped = true
        stream.done = true
        storeAndWake(stream, dealID)
        if !wasDone { forget(dealID, after: max(retention, .seconds(3600))) }
    }

    /// Stores `stream` and wakes the readers waiting on it.
    private func storeAndWake(_ stream: Stream, _ dealID: String) {
        var stream = stream
        let waiters = stream.waiters
        stream.waiters = [:]
        streams[dealID] = stream
        for waiter in waiters.values { waiter.resume() }
    }

    /// Whether the job creator asked the deal's job to stop.
    public func isStopped(dealID: String) -> Bool { streams[dealID]?.stopped ?? false }

    private func forget(_ dealID: String, after delay: Duration) {
        Task {
            try? await Task.sleep(for: delay)
            self.forget(dealID)
        }
    }

    /// The bytes after `offset` and whether the stream is finished, waiting up to `patience` for
    /// bytes when there are none yet.
    public func read(dealID: String, from offset: Int, patience: Duration = .seconds(1)) async -> (bytes: [UInt8], done: Bool) {
        if let ready = available(dealID, offset) { return ready }
        let id = UUID()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            var stream = streams[dealID] ?? Stream()
            stream.waiters[id] = continuation
            streams[dealID] = stream
            Task {
                try? await Task.sleep(for: patience)
                self.wake(dealID, id)
            }
        }
        return available(dealID, offset) ?? ([], false)
    }

    private func available(_ dealID: String, _ offset: Int) -> (bytes: [UInt8], done: Bool)? {
        guard let stream = streams[dealID] else { return nil }
        if stream.bytes.count > offset { return (Array(stream.bytes[offset...]), stream.done) }
        return stream.done ? ([], true) : nil
    }

    private func wake(_ dealID: String, _ id: UUID) {
        streams[dealID]?.waiters.removeValue(forKey: id)?.resume()
    }

    private func forget(_ dealID: String) {
        guard let stream = streams.removeValue(forKey: dealID) else { return }
        for waiter in stream.waiters.values { waiter.resume() }
    }
}
