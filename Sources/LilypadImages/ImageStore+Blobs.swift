import Crypto
import Foundation

extension ImageStore {
    /// Whether the blob is in the store.
    func hasBlob(_ digest: Digest) -> Bool { FileManager.default.fileExists(atPath: blobURL(digest).path) }

    /// Stores bytes whose digest the caller computed or verified.
    func storeBlob(_ bytes: [UInt8], digest: Digest) throws(ImageError) {
        guard !hasBlob(digest) else { return }
        try writeAtomically(Data(bytes), to: blobURL(digest))
    }

    /// Copies a file into the blob store, verifying size and digest while copying.
    func importBlob(from source: URL, descriptor: OCIDescriptor, what: String) throws(ImageError) {
        guard !hasBlob(descriptor.digest) else { return }
        let (temporary, digest, size) = try copyHashing(source)
        guard size == descriptor.size else {
            unlink(temporary)
            throw .sizeMismatch(what: what, expected: descriptor.size, actual: size)
        }
        guard digest == descriptor.digest else {
            unlink(temporary)
            throw .digestMismatch(what: what, expected: descriptor.digest, actual: digest)
        }
        guard rename(temporary, blobURL(digest).path) == 0 else {
            let code = errno
            unlink(temporary)
            throw .fileSystem(operation: "store", path: blobURL(digest).path, code: code)
        }
    }

    /// Copies a file into the blob store under the digest of its content.
    func importBlob(from source: URL) throws(ImageError) -> (digest: Digest, size: Int64) {
        let (temporary, digest, size) = try copyHashing(source)
        if hasBlob(digest) {
            unlink(temporary)
        } else if rename(temporary, blobURL(digest).path) != 0 {
            let code = errno
            unlink(temporary)
            throw .fileSystem(operation: "store", path: blobURL(digest).path, code: code)
        }
        return (digest, size)
    }

    /// Copies `source` to a new file in `tmp/`, hashing it; returns its path, digest and size.
    private func copyHashing(_ source: URL) throws(ImageError) -> (String, Digest, Int64) {
        let input = open(source.path, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw .fileSystem(operation: "open", path: source.path, code: errno) }
        defer { close(input) }
        let temporary = temporaryURL.appendingPathComponent("blob-\(UUID().uuidString).part").path
        let output = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw .fileSystem(operation: "create", path: temporary, code: errno) }
        defer { close(output) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { buffer.deallocate() }
        var hasher = SHA256()
        var size: Int64 = 0
        while true {
            let count = read(input, buffer.baseAddress, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else {
                let code = errno
                unlink(temporary)
                throw .fileSystem(operation: "read", path: source.path, code: code)
            }
            if count == 0 { break }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
            hasher.update(bufferPointer: chunk)
            do {
                try RegistryClient.writeAll(chunk, to: output, path: temporary)
            } catch {
                unlink(temporary)
                throw error
            }
            size += Int64(count)
        }
        return (temporary, Digest(sha256: hasher.finalize()), size)
    }

    /// Reads a stored blob that must hash to its name (manifests and configs, which are small).
    func readBlob(_ digest: Digest, what: String) throws(ImageError) -> [UInt8] {
        let bytes: [UInt8]
        do {
            bytes = Array(try Data(contentsOf: blobURL(digest)))
        } catch {
            throw .fileSystem(operation: "read", path: blobURL(digest).path, code: ENOENT)
        }
        let actual = Digest.sha256(of: bytes)
        guard actual == digest else { throw .digestMismatch(what: what, expected: digest, actual: actual) }
        return bytes
    }
}
