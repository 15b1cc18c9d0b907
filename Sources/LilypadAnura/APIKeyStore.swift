import Crypto
import Foundation
import GRDB
import LilypadCrypto

/// Anura's API keys, in SQLite: only each key's SHA-256 is stored, with its owner (the ledger
/// account that pays for its jobs), its rate limit, and its usage.
public final class APIKeyStore: Sendable {
    /// One key, without its secret.
    public struct Record: Sendable, Hashable, Codable {
        /// A short public identifier (`key_…`), for listing and revoking.
        public var id: String
        public var name: String
        /// The account whose job-creator key pays for the key's jobs.
        public var owner: String
        /// The first characters of the secret, to recognise it.
        public var prefix: String
        public var createdAt: Int
        public var revokedAt: Int?
        /// Requests per second.
        public var rateLimit: Int
        public var requests: Int
        public var promptTokens: Int
        public var completionTokens: Int
        public var jobs: Int

        enum CodingKeys: String, CodingKey {
            case id, name, owner, prefix, jobs, requests
            case createdAt = "created_at"
            case revokedAt = "revoked_at"
            case rateLimit = "rate_limit"
            case promptTokens = "prompt_tokens"
            case completionTokens = "completion_tokens"
        }
    }

    /// Why a key operation failed.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The default request rate of a new key (Anura's documented 20 calls per second).
    public static let defaultRateLimit = 20

    private let database: DatabaseQueue

    /// Opens (creating if needed) the store at `path`, in WAL mode. With `fastCommits` (the
    /// gateway, which records usage on every request) a commit does not wait for the disk: an
    /// operating-system crash may lose the last moments of usage counts, never a key's creation
    /// or revocation, which the `key` commands write with full durability.
    public init(path: String, fastCommits: Bool = false) throws(Failure) {
        do {
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            var configuration = Configuration()
            configuration.prepareDatabase { db in
                try db.execute(sql: fastCommits ? "PRAGMA synchronous = NORMAL" : "PRAGMA synchronous = FULL")
            }
            database = try DatabaseQueue(path: path, configuration: configuration)
            try database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
            var migrator = DatabaseMigrator()
            migrator.registerMigration("v1") { db in
                try db.execute(
                    sql: """
                        CREATE TABLE api_key (
                            id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, name TEXT NOT NULL, owner TEXT NOT NULL,
                            prefix TEXT NOT NULL, created_at INTEGER NOT NULL, revoked_at INTEGER, rate_limit INTEGER NOT NULL,
                            requests INTEGER NOT NULL DEFAULT 0, prompt_tokens INTEGER NOT NULL DEFAULT 0,
                            completion_tokens INTEGER NOT NULL DEFAULT 0, jobs INTEGER NOT NULL DEFAULT 0)
                        """)
            }
            try migrator.migrate(database)
        } catch {
            throw Failure(description: "cannot open the API key store \(path): \(error)")
        }
    }

    /// SHA-256 of a key's secret, in hex: what is stored and looked up.
    public static func hash(_ secret: String) -> String {
        SHA256.hash(data: Array(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Creates a key for `owner`; returns its secret (shown once, never stored) and its record.
    public func create(owner: EthereumAddress, name: String, rateLimit: Int = defaultRateLimit) throws(Failure) -> (secret: String, record: Record) {
        guard rateLimit > 0 else { throw Failure(description: "the rate limit must be at least 1 request per second") }
        let secret = "lp-" + Hex.encode(SecureRandom.bytes(count: 24))
        let record = Record(
            id: "key_" + Hex.encode(SecureRandom.bytes(count: 6)), name: name, owner: owner.checksummed, prefix: String(secret.prefix(10)),
            createdAt: Int(Date().timeIntervalSince1970), revokedAt: nil, rateLimit: rateLimit, requests: 0, promptTokens: 0,
            completionTokens: 0, jobs: 0)
        do {
            try database.write { db in
                try db.execute(
                    sql: "INSERT INTO api_key (id, hash, name, owner, prefix, created_at, rate_limit) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    arguments: [record.id, Self.hash(secret), name, record.owner, record.prefix, record.createdAt, rateLimit])
            }
        } catch {
            throw Failure(description: "cannot store the key: \(error)")
        }
        return (secret, record)
    }

    /// Every key, oldest first.
    public func list() throws(Failure) -> [Record] {
        do { return try database.read { db in try Row.fetchAll(db, sql: "SELECT * FROM api_key ORDER BY created_at, id").map(Self.record) } } catch {
            throw Failure(description: "cannot read the API keys: \(error)")
        }
    }

    /// Revokes the key with this id (or secret prefix); returns its record.
    @discardableResult
    public func revoke(_ idOrPrefix: String) throws(Failure) -> Record {
        do {
            return try database.write { db throws -> Record in
                let rows = try Row.fetchAll(db, sql: "SELECT * FROM api_key WHERE id = ? OR prefix = ?", arguments: [idOrPrefix, idOrPrefix])
                guard rows.count == 1, let row = rows.first else {
                    throw Failure(
                        description: rows.isEmpty
                            ? "no key \(idOrPrefix): `lilypad anura key list` shows them" : "\(idOrPrefix) matches several keys: use the id")
                }
                var record = Self.record(row)
                if record.revokedAt == nil {
                    record.revokedAt = Int(Date().timeIntervalSince1970)
                    try db.execute(sql: "UPDATE api_key SET revoked_at = ? WHERE id = ?", arguments: [record.revokedAt, record.id])
                }
                return record
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(description: "cannot revoke \(idOrPrefix): \(error)")
        }
    }

    /// The live (not revoked) key with this secret, if any.
    public func authenticate(_ secret: String) throws(Failure) -> Record? {
        do {
            return try database.read { db in
                try Row.fetchOne(db, sql: "SELECT * FROM api_key WHERE hash = ? AND revoked_at IS NULL", arguments: [Self.hash(secret)]).map(
                    Self.record)
            }
        } catch {
            throw Failure(description: "cannot read the API keys: \(error)")
        }
    }

    /// Adds to a key's usage.
    public func recordUsage(id: String, requests: Int = 0, promptTokens: Int = 0, completionTokens: Int = 0, jobs: Int = 0) throws(Failure) {
        do {
            try database.write { db in
                try db.execute(
                    sql: """
                        UPDATE api_key SET requests = requests + ?, prompt_tokens = prompt_tokens + ?,
                        completion_tokens = completion_tokens + ?, jobs = jobs + ? WHERE id = ?
                        """, arguments: [requests, promptTokens, completionTokens, jobs, id])
            }
        } catch {
            throw Failure(description: "cannot record usage: \(error)")
        }
    }

    private static func record(_ row: Row) -> Record {
        Record(
            id: row["id"], name: row["name"], owner: row["owner"], prefix: row["prefix"], createdAt: row["created_at"], revokedAt: row["revoked_at"],
            rateLimit: row["rate_limit"], requests: row["requests"], promptTokens: row["prompt_tokens"], completionTokens: row["completion_tokens"],
            jobs: row["jobs"])
    }
}
