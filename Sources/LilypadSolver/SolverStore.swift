import Foundation
import GRDB
import LilypadCore
import Synchronization

/// The solver's ``SolverStorage`` in SQLite (GRDB). Each record is stored as Lilypad's JSON (Go
/// encoding) with its indexed columns; every write that must be atomic is one SQL transaction.
public final class SolverStore: SolverStorage, Sendable {
    let database: DatabasePool
    /// When expired request nonces are next deleted (ms; see ``spend(address:nonce:expiresAt:now:)``).
    let nextNoncePrune = Mutex<Int64>(0)
    /// A second connection to the same database for request nonces, with `synchronous=NORMAL`: a
    /// nonce is in the WAL (so it survives the solver's crash) without waiting for an fsync on
    /// every request, and the next `synchronous=FULL` commit of a state change flushes it to disk.
    let nonceWriter: DatabaseQueue

    /// Opens (creating if needed) the database at `path` (WAL, `synchronous=FULL`).
    public init(path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        database = try DatabasePool(path: path, configuration: configuration)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            // `seq` is arrival order: the book is rebuilt in that order after a restart.
            try db.create(table: "job_offer") { table in
                table.autoIncrementedPrimaryKey("seq")
                table.column("id", .text).notNull().unique()
                table.column("job_creator", .text).notNull().indexed()
                table.column("deal_id", .text).notNull()
                table.column("state", .integer).notNull().indexed()
                table.column("body", .blob).notNull()
            }
            try db.create(table: "resource_offer") { table in
                table.autoIncrementedPrimaryKey("seq")
                table.column("id", .text).notNull().unique()
                table.column("resource_provider", .text).notNull().indexed()
                table.column("deal_id", .text).notNull()
                table.column("state", .integer).notNull().indexed()
                table.column("body", .blob).notNull()
            }
            try db.create(table: "deal") { table in
                table.autoIncrementedPrimaryKey("seq")
                table.column("id", .text).notNull().unique()
                table.column("job_creator", .text).notNull().indexed()
                table.column("resource_provider", .text).notNull().indexed()
                table.column("state", .integer).notNull().indexed()
                table.column("body", .blob).notNull()
            }
            try db.create(table: "result") { table in
                table.column("deal_id", .text).primaryKey()
                table.column("body", .blob).notNull()
            }
        }
        migrator.registerMigration("v2-events-deadlines") { db in
            // When the solver received a job offer (its match and total timeouts start there, not at
            // the client's `created_at`).
            try db.alter(table: "job_offer") { table in table.add(column: "received_at", .integer).notNull().defaults(to: 0) }
            // The event log: each state change's events are written in the change's transaction, so a
            // client resuming from `seq` misses nothing, across restarts too.
            try db.create(table: "event") { table in
                table.autoIncrementedPrimaryKey("seq")
                table.column("body", .blob).notNull()
            }
            try db.create(table: "event_party") { table in
                table.column("party", .text).notNull()
                table.column("seq", .integer).notNull()
                table.primaryKey(["party", "seq"])
            }
        }
        migrator.registerMigration("v3-request-nonces") { db in
            // Nonces of accepted signed requests, until their timestamp leaves the window: a replay
            // is refused after a restart too.
            try db.create(table: "request_nonce", options: .withoutRowID) { table in
                table.column("address", .text).notNull()
                table.column("nonce", .text).notNull()
                table.column("expires_at", .integer).notNull().indexed()
                table.primaryKey(["address", "nonce"])
            }
        }
        migrator.registerMigration("v4-job-inputs") { db in
            // The SHA-256 of the job's inputs archive ("" when it has none), stored with the offer.
            try db.alter(table: "job_offer") { table in table.add(column: "input_digest", .text).notNull().defaults(to: "") }
        }
        migrator.registerMigration("v5-resource-offer-slot") { db in
            // The provider's slot (`index`) as a column, so the duplicate check of a new resource
            // offer is one indexed lookup instead of decoding every active offer of the provider.
            try db.alter(table: "resource_offer") { table in table.add(column: "slot", .integer).notNull().defaults(to: -1) }
            try db.execute(sql: "UPDATE resource_offer SET slot = COALESCE(json_extract(CAST(body AS TEXT), '$.resource_offer.index'), 0)")
            try db.create(index: "resource_offer_provider_slot", on: "resource_offer", columns: ["resource_provider", "slot", "state"])
        }
        try migrator.migrate(database)
        var nonceConfiguration = Configuration()
        nonceConfiguration.busyMode = .timeout(10)
        nonceConfiguration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        nonceWriter = try DatabaseQueue(path: path, configuration: nonceConfiguration)
    }

    /// Appends `events` to the log inside the current transaction; returns them with their `seq`.
    private static func append(_ events: [SolverEvent], _ db: Database) throws -> [SolverEvent] {
        let encoder = GoJSONEncoder()
        return try events.map { event in
            var stored = event
            try db.execute(sql: "INSERT INTO event (body) VALUES (?)", arguments: [Data(try encoder.encode(event))])
            stored.seq = Int(db.lastInsertedRowID)
            for party in event.audience {
                try db.execute(sql: "INSERT INTO event_party (party, seq) VALUES (?, ?)", arguments: [party, stored.seq])
            }
            return stored
        }
    }

    /// Events `party` (lower-cased address) may see, after `seq`, oldest first.
    public func events(for party: String, after seq: Int, limit: Int = 1000) throws -> [SolverEvent] {
        try database.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT event.seq, event.body FROM event_party JOIN event ON event.seq = event_party.seq
                    WHERE event_party.party = ? AND event_party.seq > ? ORDER BY event_party.seq LIMIT ?
                    """, arguments: [party, seq, limit])
        }.map { row in
            var event = try JSONDecoder().decode(SolverEvent.self, from: row["body"] as Data)
            event.seq = row["seq"]
            return event
        }
    }

    /// The highest event number `party` can see (0 if none): where a new client starts listening.
    public func lastEventSeq(for party: String) throws -> Int {
        try database.read { db in try Int.fetchOne(db, sql: "SELECT MAX(seq) FROM event_party WHERE party = ?", arguments: [party]) ?? 0 }
    }

    /// The highest event number so far (0 if none).
    public func lastEventSeq() throws -> Int {
        try database.read { db in try Int.fetchOne(db, sql: "SELECT MAX(seq) FROM event") ?? 0 }
    }

    // MARK: Writes

    /// Stores a new job offer received at `receivedAt` (ms), with the SHA-256 (hex) of its inputs
    /// archive (`""`: none) and its events.
    @discardableResult
    public func insert(_ offer: JobOfferContainer, receivedAt: Int, inputDigest: String = "", events: [SolverEvent] = []) throws -> [SolverEvent] {
        let body = try GoJSONEncoder().encode(offer)
        return try database.write { db in
            try db.execute(
                sql: "INSERT INTO job_offer (id, job_creator, deal_id, state, body, received_at, input_digest) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [offer.id, offer.jobCreator.lowercased(), offer.dealID, offer.state.rawValue, Data(body), receivedAt, inputDigest])
            return try Self.append(events, db)
        }
    }

    /// Stores a new resource offer, with its events.
    @discardableResult
    public func insert(_ offer: ResourceOfferContainer, events: [SolverEvent] = []) throws -> [SolverEvent] {
        let body = try GoJSONEncoder().encode(offer)
        return try database.write { db in
            try db.execute(
                sql: "INSERT INTO resource_offer (id, resource_provider, deal_id, state, body, slot) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [offer.id, offer.resourceProvider.lowercased(), offer.dealID, offer.state.rawValue, Data(body), offer.resourceOffer.index])
            return try Self.append(events, db)
        }
    }

    /// Records a deal and both its offers (and optionally its result) in one transaction: a new
    /// match when `isNew`, otherwise a step of its lifecycle. The offer named by `inserting` is
    /// inserted rather than updated.
    @discardableResult
    public func commit(
        deal: DealContainer, job: JobOfferContainer, resource: ResourceOfferContainer, result: JobResult? = nil, isNew: Bool,
        inserting newOffer: NewlyStoredOffer? = nil, events: [SolverEvent] = []
    ) throws -> [SolverEvent] {
        let encoder = GoJSONEncoder()
        let (dealBody, jobBody, resourceBody) = (try encoder.encode(deal), try encoder.encode(job), try encoder.encode(resource))
        let resultBody = try result.map { try encoder.encode($0) }
        return try database.write { db in
            if isNew {
                try db.execute(
                    sql: "INSERT INTO deal (id, job_creator, resource_provider, state, body) VALUES (?, ?, ?, ?, ?)",
                    arguments: [deal.id, deal.jobCreator.lowercased(), deal.resourceProvider.lowercased(), deal.state.rawValue, Data(dealBody)])
            } else {
                try db.execute(sql: "UPDATE deal SET state = ?, body = ? WHERE id = ?", arguments: [deal.state.rawValue, Data(dealBody), deal.id])
            }
            if let resultBody {
                try db.execute(sql: "INSERT OR REPLACE INTO result (deal_id, body) VALUES (?, ?)", arguments: [deal.id, Data(resultBody)])
            }
            if case .job(let receivedAt, let inputDigest)? = newOffer {
                try db.execute(
                    sql: "INSERT INTO job_offer (id, job_creator, deal_id, state, body, received_at, input_digest) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    arguments: [job.id, job.jobCreator.lowercased(), job.dealID, job.state.rawValue, Data(jobBody), receivedAt, inputDigest])
            } else {
                try db.execute(
                    sql: "UPDATE job_offer SET deal_id = ?, state = ?, body = ? WHERE id = ?",
                    arguments: [job.dealID, job.state.rawValue, Data(jobBody), job.id])
            }
            if newOffer == .resource {
                try db.execute(
                    sql: "INSERT INTO resource_offer (id, resource_provider, deal_id, state, body, slot) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [
                        resource.id, resource.resourceProvider.lowercased(), resource.dealID, resource.state.rawValue, Data(resourceBody),
                        resource.resourceOffer.index,
                    ])
            } else {
                try db.execute(
                    sql: "UPDATE resource_offer SET deal_id = ?, state = ?, body = ? WHERE id = ?",
                    arguments: [resource.dealID, resource.state.rawValue, Data(resourceBody), resource.id])
            }
            return try Self.append(events, db)
        }
    }

    /// Appends events that change no record (a stop request).
    @discardableResult
    public func append(_ events: [SolverEvent]) throws -> [SolverEvent] {
        try database.write { db in try Self.append(events, db) }
    }

    @discardableResult
    public func update(_ offer: JobOfferContainer, events: [SolverEvent] = []) throws -> [SolverEvent] {
        let body = try GoJSONEncoder().encode(offer)
        return try database.write { db in
            try db.execute(
                sql: "UPDATE job_offer SET deal_id = ?, state = ?, body = ? WHERE id = ?",
                arguments: [offer.dealID, offer.state.rawValue, Data(body), offer.id])
            return try Self.append(events, db)
        }
    }

    @discardableResult
    public func update(_ offer: ResourceOfferContainer, events: [SolverEvent] = []) throws -> [SolverEvent] {
        let body = try GoJSONEncoder().encode(offer)
        return try database.write { db in
            try db.execute(
                sql: "UPDATE resource_offer SET deal_id = ?, state = ?, body = ? WHERE id = ?",
                arguments: [offer.dealID, offer.state.rawValue, Data(body), offer.id])
            return try Self.append(events, db)
        }
    }

    // MARK: Reads

    public func jobOffer(id: String) throws -> JobOfferContainer? {
        try database.read { db in try Data.fetchOne(db, sql: "SELECT body FROM job_offer WHERE id = ?", arguments: [id]) }
            .map { try JSONDecoder().decode(JobOfferContainer.self, from: $0) }
    }

    /// Whether a job offer with this ID was ever stored (without decoding it).
    public func hasJobOffer(id: String) throws -> Bool {
        try database.read { db in try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM job_offer WHERE id = ?)", arguments: [id]) ?? false }
    }

    /// The SHA-256 (hex) of a job offer's inputs archive: `nil` for an unknown offer, `""` for none.
    public func inputDigest(jobOfferID id: String) throws -> String? {
        try database.read { db in try String.fetchOne(db, sql: "SELECT input_digest FROM job_offer WHERE id = ?", arguments: [id]) }
    }

    public func resourceOffer(id: String) throws -> ResourceOfferContainer? {
        try database.read { db in try Data.fetchOne(db, sql: "SELECT body FROM resource_offer WHERE id = ?", arguments: [id]) }
            .map { try JSONDecoder().decode(ResourceOfferContainer.self, from: $0) }
    }

    public func result(dealID: String) throws -> JobResult? {
        try database.read { db in try Data.fetchOne(db, sql: "SELECT body FROM result WHERE deal_id = ?", arguments: [dealID]) }
            .map { try JSONDecoder().decode(JobResult.self, from: $0) }
    }

    public func deal(id: String) throws -> DealContainer? {
        try database.read { db in try Data.fetchOne(db, sql: "SELECT body FROM deal WHERE id = ?", arguments: [id]) }
            .map { try JSONDecoder().decode(DealContainer.self, from: $0) }
    }

    /// When the solver received each still-active job offer (ms), to re-arm its timeouts.
    public func activeJobOfferArrivals() throws -> [String: Int] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT id, received_at FROM job_offer WHERE state IN (0, 1, 2, 4, 12, 13)")
        }.reduce(into: [:]) { arrivals, row in arrivals[row["id"]] = row["received_at"] }
    }

    /// Deals still in progress (not in a terminal state), to re-arm their timeouts after a restart.
    public func activeDeals() throws -> [DealContainer] {
        try database.read { db in try Data.fetchAll(db, sql: "SELECT body FROM deal WHERE state IN (1, 2, 4, 12, 13) ORDER BY seq") }
            .map { try JSONDecoder().decode(DealContainer.self, from: $0) }
    }

    /// Unmatched offers in a state that can still match, in arrival order (to rebuild the book).
    public func openOffers() throws -> (jobs: [JobOfferContainer], resources: [ResourceOfferContainer]) {
        try database.read { db in
            let jobs = try Data.fetchAll(db, sql: "SELECT body FROM job_offer WHERE deal_id = '' AND state = 0 ORDER BY seq")
            let resources = try Data.fetchAll(db, sql: "SELECT body FROM resource_offer WHERE deal_id = '' AND state = 0 ORDER BY seq")
            let decoder = JSONDecoder()
            return (
                try jobs.map { try decoder.decode(JobOfferContainer.self, from: $0) },
                try resources.map { try decoder.decode(ResourceOfferContainer.self, from: $0) }
            )
        }
    }

    /// Deals in which `party` (lower-cased address) is the job creator or the provider.
    public func deals(of party: String) throws -> [DealContainer] {
        try database.read { db in
            try Data.fetchAll(
                db, sql: "SELECT body FROM deal WHERE job_creator = ? OR resource_provider = ? ORDER BY seq", arguments: [party, party])
        }.map { try JSONDecoder().decode(DealContainer.self, from: $0) }
    }

    /// The ID of a provider's active resource offer for `slot` (the duplicate check), if any.
    public func activeResourceOfferID(of provider: String, slot: Int) throws -> String? {
        try database.read { db in
            try String.fetchOne(
                db, sql: "SELECT id FROM resource_offer WHERE resource_provider = ? AND slot = ? AND state IN (0, 1) ORDER BY seq LIMIT 1",
                arguments: [provider, slot])
        }
    }
}
