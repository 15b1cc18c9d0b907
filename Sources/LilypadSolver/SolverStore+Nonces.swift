import GRDB
import LilypadCrypto

extension SolverStore {
    /// How often expired nonces are deleted, in ms.
    static let noncePruneInterval: Int64 = 10_000

    /// Records an accepted request's nonce in the solver's database (see ``SpentNonceStore``): one
    /// insert, which a stored unexpired pair turns into a refusal; an expired pair is reused.
    /// Expired nonces are deleted in the same transaction at most every 10 s. Written through
    /// ``nonceWriter`` (no fsync of its own: durable against a crash of the solver, and flushed
    /// with the next state change).
    public func spend(address: String, nonce: String, expiresAt: Int64, now: Int64) throws -> Bool {
        let prune = nextNoncePrune.withLock { next in
            guard now >= next else { return false }
            next = now + Self.noncePruneInterval
            return true
        }
        return try nonceWriter.write { db in
            if prune { try db.execute(sql: "DELETE FROM request_nonce WHERE expires_at < ?", arguments: [now]) }
            try db.execute(
                sql: """
                    INSERT INTO request_nonce (address, nonce, expires_at) VALUES (?, ?, ?)
                    ON CONFLICT (address, nonce) DO UPDATE SET expires_at = excluded.expires_at WHERE request_nonce.expires_at < ?
                    """, arguments: [address, nonce, expiresAt, now])
            return db.changesCount == 1
        }
    }

    /// The number of request nonces stored (expired ones included until they are pruned).
    public func storedNonceCount() throws -> Int {
        try nonceWriter.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM request_nonce") ?? 0 }
    }
}
