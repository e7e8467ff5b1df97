/// Ordered schema migrations, tracked in SQLite's `user_version`. A released migration is
/// never edited; a change to the schema is a new entry at the end.
enum StoreSchema {
    static let migrations: [String] = [
        """
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
        """,
        // Objects may be stored compressed against a base object; see SnapshotStore+ObjectEncoding.
        // Bodies written before this migration stay as they are and read the same.
        """
        ALTER TABLE objects ADD COLUMN base TEXT REFERENCES objects(digest);
        """,
    ]

    /// Brings the schema up to date, or rejects a store from a newer Docket.
    static func migrate(_ database: SQLiteDatabase, path: String, readOnly: Bool) throws {
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
        }
        guard version < migrations.count else { return }
        guard !readOnly else { throw StoreError.notAStore(path: path, reason: "its schema is not initialised") }
        for (offset, sql) in migrations.enumerated().dropFirst(version) {
            try database.inTransaction {
                try database.execute(sql)
                try database.execute("PRAGMA user_version = \(offset + 1)")
            }
        }
    }
}
