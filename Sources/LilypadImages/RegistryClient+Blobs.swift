import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

extension RegistryClient {
    /// Downloads a blob to `destination`: streamed to a temporary file in `temporaryDirectory`
    /// (same file system) while hashing, aborted as soon as it exceeds the descriptor's size, and
    /// renamed to `destination` only when size and digest match. Nothing is left behind on failure.
    public func downloadBlob(
        _ image: ImageReference, descriptor: OCIDescriptor, to destination: URL, temporaryDirectory: URL
    ) async throws(ImageError) {
        let url = "\(baseURL(image.registry))/v2/\(image.repository)/blobs/\(descriptor.digest)"
        let what = "blob \(descriptor.digest) of \(image)"
        let response = try await send(url, image: image, headers: [])
        guard response.status == .ok else {
            let body = try await collect(response, url: url, limit: 1 << 16)
            if response.status == .notFound { throw .imageNotFound("\(image) (\(what) is missing)") }
            throw .registry(url: url, status: Int(response.status.code), message: Self.errorMessage(body))
        }
        if let length = response.headers.first(name: "Content-Length").flatMap({ Int64($0) }), length > descriptor.size {
            throw .sizeMismatch(what: what, expected: descriptor.size, actual: length)
        }
        let temporary = temporaryDirectory.appendingPathComponent("blob-\(UUID().uuidString).part").path
        let file = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard file >= 0 else { throw .fileSystem(operation: "create", path: temporary, code: errno) }
        var keep = false
        defer {
            close(file)
            if !keep { unlink(temporary) }
        }
        var hasher = SHA256()
        var total: Int64 = 0
        do {
            for try await buffer in response.body {
                total += Int64(buffer.readableBytes)
                if total > descriptor.size { throw ImageError.sizeMismatch(what: what, expected: descriptor.size, actual: total) }
                try buffer.withUnsafeReadableBytes { (bytes) throws(ImageError) in
                    hasher.update(bufferPointer: bytes)
                    try Self.writeAll(bytes, to: file, path: temporary)
                }
            }
        } catch let error as ImageError {
            throw error
        } catch {
            throw .network(url: url, reason: Self.describe(error))
        }
        guard total == descriptor.size else { throw .sizeMismatch(what: what, expected: descriptor.size, actual: total) }
        let actual = Digest(sha256: hasher.finalize())
        guard actual == descriptor.digest else { throw .digestMismatch(what: what, expected: descriptor.digest, actual: actual) }
        guard fsync(file) == 0, rename(temporary, destination.path) == 0 else {
            throw .fileSystem(operation: "store", path: destination.path, code: errno)
        }
        keep = true
    }

    static func writeAll(_ bytes: UnsafeRawBufferPointer, to file: Int32, path: String) throws(ImageError) {
        var offset = 0
        while offset < bytes.count {
            let count = write(file, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
            if count < 0 {
                if errno == EINTR { continue }
                throw .fileSystem(operation: "write", path: path, code: errno)
            }
            offset += count
        }
    }
}
