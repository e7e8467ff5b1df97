import DocketKit
import DocketTestSupport
import Foundation
import Testing

/// `docket status` run as a monitoring check would run it: the built binary on a real store.
@Suite("docket status")
struct StatusCommandTests {
    private let folder: URL
    private let storePath: String

    init() {
        folder = Repository.temporaryDirectory()
        storePath = folder.appendingPathComponent("store.sqlite").path
    }

    /// Records one finished run; a complete or incomplete run also commits a snapshot.
    private func recordRun(_ store: SnapshotStore, at startedAt: String, outcome: RunOutcome, exitCode: Int) throws {
        let id = try store.beginRun(startedAt: startedAt, pid: 1, host: "test", docketVersion: DocketVersion.current, apiURL: nil, tokenSource: nil)
        var digest: String?
        if outcome == .complete || outcome == .incomplete {
            let notRecorded = outcome == .incomplete ? [NotRecordedListing(kind: "domain", parentKey: nil, listing: "GET /apps/{app}/domains", error: "HTTP 503")] : []
            let resource = CapturedResource(kind: "app", key: "a1", name: "api", body: ["name": .string("api-\(startedAt)")])
            digest = try store.commitSnapshot(resources: [resource], notRecorded: notRecorded, capturedAt: startedAt, runID: id, account: [:]).digest
        }
        guard var run = try store.run(id: id) else {
            Issue.record("run \(id) vanished")
            return
        }
        run.endedAt = startedAt
        run.outcome = outcome
        run.exitCode = exitCode
        run.requests = 12
        run.snapshotDigest = digest
        if outcome == .transientFailure { run.error = "GET /apps: HTTP 503 after 4 attempts" }
        try store.finishRun(run, endpoints: [])
    }

    private func makeStore(_ runs: [(String, RunOutcome, Int)]) throws {
        let store = try SnapshotStore(path: storePath, create: true)
        for (startedAt, outcome, exitCode) in runs {
            try recordRun(store, at: startedAt, outcome: outcome, exitCode: exitCode)
        }
    }

    private func status(_ arguments: [String], now: String = "2026-03-25T18:00:00Z") throws -> CommandResult {
        try docket(["status", "--store", storePath] + arguments, environment: ["DOCKET_NOW": now])
    }

    @Test("store without runs says so")
    func noRuns() throws {
        try makeStore([])
        let plain = try status([])
        #expect(plain.status == 0)
        #expect(plain.stdout.contains("last run      none: no capture has run on this store yet"))
        #expect(plain.stdout.contains("last success  none"))
        #expect(plain.stdout.contains("snapshots     none"))

        let checked = try status(["--max-age", "26h"])
        #expect(checked.status == 1)
        #expect(checked.stderr.contains("stale: no capture run has succeeded"))
    }

    @Test("fresh success exits 0")
    func fresh() throws {
        try makeStore([("2026-03-25T06:00:00Z", .complete, 0)])
        let result = try status(["--max-age", "26h"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("last success  run 1 started 2026-03-25T06:00:00Z, 12h ago"))
        #expect(result.stdout.contains("snapshots     1, latest "))
        #expect(result.stderr.contains("fresh: the last success is 12h old, within --max-age 26h"))
    }

    @Test("stale success exits 1")
    func stale() throws {
        try makeStore([("2026-03-25T06:00:00Z", .complete, 0)])
        let result = try status(["--max-age", "26h"], now: "2026-03-27T09:30:00Z")
        #expect(result.status == 1)
        #expect(result.stderr.contains("stale: the last success is 2d 3h old, more than --max-age 26h"))
    }

    @Test("failed and incomplete runs are not successes")
    func failuresAreNotSuccesses() throws {
        try makeStore([
            ("2026-03-24T06:00:00Z", .complete, 0), ("2026-03-25T06:00:00Z", .incomplete, 3),
            ("2026-03-25T12:00:00Z", .transientFailure, 5),
        ])
        let result = try status(["--max-age", "26h", "--json"], now: "2026-03-25T18:00:00Z")
        #expect(result.status == 1, "the only success, of 2026-03-24, is 36h old")

        let report = try JSONParser.parse(bytes: Array(result.stdout.utf8))
        #expect(report["last_run"]?["outcome"]?.stringValue == "transient-failure")
        #expect(report["last_run"]?["exit_code"]?.intValue == 5)
        #expect(report["last_success"]?["started_at"]?.stringValue == "2026-03-24T06:00:00Z")
        #expect(report["last_success_age_seconds"]?.intValue == 36 * 3600)
        #expect(report["snapshots"]?.intValue == 2)
        #expect(report["latest_snapshot"]?["complete"]?.boolValue == false)
        #expect(report["fresh"]?.boolValue == false)
        #expect(report["max_age_seconds"]?.intValue == 26 * 3600)
        #expect((report["store_bytes"]?.intValue ?? 0) > 0)
    }

    @Test("JSON without --max-age has no verdict")
    func jsonWithoutMaxAge() throws {
        try makeStore([("2026-03-25T06:00:00Z", .complete, 0)])
        let result = try status(["--json"])
        #expect(result.status == 0)
        let report = try JSONParser.parse(bytes: Array(result.stdout.utf8))
        #expect(report["fresh"]?.isNull == true)
        #expect(result.stderr.isEmpty)
    }

    @Test("missing store exits 2")
    func missingStore() throws {
        let result = try status([])
        #expect(result.status == 2)
        #expect(result.stderr.contains("no store at \(storePath)"))
    }

    @Test("invalid --max-age exits 64")
    func invalidMaxAge() throws {
        try makeStore([])
        let result = try status(["--max-age", "soon"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("invalid duration \"soon\" for --max-age"))
    }
}
