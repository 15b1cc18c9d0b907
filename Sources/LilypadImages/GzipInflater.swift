import CZlib

#if canImport(Glibc)
    import Glibc
#endif

/// Streaming gzip decompression (zlib's `inflate`) of bytes read from a file descriptor.
/// Concatenated gzip members are read as one stream, as `gzip -d` does.
final class GzipInflater: LayerDecompressor {
    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutableRawBufferPointer
    private let descriptor: Int32
    private let what: String
    private var inputEnded = false
    private var finished = false

    /// Reads compressed bytes from `descriptor` (not closed here); `what` names the data in errors.
    init(descriptor: Int32, what: String) throws(ImageError) {
        self.descriptor = descriptor
        self.what = what
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        input = .allocate(byteCount: 1 << 16, alignment: 16)
        // 15 + 16: a gzip wrapper with the largest window.
        guard lp_inflate_init2(stream, 15 + 16) == Z_OK else {
            stream.deallocate()
            input.deallocate()
            throw .invalidArchive(what: what, reason: "cannot initialize zlib")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
        input.deallocate()
    }

    /// Fills `output` with decompressed bytes; returns 0 at the end of the stream.
    func read(into output: UnsafeMutableRawBufferPointer) throws(ImageError) -> Int {
        guard !finished, let outBase = output.baseAddress, output.count > 0 else { return 0 }
        while true {
            if stream.pointee.avail_in == 0 && !inputEnded {
                try refill()
            }
            stream.pointee.next_out = outBase.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = UInt32(output.count)
            let status = inflate(stream, Z_NO_FLUSH)
            let produced = output.count - Int(stream.pointee.avail_out)
            switch status {
            case Z_OK:
                break
            case Z_STREAM_END:
                try startNextMemberOrFinish()
            case Z_BUF_ERROR where stream.pointee.avail_in == 0 && inputEnded:
                throw .invalidArchive(what: what, reason: "the gzip data ends too early")
            case Z_BUF_ERROR:
                break
            default:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "error \(status)"
                throw .invalidArchive(what: what, reason: "corrupt gzip data (\(message))")
            }
            if produced > 0 { return produced }
            if finished { return 0 }
            if stream.pointee.avail_in == 0 && inputEnded {
                throw .invalidArchive(what: what, reason: "the gzip data ends too early")
            }
        }
    }

    private func refill() throws(ImageError) {
        guard let base = input.baseAddress else { return }
        var count: Int
        repeat { count = Glibc.read(descriptor, base, input.count) } while count < 0 && errno == EINTR
        guard count >= 0 else { throw .fileSystem(operation: "read", path: what, code: errno) }
        if count == 0 { inputEnded = true }
        stream.pointee.next_in = base.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_in = UInt32(count)
    }

    /// After one gzip member: another may follow (starting `1f 8b`); anything else ends the stream.
    private func startNextMemberOrFinish() throws(ImageError) {
        if stream.pointee.avail_in == 0 && !inputEnded { try refill() }
        if stream.pointee.avail_in >= 2, let next = stream.pointee.next_in, next[0] == 0x1f, next[1] == 0x8b {
            inflateReset(stream)
        } else {
            finished = true
        }
    }
}
