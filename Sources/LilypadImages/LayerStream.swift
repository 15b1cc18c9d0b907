import Crypto

#if canImport(Glibc)
    import Glibc
#endif

/// The uncompressed bytes of a layer (or any tar) file, decompressed by sniffing its first bytes,
/// and hashed as they are read so the caller can check the layer's `diff_id`.
final class LayerStream {
    /// How the file is compressed.
    enum Compression: Equatable { case none, gzip, zstd }

    let compression: Compression
    private let descriptor: Int32
    private let what: String
    private let decompressor: (any LayerDecompressor)?
    private var hasher = SHA256()
    private var ended = false

    /// Opens `path`; `what` names it in errors (e.g. "layer 2 of docker.io/library/busybox:latest").
    init(path: String, what: String) throws(ImageError) {
        self.what = what
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .fileSystem(operation: "open", path: path, code: errno) }
        self.descriptor = descriptor
        var magic = [UInt8](repeating: 0, count: 6)
        let count = magic.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, 6, 0) }
        let head = Array(magic.prefix(max(count, 0)))
        do throws(ImageError) {
            if head.starts(with: [0x1f, 0x8b]) {
                compression = .gzip
                decompressor = try GzipInflater(descriptor: descriptor, what: what)
            } else if head.starts(with: [0x28, 0xb5, 0x2f, 0xfd]) {
                compression = .zstd
                decompressor = try ZstdDecompressor(descriptor: descriptor, what: what)
            } else if head.starts(with: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) {
                throw ImageError.unsupportedCompression("xz")
            } else if head.starts(with: Array("BZh".utf8)) {
                throw ImageError.unsupportedCompression("bzip2")
            } else {
                compression = .none
                decompressor = nil
            }
        } catch {
            close(descriptor)
            throw error
        }
    }

    deinit { close(descriptor) }

    /// Fills `buffer` with the next uncompressed bytes; returns 0 at the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ImageError) -> Int {
        guard !ended else { return 0 }
        let count: Int
        if let decompressor {
            count = try decompressor.read(into: buffer)
        } else {
            var result: Int
            repeat { result = Glibc.read(descriptor, buffer.baseAddress, buffer.count) } while result < 0 && errno == EINTR
            guard result >= 0 else { throw .fileSystem(operation: "read", path: what, code: errno) }
            count = result
        }
        if count == 0 {
            ended = true
        } else {
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
        return count
    }

    /// Reads what is left and returns the SHA-256 of all uncompressed bytes (the `diff_id`).
    func finish() throws(ImageError) -> Digest {
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { scratch.deallocate() }
        while try read(into: scratch) > 0 {}
        return Digest(sha256: hasher.finalize())
    }
}
