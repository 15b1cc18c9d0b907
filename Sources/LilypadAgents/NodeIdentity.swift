import Foundation
import LilypadCore
import LilypadCrypto

/// A resource provider's node ID: the name its proofs of work are filed under (Lilypad: the
/// Bacalhau node ID, `n-<uuid>`).
///
/// Created once per account and kept in `<home>/resource-provider/node-id-<address>`, so a
/// restarted provider keeps its identity (and its proof-of-work history) while two accounts on
/// one machine never share one.
public enum NodeIdentity {
    /// The node ID of `account`'s provider under `home`, created on first use.
    public static func load(home: LilypadHome, account: EthereumAddress) throws(Failure) -> String {
        let folder = home.path + "/resource-provider"
        let path = folder + "/node-id-" + account.lowercased
        if let stored = try? String(contentsOfFile: path, encoding: .utf8) {
            let id = stored.trimmingCharacters(in: .whitespacesAndNewlines)
            guard isValid(id) else {
                throw Failure(path: path, reason: "it holds \"\(id.prefix(80))\", not a node ID (n-<uuid>); delete it to get a new one")
            }
            return id
        }
        let id = "n-" + UUID().uuidString.lowercased()
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            // Written beside and linked into place: a crash never leaves a half-written ID, and
            // of two providers starting at once the first link wins (the other gets EEXIST).
            let temporary = path + ".tmp-\(getpid())"
            try Data((id + "\n").utf8).write(to: URL(fileURLWithPath: temporary))
            defer { unlink(temporary) }
            guard link(temporary, path) == 0 || errno == EEXIST else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        } catch {
            throw Failure(path: path, reason: "it cannot be written: \(error)")
        }
        // Another process may have won the race: everyone uses the file's ID.
        let stored = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        return stored.flatMap { isValid($0) ? $0 : nil } ?? id
    }

    static func isValid(_ id: String) -> Bool {
        id.hasPrefix("n-") && UUID(uuidString: String(id.dropFirst(2))) != nil
    }

    /// The node ID file could not be read or written.
    public struct Failure: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "the provider's node ID file \(path) is unusable: \(reason)" }
    }
}
