import Testing

@testable import LilypadExecution

@Suite struct EndLineScannerTests {
    static let token = Array("a1a1a2b3c4d5e6f7a8b9c0d1e2f3a4b5".utf8)

    /// Feeds `stream` to a scanner in pieces of `size` bytes; returns the output before the end line and its code.
    func scan(_ stream: [UInt8], size: Int) -> (output: [UInt8], code: Int32?) {
        var scanner = EndLineScanner(token: Self.token)
        var output: [UInt8] = []
        var start = 0
        while start < stream.count {
            let piece = Array(stream[start..<min(stream.count, start + size)])
            let (out, code) = scanner.scan(piece)
            output += out
            if let code { return (output, code) }
            start += size
        }
        return (output, nil)
    }

    @Test(arguments: [
        // (job output, code): the end line follows the output, at a line start or not.
        ("hello\n", 0), ("no newline", 3), ("", 0), ("a1a1a1a2 partial token before\n", 1), ("a1a1a", 2), ("a1a1a2b3c4d5e6f7a8b9c0d1e2f3a4b5\n", 0),
        ("a1a1a2b3c4d5e6f7a8b9c0d1e2f3a4b5 x\n", 137), ("-", -1),
    ])
    func findsTheEndLineWhateverComesBeforeItAndHowTheStreamIsCut(output: String, code: Int32) {
        let stream = Array(output.utf8) + Self.token + Array(" \(code)\n".utf8) + Array("after".utf8)
        for size in [1, 2, 3, 7, 33, 1000] {
            let (seen, found) = scan(stream, size: size)
            #expect(found == code, "pieces of \(size)")
            #expect(seen == Array(output.utf8), "pieces of \(size)")
        }
    }

    @Test(arguments: ["a1a1a2b3c4d5e6f7a8b9c0d1e2f3a4b5 \n", "a1a1a2b3c4d5e6f7a8b9c0d1e2f3a4b5 12x\n", "a1a1a2b3c4d5e6f7a8b9c0d1e2f3a4b 0\n"])
    func nearMissesAreOutput(line: String) {
        let (seen, found) = scan(Array(line.utf8), size: 5)
        #expect(found == nil)
        var scanner = EndLineScanner(token: Self.token)
        let (direct, _) = scanner.scan(Array(line.utf8))
        #expect(Array(line.utf8).starts(with: seen) && direct == seen)
    }
}
