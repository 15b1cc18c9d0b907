import Crypto
import Foundation

/// SHA-256 of files, read in chunks so size does not matter.
enum FileDigest {
    static func sha256(of file: URL) throws(ImageError) -> (digest: Digest, size: Int64) {
        let handle: FileHandle
        do {
            handle = try FileHandle(forReadingFrom: file)
        } catch {
            throw .invalidDocument(what: "file \(file.path)", reason: error.localizedDescription)
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        var size: Int64 = 0
        while true {
            let chunk: Data?
            do {
                chunk = try handle.read(upToCount: 1 << 20)
            } catch {
                throw .invalidDocument(what: "file \(file.path)", reason: error.localizedDescription)
            }
            guard let chunk, !chunk.isEmpty else { break }
            hasher.update(data: chunk)
            size += Int64(chunk.count)
        }
        return (Digest(sha256: hasher.finalize()), size)
    }
}
