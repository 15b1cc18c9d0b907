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
    mutating func append(_ payload: [UInt8], to stream: OutputStreamKind) -> ArraySlice<UInt8> {
        switch stream {
        case .stdout: Self.append(payload, to: &stdout, truncated: &stdoutTruncated, limit: limit)
        case .stderr: Self.append(payload, to: &stderr, truncated: &stderrTruncated, limit: limit)
        }
    }

    private static func append(_ payload: [UInt8], to kept: inout [UInt8], truncated: inout Bool, limit: Int) -> ArraySlice<UInt8> {
        let room = limit - kept.count
        if payload.count > room { truncated = true }
        let taken = payload.prefix(max(0, room))
        kept.append(contentsOf: taken)
        return taken
    }

    /// Follows the container's output until it stops (or the task is cancelled), passing what is kept to `output`.
    static func follow(
        engine: DockerEngineClient, containerID id: String, limit: Int, deadline: NIODeadline,
        output: (@Sendable (OutputStreamKind, [UInt8]) -> Void)?
    ) async -> CapturedOutput {
        var captured = CapturedOutput(limit: limit)
        do {
            let body = try await engine.containerLogs(id, follow: true, deadline: deadline)
            var demultiplexer = DockerLogDemultiplexer()
            for try await buffer in body {
                for (stream, payload) in try demultiplexer.push(buffer.readableBytesView) {
                    let kept = captured.append(payload, to: stream)
                    if !kept.isEmpty, let output { output(stream, Array(kept)) }
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
