import Foundation

/// The run ledger: every capture attempt, whatever its outcome, with per-endpoint figures.
extension SnapshotStore {
    /// Records the start of a capture run and returns its id.
    public func beginRun(startedAt: String, pid: Int, host: String, docketVersion: String, apiURL: String?, tokenSource: String?)
        throws -> Int64
    {
        try database.query(
            """
            INSERT INTO runs (started_at, outcome, pid, host, docket_version, api_url, token_source)
            VALUES (?, 'running', ?, ?, ?, ?, ?)
            """,
            [.text(startedAt), .integer(Int64(pid)), .text(host), .text(docketVersion), SQLiteValue(apiURL), SQLiteValue(tokenSource)])
        return database.lastInsertRowID
    }

    /// Marks every run still `running` as `interrupted`. Only the lock holder calls this, so
    /// no other capture can be running: those runs were killed.
    @discardableResult
    public func markInterruptedRuns(endedBy runStartedAt: String) throws -> [Int64] {
        let rows = try database.query("SELECT id FROM runs WHERE outcome = 'running'")
        let ids = rows.compactMap { $0.int(0) }
        for id in ids {
            try database.query(
                "UPDATE runs SET outcome = 'interrupted', error = ? WHERE id = ?",
                [.text("the process ended before the run finished; seen by the run started at \(runStartedAt)"), .integer(id)])
        }
        return ids
    }

    /// Marks a run that is still `running` as interrupted, with `reason`; used when the
    /// capture process is stopped by a signal. Returns false when the run had already ended.
    @discardableResult
    public func markRunStopped(id: Int64, endedAt: String, exitCode: Int, reason: String) throws -> Bool {
        try database.query(
            "UPDATE runs SET outcome = 'interrupted', ended_at = ?, exit_code = ?, error = ? WHERE id = ? AND outcome = 'running'",
            [.text(endedAt), .integer(Int64(exitCode)), .text(reason), .integer(id)])
        return database.changes > 0
    }

    /// Writes a run's end, figures and endpoints in one transaction.
    public func finishRun(_ run: RunRecord, endpoints: [EndpointRecord]) throws {
        try database.inTransaction {
            try database.query(
                """
                UPDATE runs SET ended_at = ?, outcome = ?, exit_code = ?, error = ?, requests = ?, retries = ?,
                    rate_limited = ?, rate_limit_start = ?, rate_limit_end = ?, snapshot_digest = ?, resources = ?
                WHERE id = ?
                """,
                [
                    SQLiteValue(run.endedAt), .text(run.outcome.rawValue), SQLiteValue(run.exitCode), SQLiteValue(run.error),
                    .integer(Int64(run.requests)), .integer(Int64(run.retries)), .integer(Int64(run.rateLimited)),
                    SQLiteValue(run.rateLimitAtStart), SQLiteValue(run.rateLimitAtEnd), SQLiteValue(run.snapshotDigest),
                    SQLiteValue(run.resourceCount), .integer(run.id),
                ])
            let insert = try database.prepare(
                """
                INSERT OR REPLACE INTO run_endpoints
                    (run_id, endpoint, requests, pages, items, failures, last_status, scope_accepted, last_error)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for endpoint in endpoints {
                try insert.run([
                    .integer(run.id), .text(endpoint.endpoint), .integer(Int64(endpoint.requests)),
                    .integer(Int64(endpoint.pages)), .integer(Int64(endpoint.items)), .integer(Int64(endpoint.failures)),
                    .integer(Int64(endpoint.lastStatus)), SQLiteValue(endpoint.scopeAccepted), SQLiteValue(endpoint.lastError),
                ])
            }
        }
    }

    /// Runs, oldest first, optionally limited to those started in `[since, until)`.
    public func runs(since: String? = nil, until: String? = nil) throws -> [RunRecord] {
        let rows = try database.query(
            """
            SELECT id, started_at, ended_at, outcome, exit_code, error, pid, host, docket_version, api_url, token_source,
                requests, retries, rate_limited, rate_limit_start, rate_limit_end, snapshot_digest, resources
            FROM runs WHERE (?1 IS NULL OR started_at >= ?1) AND (?2 IS NULL OR started_at < ?2)
            ORDER BY started_at, id
            """, [SQLiteValue(since), SQLiteValue(until)])
        return rows.map(Self.runRecord)
    }

    public func run(id: Int64) throws -> RunRecord? {
        try runs().first { $0.id == id }
    }

    public func endpoints(ofRun id: Int64) throws -> [EndpointRecord] {
        let rows = try database.query(
            """
            SELECT endpoint, requests, pages, items, failures, last_status, scope_accepted, last_error
            FROM run_endpoints WHERE run_id = ? ORDER BY endpoint
            """, [.integer(id)])
        return rows.map { row in
            var record = EndpointRecord(endpoint: row.string(0) ?? "")
            record.requests = Int(row.int(1) ?? 0)
            record.pages = Int(row.int(2) ?? 0)
            record.items = Int(row.int(3) ?? 0)
            record.failures = Int(row.int(4) ?? 0)
            record.lastStatus = Int(row.int(5) ?? 0)
            record.scopeAccepted = row.string(6)
            record.lastError = row.string(7)
            return record
        }
    }

    static func runRecord(_ row: SQLiteRow) -> RunRecord {
        RunRecord(
            id: row.int(0) ?? 0, startedAt: row.string(1) ?? "", endedAt: row.string(2),
            outcome: RunOutcome(rawValue: row.string(3) ?? "") ?? .failed, exitCode: row.int(4).map { Int($0) },
            error: row.string(5), pid: Int(row.int(6) ?? 0), host: row.string(7) ?? "", docketVersion: row.string(8) ?? "",
            apiURL: row.string(9), tokenSource: row.string(10), requests: Int(row.int(11) ?? 0),
            retries: Int(row.int(12) ?? 0), rateLimited: Int(row.int(13) ?? 0), rateLimitAtStart: row.int(14).map { Int($0) },
            rateLimitAtEnd: row.int(15).map { Int($0) }, snapshotDigest: row.string(16), resourceCount: row.int(17).map { Int($0) })
    }
}
