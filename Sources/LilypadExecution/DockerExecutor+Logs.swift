import AsyncHTTPClient
import Foundation
import NIOCore

extension CapturedOutput {
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
