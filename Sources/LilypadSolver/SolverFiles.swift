import Crypto
import Foundation
import LilypadCrypto

/// Where the solver keeps deals' results archives and jobs' inputs archives: one tar of the results
/// folder per deal (`<root>/results/<dealID>.tar`), and each inputs tar by content
/// (`<root>/inputs/<sha256>.tar`, shared by jobs with the same inputs). Each is written to a
/// temporary file and renamed into place only when complete and authenticated, so a reader never
/// sees half an archive.
public struct SolverFiles: Sendable {
    public let root: String
    /// Largest results archive accepted, in bytes.
    public var maximumResultBytes: Int
    /// Largest job offer with input files accepted (the whole multipart body), in bytes
    /// (Lilypad's `SERVER_MAX_FILE_INPUTS_SIZE_MB`, 10 MiB).
    public var maximumInputBytes: Int

    public init(root: String, maximumResultBytes: Int = 1 << 30, maximumInputBytes: Int = 10 << 20) throws {
        self.root = root
        self.maximumResultBytes = maximumResultBytes
        self.maximumInputBytes = maximumInputBytes
        for folder in ["results", "inputs", "incoming"] {
            try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
    }

    /// The archive of a deal's results (which may not exist yet).
    public func resultArchive(dealID: String) throws(SolverError) -> String {
        guard !dealID.isEmpty, dealID.utf8.count <= 128, dealID.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw .invalidOffer("\"\(dealID)\" is not a deal ID")
        }
        return root + "/results/" + dealID + ".tar"
    }

    /// The inputs archive whose SHA-256 is `digest` (64 lower-case hex digits).
    public func inputArchive(digest: String) throws(SolverError) -> String {
        guard digest.utf8.count == 64, digest.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            throw .invalidOffer("\"\(digest)\" is not a SHA-256 digest")
        }
        return root + "/inputs/" + digest + ".tar"
    }

    /// Stores `archive` under its SHA-256 (kept if the same content is already there); returns the digest.
    public func storeInput(_ archive: [UInt8]) throws(SolverError) -> String {
        let digest = Hex.encode(Array(SHA256.hash(data: archive)))
        let destination = try inputArchive(digest: digest)
        guard !FileManager.default.fileExists(atPath: destination) else { return digest }
        let temporary = incomingPath()
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        guard FileManager.default.createFile(atPath: temporary, contents: Data(archive)), rename(temporary, destination) == 0 else {
            throw .storage("cannot store the inputs archive \(digest)")
        }
        return digest
    }

    /// A fresh temporary path on the same file system, for an upload in progress.
    public func incomingPath() -> String { root + "/incoming/" + UUID().uuidString + ".part" }
}
