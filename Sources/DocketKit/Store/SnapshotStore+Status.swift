import Foundation

/// What `docket status` and the metrics file read from the store: freshness and size.
extension SnapshotStore {
    /// The last run that ended complete (exit 0), by start time; nil when none has.
    /// An incomplete run recorded a snapshot but is not a success: some listings were not read.
    public func lastSuccessfulRun() throws -> RunRecord? {
        let rows = try database.query(
            """
            SELECT id, started_at, ended_at, outcome, exit_code, error, pid, host, docket_version, api_url, token_source,
                requests, retries, rate_limited, rate_limit_start, rate_limit_end, snapshot_digest, resources
            FROM runs WHERE outcome = ? ORDER BY started_at DESC, id DESC LIMIT 1
            """, [.text(RunOutcome.complete.rawValue)])
        return rows.first.map(Self.runRecord)
    }

    /// The last run by start time, whatever its outcome; nil when the ledger is empty.
    public func lastRun() throws -> RunRecord? {
        let rows = try database.query(
            """
            SELECT id, started_at, ended_at, outcome, exit_code, error, pid, host, docket_version, api_url, token_source,
                requests, retries, rate_limited, rate_limit_start, rate_limit_end, snapshot_digest, resources
            FROM runs ORDER BY started_at DESC, id DESC LIMIT 1
            """)
        return rows.first.map(Self.runRecord)
    }

    public func snapshotCount() throws -> Int {
        Int(try database.query("SELECT count(*) FROM snapshots").first?.int(0) ?? 0)
    }

    /// Bytes on disk: the store file plus its write-ahead log, which keeps committed
    /// transactions until SQLite checkpoints them into the file.
    public func sizeOnDisk() -> Int64 {
        [path, path + "-wal"].reduce(0) { total, file in
            var info = stat()
            return stat(file, &info) == 0 ? total + Int64(info.st_size) : total
        }
    }
}
