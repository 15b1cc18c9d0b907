import Testing

@testable import LilypadExecution

@Suite struct DockerLogDemultiplexerTests {
    static func frame(_ stream: UInt8, _ text: String) -> [UInt8] {
        let payload = Array(text.utf8)
        let length = UInt32(payload.count)
        return [stream, 0, 0, 0, UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)] + payload
    }

    /// Joins consecutive pieces of one stream, as a reader would.
    static func merged(_ pieces: [(stream: OutputStreamKind, payload: [UInt8])]) -> [(OutputStreamKind, String)] {
        var result: [(OutputStreamKind, String)] = []
        for piece in pieces {
            if let last = result.last, last.0 == piece.stream {
                result[result.count - 1].1 += String(decoding: piece.payload, as: UTF8.self)
            } else {
                result.append((piece.stream, String(decoding: piece.payload, as: UTF8.self)))
            }
        }
        return result
    }

    static let stream = frame(1, "hello\n") + frame(2, "oops\n") + frame(1, "") + frame(1, "world\n") + frame(2, String(repeating: "e", count: 300))

    /// Every way of cutting the stream into chunks of one size decodes to the same frames.
    @Test(arguments: [1, 2, 3, 7, 8, 9, 13, 64, 1000])
    func splitsAnywhere(chunkSize: Int) throws {
        var demultiplexer = DockerLogDemultiplexer()
        var pieces: [(stream: OutputStreamKind, payload: [UInt8])] = []
        var offset = 0
        while offset < Self.stream.count {
            pieces += try demultiplexer.push(Self.stream[offset..<min(offset + chunkSize, Self.stream.count)])
            offset += chunkSize
        }
        try demultiplexer.finish()
        let decoded = Self.merged(pieces)
        #expect(decoded.map(\.0) == [.stdout, .stderr, .stdout, .stderr])
        #expect(decoded.map(\.1) == ["hello\n", "oops\n", "world\n", String(repeating: "e", count: 300)])
    }

    @Test func largeFrameLength() throws {
        var demultiplexer = DockerLogDemultiplexer()
        let payload = [UInt8](repeating: 0x41, count: 70_000)
        let header: [UInt8] = [1, 0, 0, 0, 0, 0x01, 0x11, 0x70]  // 70,000 big-endian
        let pieces = try demultiplexer.push(header + payload)
        #expect(pieces.reduce(0) { $0 + $1.payload.count } == 70_000)
        try demultiplexer.finish()
    }

    @Test func unknownStreamIsRefused() {
        var demultiplexer = DockerLogDemultiplexer()
        #expect(throws: DockerLogDemultiplexer.Failure.unknownStream(7)) { try demultiplexer.push(Self.frame(7, "x")) }
    }

    @Test func truncatedFrameIsReported() throws {
        var demultiplexer = DockerLogDemultiplexer()
        _ = try demultiplexer.push(Self.frame(1, "hello").dropLast(2))
        #expect(throws: DockerLogDemultiplexer.Failure.truncatedFrame(missingBytes: 2)) { try demultiplexer.finish() }
        var headerOnly = DockerLogDemultiplexer()
        _ = try headerOnly.push([1, 0, 0])
        #expect(throws: DockerLogDemultiplexer.Failure.truncatedFrame(missingBytes: 5)) { try headerOnly.finish() }
    }

    @Test func capturedOutputKeepsTheLimitAndFlagsTruncation() {
        var captured = CapturedOutput(limit: 5)
        #expect(Array(captured.append(Array("abc".utf8), to: .stdout)) == Array("abc".utf8))
        #expect(Array(captured.append(Array("defg".utf8), to: .stdout)) == Array("de".utf8))
        #expect(captured.append(Array("h".utf8), to: .stdout).isEmpty)
        #expect(Array(captured.append(Array("12345".utf8), to: .stderr)) == Array("12345".utf8))
        #expect(captured.stdout == Array("abcde".utf8) && captured.stdoutTruncated)
        #expect(captured.stderr == Array("12345".utf8) && !captured.stderrTruncated)
    }
}
