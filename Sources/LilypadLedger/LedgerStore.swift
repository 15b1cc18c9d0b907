import Foundation
import GRDB

/// The ledger's blocks and events in SQLite (WAL). Each block and its events are written in one
/// SQL transaction, so a crash at any moment leaves either the whole block or none of it.
public final class LedgerStore: Sendable {
    private let database: DatabasePool

    /// Opens (creating if needed) the database at `path`.
    public init(path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            // FULL: an acknowledged block survives power loss, not only a process crash.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        database = try DatabasePool(path: path, configuration: configuration)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "meta") { table in
                table.column("key", .text).primaryKey()
                table.column("value", .text).notNull()
            }
            try db.create(table: "block") { table in
                table.column("height", .integer).primaryKey()
                table.column("hash", .text).notNull().unique()
                table.column("body", .text).notNull()
            }
            try db.create(table: "event") { table in
                table.column("height", .integer).notNull()
                table.column("position", .integer).notNull()
                table.column("body", .text).notNull()
                table.primaryKey(["height", "position"])
            }
        }
        try migrator.migrate(database)
    }

    /// The genesis this database was created with, if any.
    public func genesis() throws -> LedgerGenesis? {
        try database.read { db in
            guard let text = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'genesis'") else { return nil }
            return try JSONDecoder().decode(LedgerGenesis.self, from: Data(text.utf8))
        }
    }

    /// Records the genesis of a new database.
    public func saveGenesis(_ genesis: LedgerGenesis) throws {
        let text = String(decoding: try JSONEncoder().encode(genesis), as: UTF8.self)
        try database.write { db in
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('genesis', ?)", arguments: [text])
        }
    }

    /// Every block after genesis, in order.
    public func blocks() throws -> [LedgerBlock] {
        try database.read { db in
            try String.fetchAll(db, sql: "SELECT body FROM block ORDER BY height").map {
                try JSONDecoder().decode(LedgerBlock.self, from: Data($0.utf8))
            }
        }
    }

    /// Appends a block and its events atomically.
    public func append(_ block: LedgerBlock, events: [LedgerEvent]) throws {
        let encoder = JSONEncoder()
        let body = String(decoding: try encoder.encode(block), as: UTF8.self)
        let eventBodies = try events.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        try database.write { db in
            try db.execute(sql: "INSERT INTO block (height, hash, body) VALUES (?, ?, ?)", arguments: [block.height, block.hash, body])
            for (position, event) in eventBodies.enumerated() {
                try db.execute(sql: "INSERT INTO event (height, position, body) VALUES (?, ?, ?)", arguments: [block.height, position, event])
            }
        }
    }

    /// Events of blocks after `height`, oldest first.
    public func events(after height: UInt64, limit: Int = 10_000) throws -> [(height: UInt64, event: LedgerEvent)] {
        try database.read { db in
            try Row.fetchAll(
                db, sql: "SELECT height, body FROM event WHERE height > ? ORDER BY height, position LIMIT ?", arguments: [height, limit]
            )
            .map { row in
                let body: String = row["body"]
                return (row["height"], try JSONDecoder().decode(LedgerEvent.self, from: Data(body.utf8)))
            }
        }
    }
}
