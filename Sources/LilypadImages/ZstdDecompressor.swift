import CZstd

#if canImport(Glibc)
    import Glibc
#endif

/// Streaming zstd decompression (libzstd's `ZSTD_decompressStream`) of bytes read from a file
/// descriptor. Concatenated frames are read as one stream.
final class ZstdDecompressor: LayerDecompressor {
    private let stream: OpaquePointer
    private let input: UnsafeMutableRawBufferPointer
    private let descriptor: Int32
    private let what: String
    private var inputSize = 0
    private var inputPosition = 0
    private var inputEnded = false
    /// Whether the last call ended a frame (the stream may end there).
    private var atFrameEnd = true

    init(descriptor: Int32, what: String) throws(ImageError) {
        guard let stream = ZSTD_createDStream() else { throw .invalidArchive(what: what, reason: "cannot initialize zstd") }
        self.stream = stream
        self.descriptor = descriptor
        self.what = what
        input = .allocate(byteCount: max(ZSTD_DStreamInSize(), 1 << 16), alignment: 16)
    }

    deinit {
        ZSTD_freeDStream(stream)
        input.deallocate()
    }

    func read(into output: UnsafeMutableRawBufferPointer) throws(ImageError) -> Int {
        guard let outBase = output.baseAddress, output.count > 0 else { return 0 }
        while true {
            if inputPosition == inputSize && !inputEnded {
                var count: Int
                repeat { count = Glibc.read(descriptor, input.baseAddress, input.count) } while count < 0 && errno == EINTR
                guard count >= 0 else { throw .fileSystem(operation: "read", path: what, code: errno) }
                inputEnded = count == 0
                inputSize = count
                inputPosition = 0
            }
            var outBuffer = ZSTD_outBuffer(dst: outBase, size: output.count, pos: 0)
            var inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: inputSize, pos: inputPosition)
            let before = inputPosition
            let result = ZSTD_decompressStream(stream, &outBuffer, &inBuffer)
            inputPosition = inBuffer.pos
            if ZSTD_isError(result) != 0 {
                throw .invalidArchive(what: what, reason: "corrupt zstd data (\(String(cString: ZSTD_getErrorName(result))))")
            }
            // Between frames, a call without input asks for the next frame's header: only a call
            // that made progress tells whether a frame just ended.
            if inputPosition > before || outBuffer.pos > 0 { atFrameEnd = result == 0 }
            if outBuffer.pos > 0 { return outBuffer.pos }
            if inputPosition == inputSize && inputEnded {
                if atFrameEnd { return 0 }
                throw .invalidArchive(what: what, reason: "the zstd data ends too early")
            }
        }
    }
}
