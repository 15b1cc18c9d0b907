import Foundation

/// Where the solver keeps deals' results archives: one tar of the results folder per deal
/// (`<root>/results/<dealID>.tar`), written to a temporary file and renamed into place only when
/// complete and authenticated, so a reader never sees half an archive.
public struct SolverFiles: Sendable {
    public let root: String
    /// Largest results archive accepted, in bytes.
    public var maximumResultBytes: Int

    public init(root: String, maximumResultBytes: Int = 1 << 30) throws {
        self.root = root
        self.maximumResultBytes = maximumResultBytes
        for folder in ["results", "incoming"] {
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

    /// A fresh temporary path on the same file system, for an upload in progress.
    public func incomingPath() -> String { root + "/incoming/" + UUID().uuidString + ".part" }
}
