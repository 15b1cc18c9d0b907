/// A job's stdout and stderr as kept: at most `limit` bytes of each, the rest read and dropped.
public struct CapturedOutput: Sendable {
    public let limit: Int
    public var stdout: [UInt8] = []
    public var stderr: [UInt8] = []
    public var stdoutTruncated = false
    public var stderrTruncated = false
    /// What went wrong reading the output, as warnings for the result.
    public var problems: [String] = []

    public init(limit: Int) {
        self.limit = max(0, limit)
    }

    /// Keeps what fits of `payload` and returns it (empty when nothing more is kept).
    @discardableResult
    public mutating func append(_ payload: UnsafeRawBufferPointer, to stream: OutputStreamKind) -> [UInt8] {
        switch stream {
        case .stdout: Self.append(payload, to: &stdout, truncated: &stdoutTruncated, limit: limit)
        case .stderr: Self.append(payload, to: &stderr, truncated: &stderrTruncated, limit: limit)
        }
    }

    /// Keeps what fits of `payload` and returns it (empty when nothing more is kept).
    @discardableResult
    public mutating func append(_ payload: [UInt8], to stream: OutputStreamKind) -> [UInt8] {
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
}
