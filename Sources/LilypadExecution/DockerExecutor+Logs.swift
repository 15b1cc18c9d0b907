import AsyncHTTPClient
import Foundation
import NIOCore

/// A job's stdout and stderr as kept: at most `limit` bytes of each, the rest read and dropped.
struct CapturedOutput: Sendable {
    let limit: Int
    var stdout: [UInt8] = []
    var stderr: [UInt8] = []
    var stdoutTruncated = false
    var stderrTruncated = false
    /// What went wrong reading the output, as warnings for the result.
    var problems: [String] = []

    init(limit: Int) {
        self.limit = max(0, limit)
    }

    /// Keeps what fits of `payload` and returns it (empty when nothing more is kept).
    mutating func append(_ payload: UnsafeRawBufferPointer, to stream: OutputStreamKind) -> [UInt8] {
        switch stream {
        case .stdout: Self.append(payload, to: &stdout, truncated: &stdoutTruncated, limit: limit)
        case .stderr: Self.append(payload, to: &stderr, truncated: &stderrTruncated, limit: limit)
        }
    }

    /// Keeps what fits of `payload` and returns it (empty when nothing more is kept).
    mutating func append(_ payload: [UInt8], to stream: OutputStreamKind) -> [UInt8] {
        payload.withUnsafeBytes { append($0, to: stream) }
    }

    private static func append(_ payload: UnsafeRawBufferPointer, to kept: inout [UInt8], truncated: inout Bool, limit: Int) -> [UInt8] {
        let room = max(0, limit - kept.count)
        if payload.count > room { truncated = true }
        guard room > 0, !payload.isEmpty else { return [] }
        let taken = Array(UnsafeRawBufferPointer(rebasing: payload[..<min(room, payload.count)]))
        kept.append(contentsOf: taken)
        return taken
    }

    /// Reads the container's multiplexed output until it ends (or the task is cancelled), passing what is kept to `output`.
    static func drain(
        _ body: HTTPClientResponse.Body, limit: Int, output: (@Sendable (OutputStreamKind, [UInt8]) -> Void)?
    ) async -> CapturedOutput {
        var captured = CapturedOutput(limit: limit)
        do {
            var demultiplexer = DockerLogDemultiplexer()
            for try await buffer in body {
                try buffer.withUnsafeReadableBytes { (bytes) throws(DockerLogDemultiplexer.Failure) in
                    try demultiplexer.push(bytes) { stream, payload in
                        let kept = captured.append(payload, to: stream)
                        if !kept.isEmpty, let output { output(stream, kept) }
                    }
                }
            }
            try demultiplexer.finish()
        } catch is CancellationError {
            captured.problems.append("reading the job's output was stopped before its end")
        } catch {
            captured.problems.append("the job's output may be incomplete: \(error)")
        }
        return captured
    }
}
