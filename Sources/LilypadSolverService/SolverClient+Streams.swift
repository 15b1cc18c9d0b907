import AsyncHTTPClient
import Foundation
import LilypadCrypto
import NIOCore
import NIOHTTP1
import Synchronization

extension SolverClient {
    /// The provider posts the next bytes of a deal's live output (`done` closes it).
    public func postLiveOutput(_ bytes: [UInt8], dealID: String, done: Bool) async throws(Failure) {
        let (status, data) = try await exchange(
            "POST", "/api/v1/deals/\(dealID)/stream" + (done ? "?done=true" : ""), body: bytes, contentType: "application/octet-stream",
            timeout: .seconds(30), limit: 1 << 16)
        guard (200..<300).contains(status) else { throw Self.failure(status: status, data: data) }
    }

    /// The job creator asks the deal's running job to stop early; its provider submits what the job
    /// produced until then, and the deal settles as usual.
    public func stop(dealID: String) async throws(Failure) {
        let (status, data) = try await exchange(
            "POST", "/api/v1/deals/\(dealID)/stop", body: [], contentType: "application/octet-stream", timeout: .seconds(30), limit: 1 << 16)
        guard (200..<300).contains(status) else { throw Self.failure(status: status, data: data) }
    }

    /// The job creator reads a deal's live output as it is produced, until the job ends.
    public func liveOutput(dealID: String) -> AsyncThrowingStream<[UInt8], any Error> {
        let path = "/api/v1/deals/\(dealID)/stream?from=0"
        let (client, url, key, audience) = (http, baseURL + path, key, authority)
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let signature = SignedRequest.sign(method: "GET", target: path, audience: audience, body: [UInt8](), key: key)
                    var request = HTTPClientRequest(url: url)
                    request.method = .GET
                    for (name, value) in signature.fields { request.headers.add(name: name, value: value) }
                    let response = try await client.execute(request, timeout: .seconds(3600))
                    guard response.status == .ok else {
                        let data = Data(buffer: try await response.body.collect(upTo: 1 << 16))
                        throw Self.failure(status: Int(response.status.code), data: data)
                    }
                    for try await buffer in response.body { continuation.yield(Array(buffer: buffer)) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

/// Forwards a running job's output to the solver as it is produced: whatever accumulated while the
/// previous post was in flight goes in the next one, so the job never waits for the network.
public final class LiveOutputForwarder: Sendable {
    private struct State {
        var pending: [UInt8] = []
        var finished = false
        var stopped = false
    }

    private final class Shared: Sendable {
        let state = Mutex(State())
    }

    private let shared = Shared()
    private let signal: AsyncStream<Void>.Continuation
    private let task: Task<Void, Never>

    /// Starts forwarding to `dealID` through `client`; `stopped` runs when the solver answers that
    /// the job creator asked the job to stop (410).
    public init(client: SolverClient, dealID: String, stopped: @escaping @Sendable () -> Void = {}) {
        let shared = self.shared
        let (signals, signal) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        self.signal = signal
        task = Task {
            let state = shared
            for await _ in signals {
                let (bytes, done) = state.state.withLock { state -> ([UInt8], Bool) in
                    defer { state.pending = [] }
                    return (state.pending, state.finished)
                }
                if bytes.isEmpty && !done { continue }
                do { try await client.postLiveOutput(bytes, dealID: dealID, done: done) } catch {
                    state.state.withLock { $0.stopped = true }
                    if case .refused(status: 410, _)? = error as? SolverClient.Failure { stopped() }
                    return
                }
                if done { return }
            }
        }
    }

    /// Queues `bytes` (dropped once the solver has refused the stream).
    public func send(_ bytes: [UInt8]) {
        let queued = shared.state.withLock { state -> Bool in
            guard !state.stopped, !state.finished else { return false }
            state.pending += bytes
            return true
        }
        if queued { signal.yield() }
    }

    /// Posts what is left with `done`, and waits (up to `patience`) until it is delivered.
    public func finish(patience: Duration = .seconds(5)) async {
        shared.state.withLock { $0.finished = true }
        signal.yield()
        let task = self.task
        let timeout = Task {
            try? await Task.sleep(for: patience)
            task.cancel()
        }
        await task.value
        timeout.cancel()
        signal.finish()
    }
}
