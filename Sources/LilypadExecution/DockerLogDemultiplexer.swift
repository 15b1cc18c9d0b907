/// Splits the Docker Engine's multiplexed output stream back into stdout and stderr.
///
/// Without a TTY, `GET /containers/{id}/logs` and `attach` send frames of an 8-byte header
/// (`[stream, 0, 0, 0]` then the payload length as a big-endian `UInt32`) followed by the payload,
/// where the stream is 1 for stdout and 2 for stderr. Chunks from the network may split a frame
/// (or its header) anywhere, so the demultiplexer keeps what it has not yet been able to decode.
///
/// ```swift
/// var demultiplexer = DockerLogDemultiplexer()
/// for try await chunk in body {
///     for (stream, payload) in try demultiplexer.push(chunk) { print(stream, payload.count) }
/// }
/// try demultiplexer.finish()
/// ```
public struct DockerLogDemultiplexer: Sendable {
    /// Why the stream could not be decoded.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// A header names a stream other than stdin (0), stdout (1) or stderr (2).
        case unknownStream(UInt8)
        /// The stream ended in the middle of a frame.
        case truncatedFrame(missingBytes: Int)

        public var description: String {
            switch self {
            case .unknownStream(let stream): "the log stream has a frame for unknown stream \(stream); was the container created with a TTY?"
            case .truncatedFrame(let missing): "the log stream ended \(missing) bytes before the end of a frame"
            }
        }
    }

    private var pending: [UInt8] = []
    /// The stream and remaining length of the frame whose payload is being read, if any.
    private var current: (stream: OutputStreamKind, remaining: Int)?

    public init() {}

    /// Decodes what `chunk` completes. Payloads come back in order, possibly as several pieces of
    /// one frame; consecutive pieces of the same stream are not merged.
    public mutating func push(_ chunk: some Collection<UInt8>) throws(Failure) -> [(stream: OutputStreamKind, payload: [UInt8])] {
        var output: [(stream: OutputStreamKind, payload: [UInt8])] = []
        var failure: Failure?
        Array(chunk).withUnsafeBytes { buffer in
            do throws(Failure) {
                try push(buffer) { stream, payload in output.append((stream, Array(payload))) }
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return output
    }

    /// Decodes what `chunk` completes without copying: `body` gets each piece of payload, in
    /// order, as a view into `chunk` valid only during the call.
    public mutating func push(
        _ chunk: UnsafeRawBufferPointer, _ body: (OutputStreamKind, UnsafeRawBufferPointer) -> Void
    ) throws(Failure) {
        var index = 0
        let count = chunk.count
        while index < count {
            if let frame = current {
                let take = min(count - index, frame.remaining)
                if take > 0 { body(frame.stream, UnsafeRawBufferPointer(rebasing: chunk[index..<index + take])) }
                index += take
                current = frame.remaining == take ? nil : (frame.stream, frame.remaining - take)
                continue
            }
            // Collect a whole header.
            let take = min(8 - pending.count, count - index)
            pending.append(contentsOf: chunk[index..<index + take])
            index += take
            guard pending.count == 8 else { break }
            let stream: OutputStreamKind
            switch pending[0] {
            case 0, 1: stream = .stdout  // 0 is stdin echoed back; Docker never sends it without a TTY
            case 2: stream = .stderr
            default: throw .unknownStream(pending[0])
            }
            let length = Int(pending[4]) << 24 | Int(pending[5]) << 16 | Int(pending[6]) << 8 | Int(pending[7])
            pending.removeAll(keepingCapacity: true)
            if length > 0 { current = (stream, length) }
        }
    }

    /// Checks that the stream ended on a frame boundary.
    public func finish() throws(Failure) {
        if let frame = current { throw .truncatedFrame(missingBytes: frame.remaining) }
        if !pending.isEmpty { throw .truncatedFrame(missingBytes: 8 - pending.count) }
    }
}
