/// One step of the store's schema: SQL, or code for a step SQL alone cannot express.
enum StoreMigration: Sendable {
    case sql(String)
    case code(@Sendable (SQLiteDatabase) throws -> Void)
    /// Adds a column unless the table has it, as a store relabelled to an older schema does.
    case addColumn(table: String, column: String, type: String)

    func apply(to database: SQLiteDatabase) throws {
        switch self {
        case .sql(let statements): try database.execute(statements)
        case .code(let step): try step(database)
        case .addColumn(let table, let column, let type):
            let columns = try database.query("SELECT name FROM pragma_table_info('\(table)')").compactMap { $0.string(0) }
            if !columns.contains(column) {
                try database.execute("ALTER TABLE \(table) ADD COLUMN \(column) \(type);")
            }
        }
    }
}

/// Ordered schema migrations, tracked in SQLite's `user_version`. A released migration is
/// never edited; a change to the schema is a new entry at the end.
enum StoreSchema {
    static let migrations: [StoreMigration] = [
        .sql("""
        CREATE TABLE objects (
            digest TEXT PRIMARY KEY,
            body BLOB NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            outcome TEXT NOT NULL,
            exit_code INTEGER,
            error TEXT,
            pid INTEGER NOT NULL,
            host TEXT NOT NULL,
            docket_version TEXT NOT NULL,
            api_url TEXT,
            token_source TEXT,
            requests INTEGER NOT NULL DEFAULT 0,
            retries INTEGER NOT NULL DEFAULT 0,
            rate_limited INTEGER NOT NULL DEFAULT 0,
            rate_limit_start INTEGER,
            rate_limit_end INTEGER,
            snapshot_digest TEXT,
            resources INTEGER
        );
        CREATE TABLE run_endpoints (
            run_id INTEGER NOT NULL REFERENCES runs(id),
            endpoint TEXT NOT NULL,
            requests INTEGER NOT NULL,
            pages INTEGER NOT NULL,
            items INTEGER NOT NULL,
            failures INTEGER NOT NULL,
            last_status INTEGER NOT NULL,
            scope_accepted TEXT,
            last_error TEXT,
            PRIMARY KEY (run_id, endpoint)
        ) WITHOUT ROWID;
        CREATE TABLE snapshots (
            id INTEGER PRIMARY KEY,
            digest TEXT NOT NULL UNIQUE,
            captured_at TEXT NOT NULL,
            run_id INTEGER REFERENCES runs(id),
            tree_digest TEXT NOT NULL REFERENCES objects(digest),
            header BLOB NOT NULL
        );
        CREATE INDEX snapshots_by_time ON snapshots(captured_at);
        CREATE TABLE settings (
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID;
        """),
        // Objects may be stored compressed against a base object; see SnapshotStore+ObjectEncoding.
        // Bodies written before this migration stay as they are and read the same.
        .sql("""
        ALTER TABLE objects ADD COLUMN base TEXT REFERENCES objects(digest);
        """),
        .code(keyObjectsByRowID),
        // New bodies are raw deflate streams (ObjectCompression.rawDeflateMarker). The tables do
        // not change, but a Docket that reads only zlib streams must reject the store instead
        // of reporting these bodies as altered.
        .sql("-- bodies may be raw deflate streams"),
        // The index keys rows by the first bytes of each digest (ObjectIndex), and new bodies
        // have their digests packed (ObjectCompression.digestPackedMarker), which an older
        // Docket would report as altered.
        .code(keyIndexByPrefix),
        // New bodies may be copy deltas (ObjectCompression.copyDeltaMarker), which an older
        // Docket would report as altered.
        .sql("-- bodies may be copy deltas"),
        // Each new snapshot names the object that lists its resources' volatile anchors (see
        // VolatileAnchors). Snapshots captured before have none, and diffs read their resources.
        .addColumn(table: "snapshots", column: "anchors", type: "TEXT"),
    ]

    /// The first schema whose snapshots may name an object of volatile anchors.
    static let anchorsSchema = 7

    /// The first schema whose index keys rows by digest prefix (see `ObjectIndex`).
    static let prefixIndexSchema = 5

    /// The oldest schema a read-only command reads without upgrading it. The migrations
    /// after it change how new objects are written and how the index keys them, and this
    /// version reads every form (see `ObjectIndex`), so a user who may not write the store
    /// can still read it.
    static let oldestReadableSchema = 3

    /// Splits objects into bodies appended by row id, with bases named by row id and the
    /// length of each object's delta chain, and an index from the 32 bytes of each digest
    /// to its row.
    ///
    /// The first layout keyed objects by 64-character hex text in a WITHOUT ROWID table. New
    /// objects landed at random places in its b-tree, which left pages about half full, and
    /// bodies over about 1 KB spilled into overflow pages of their own. Appended bodies fill
    /// their pages, and each digest is stored once, as 32 bytes. With delta chains, a 12-day
    /// store of the benchmark's quick account took 5.3 MB in this layout against 7.7 MB.
    ///
    /// Objects keep their bodies as they are; a delta's base was always standalone before,
    /// so each gets depth 1. `snapshots` is rebuilt too, because its `tree_digest` referred
    /// to the old text key; `docket check` verifies that every tree exists.
    private static func keyObjectsByRowID(_ database: SQLiteDatabase) throws {
        try database.execute("""
            CREATE TABLE object_bodies (
                id INTEGER PRIMARY KEY,
                base INTEGER REFERENCES object_bodies(id),
                depth INTEGER NOT NULL DEFAULT 0,
                body BLOB NOT NULL
            );
            CREATE TABLE object_digests (
                digest BLOB PRIMARY KEY,
                id INTEGER NOT NULL REFERENCES object_bodies(id)
            ) WITHOUT ROWID;
            """)
        let insertBody = try database.prepare("INSERT INTO object_bodies (body) VALUES (?)")
        let insertDigest = try database.prepare("INSERT INTO object_digests (digest, id) VALUES (?, ?)")
        let link = try database.prepare(
            "UPDATE object_bodies SET base = (SELECT id FROM object_digests WHERE digest = ?), depth = 1 WHERE id = ?")
        let read = try database.prepare("SELECT digest, body, base FROM objects")
        try read.bind([])
        var deltas: [(id: Int64, base: SQLiteValue)] = []
        while let row = try read.step() {
            let digest = try binaryDigest(row.string(0))
            try insertBody.run([.blob(row.bytes(1) ?? [])])
            let id = database.lastInsertRowID
            try insertDigest.run([digest, .integer(id)])
            if let base = row.string(2) {
                deltas.append((id, try binaryDigest(base)))
            }
        }
        for delta in deltas {
            try link.run([delta.base, .integer(delta.id)])
        }
        try database.execute("""
            CREATE TABLE snapshots_by_id (
                id INTEGER PRIMARY KEY,
                digest TEXT NOT NULL UNIQUE,
                captured_at TEXT NOT NULL,
                run_id INTEGER REFERENCES runs(id),
                tree_digest TEXT NOT NULL,
                header BLOB NOT NULL
            );
            INSERT INTO snapshots_by_id SELECT id, digest, captured_at, run_id, tree_digest, header FROM snapshots;
            DROP TABLE snapshots;
            DROP TABLE objects;
            ALTER TABLE object_bodies RENAME TO objects;
            ALTER TABLE snapshots_by_id RENAME TO snapshots;
            CREATE INDEX snapshots_by_time ON snapshots(captured_at);
            """)
    }

    /// Replaces `object_digests`, keyed by the 32 bytes of each digest, with `object_keys`,
    /// keyed by the first `ObjectIndex.prefixLength` bytes (see `ObjectIndex`). The bodies do
    /// not change.
    private static func keyIndexByPrefix(_ database: SQLiteDatabase) throws {
        try database.execute("""
            CREATE TABLE object_keys (
                prefix BLOB NOT NULL,
                id INTEGER NOT NULL REFERENCES objects(id),
                PRIMARY KEY (prefix, id)
            ) WITHOUT ROWID;
            INSERT INTO object_keys (prefix, id) SELECT substr(digest, 1, \(ObjectIndex.prefixLength)), id FROM object_digests;
            DROP TABLE object_digests;
            """)
    }

    private static func binaryDigest(_ hex: String?) throws -> SQLiteValue {
        guard let hex, let key = ObjectIndex.fullDigests.key(hex) else {
            throw StoreError.corrupt("object key \(hex ?? "NULL") is not a SHA-256 hex digest, so the store cannot be upgraded")
        }
        return key
    }

    /// The page size of a new store. Bodies of 1 to 4 KB, such as certificates, left most of
    /// a 4 KB page empty when several came in a row. With 16 KB pages the same objects of the
    /// benchmark's quick account took 7 % less space.
    static let pageSize = 16384

    /// Brings the schema up to date, or rejects a store from a newer Docket. Returns the
    /// schema the store had before, 0 for a new store.
    static func migrate(_ database: SQLiteDatabase, path: String, readOnly: Bool) throws -> Int {
        let version = Int(try database.query("PRAGMA user_version").first?.int(0) ?? 0)
        guard version <= migrations.count else {
            throw StoreError.newerSchema(path: path, found: version, supported: migrations.count)
        }
        if version > 0 {
            let tables = try database.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'objects'")
            guard !tables.isEmpty else { throw StoreError.notAStore(path: path, reason: "it has no objects table") }
        } else if !readOnly {
            let tables = try database.query("SELECT count(*) FROM sqlite_master").first?.int(0) ?? 0
            guard tables == 0 else {
                throw StoreError.notAStore(path: path, reason: "it is an SQLite database with other tables")
            }
            // Set before the first table exists; it cannot change later without a VACUUM.
            try database.execute("PRAGMA page_size = \(pageSize)")
        }
        guard version < migrations.count, !(readOnly && version >= oldestReadableSchema) else { return version }
        guard !readOnly else { throw StoreError.notAStore(path: path, reason: "its schema is not initialised") }
        // Rebuilding a table drops the old one, which foreign keys would reject. SQLite only
        // switches them outside a transaction, so each step checks them before it commits.
        try database.execute("PRAGMA foreign_keys = OFF")
        defer { try? database.execute("PRAGMA foreign_keys = ON") }
        for (offset, migration) in migrations.enumerated().dropFirst(version) {
            try database.inTransaction {
                try migration.apply(to: database)
                let violations = try database.query("PRAGMA foreign_key_check")
                guard violations.isEmpty else {
                    throw StoreError.corrupt(
                        "upgrading to schema \(offset + 1) left \(violations.count) rows that refer to missing rows (first in table \(violations[0].string(0) ?? "?"))")
                }
                try database.execute("PRAGMA user_version = \(offset + 1)")
            }
        }
        // A rebuilt table leaves the old one's pages free inside the file, which would
        // otherwise keep the size of both until captures reuse them.
        let rebuildsTables = migrations.dropFirst(version).contains {
            if case .code = $0 { return true }
            return false
        }
        if version > 0 && rebuildsTables {
            try database.execute("VACUUM")
        }
        return version
    }
}
