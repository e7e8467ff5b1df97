import DocketKit
import Foundation

/// `docket status`: the last run, the last success and its age, the snapshot count and the
/// store's size; with `--max-age`, a freshness check for monitoring.
enum StatusCommand: Command {
    static let name = "status"
    static let summary = "show the last run, the last success and its age, snapshots and store size"
    static let usage = "status [--max-age DURATION] [--json]"
    static let discussion = """
        Reads the run ledger: the last capture run and its outcome, the last run that ended
        complete (exit 0) and how long ago it started, the number of snapshots, and the
        store's size on disk (the file and its write-ahead log). An incomplete run (exit 3)
        recorded a snapshot but is not a success.

        With --max-age (such as 26h for a daily capture), exits 1 when the last success
        started longer ago than that, or when no run has succeeded yet, so that a monitoring
        check can call it. The store is opened read-only.
        """
    static let options = [
        OptionSpec("max-age", value: "DURATION", help: "exit 1 when the last success is older than DURATION, such as 26h")
    ]
    static let exitCodes: [(Int32, String)] = [
        (1, "with --max-age: the last success is older than DURATION, or there is none"),
        (2, "the store cannot be opened"),
    ]

    /// The store's freshness facts, gathered once for both output forms.
    struct Report {
        let path: String
        let sizeInBytes: Int64
        let snapshotCount: Int
        let latestSnapshot: SnapshotInfo?
        let lastRun: RunRecord?
        let lastSuccess: RunRecord?
        /// Seconds from the start of the last success until now; nil without a success.
        let lastSuccessAge: Int?
        let maxAge: Int?

        /// Nil without `--max-age`.
        var isFresh: Bool? {
            guard let maxAge else { return nil }
            guard let lastSuccessAge else { return false }
            return lastSuccessAge <= maxAge
        }
    }

    static func run(_ context: CommandContext) throws -> Int32 {
        _ = try context.positionals(minimum: 0, maximum: 0)
        let maxAge = try context.arguments.duration("max-age", command: name)
        let store = try SnapshotStore(path: context.storePath, readOnly: true)
        let report = try makeReport(store: store, maxAge: maxAge, now: Timestamp.now(environment: context.environment))

        if context.wantsJSON {
            context.console.outputRaw(PrettyJSON.encode(json(report)))
        } else {
            printText(report, console: context.console)
        }
        return report.isFresh == false ? ExitStatus.differencesOrStale : ExitStatus.success
    }

    private static func makeReport(store: SnapshotStore, maxAge: Int?, now: Date) throws -> Report {
        let lastSuccess = try store.lastSuccessfulRun()
        let age = lastSuccess.flatMap { Timestamp.parse($0.startedAt) }.map { max(0, Int(now.timeIntervalSince($0))) }
        return Report(
            path: store.path, sizeInBytes: store.sizeOnDisk(), snapshotCount: try store.snapshotCount(),
            latestSnapshot: try store.latestSnapshot(), lastRun: try store.lastRun(), lastSuccess: lastSuccess,
            lastSuccessAge: age, maxAge: maxAge)
    }

    // MARK: - Output

    private static func printText(_ report: Report, console: Console) {
        console.output("store         \(report.path), \(HumanFormat.size(bytes: report.sizeInBytes))")
        if let snapshot = report.latestSnapshot {
            let state = snapshot.isComplete ? "complete" : "incomplete"
            console.output("snapshots     \(report.snapshotCount), latest \(snapshot.shortDigest) captured \(snapshot.capturedAt) (\(state))")
        } else {
            console.output("snapshots     none")
        }
        if let run = report.lastRun {
            console.output("last run      \(describe(run, storePath: report.path))")
        } else {
            console.output("last run      none: no capture has run on this store yet")
        }
        if let success = report.lastSuccess, let age = report.lastSuccessAge {
            console.output("last success  run \(success.id) started \(success.startedAt), \(HumanFormat.duration(seconds: age)) ago")
        } else {
            console.output("last success  none")
        }
        printVerdict(report, console: console)
    }

    private static func describe(_ run: RunRecord, storePath: String) -> String {
        var text = "run \(run.id) started \(run.startedAt): \(run.outcome.rawValue)"
        if let code = run.exitCode { text += ", exit \(code)" }
        if run.outcome != .running {
            text += ", \(run.requests) requests, \(run.retries) retries"
        } else if case .free = StoreLock.probe(storePath: storePath) {
            text += " in the ledger, but no capture holds the lock: the process ended before it finished, and the next capture marks the run interrupted"
        } else if case .held(let holder?) = StoreLock.probe(storePath: storePath) {
            text += " (process \(holder.pid))"
        }
        if let error = run.error { text += ": \(error)" }
        return text
    }

    private static func printVerdict(_ report: Report, console: Console) {
        guard let maxAge = report.maxAge else { return }
        let limit = Duration.format(seconds: maxAge)
        guard let age = report.lastSuccessAge else {
            console.error(
                "stale: no capture run has succeeded on this store, so nothing is within --max-age \(limit). Check `journalctl -u docket-capture` and run a capture.")
            return
        }
        if age <= maxAge {
            console.info("fresh: the last success is \(HumanFormat.duration(seconds: age)) old, within --max-age \(limit)")
        } else {
            console.error(
                "stale: the last success is \(HumanFormat.duration(seconds: age)) old, more than --max-age \(limit). Check the last run above and `journalctl -u docket-capture`.")
        }
    }

    private static func json(_ report: Report) -> JSONValue {
        [
            "store": .string(report.path),
            "store_bytes": .number(Double(report.sizeInBytes)),
            "snapshots": .number(Double(report.snapshotCount)),
            "latest_snapshot": report.latestSnapshot.map(JSONReports.snapshot) ?? .null,
            "last_run": report.lastRun.map(JSONReports.run) ?? .null,
            "last_success": report.lastSuccess.map(JSONReports.run) ?? .null,
            "last_success_age_seconds": report.lastSuccessAge.map { .number(Double($0)) } ?? .null,
            "max_age_seconds": report.maxAge.map { .number(Double($0)) } ?? .null,
            "fresh": report.isFresh.map { .bool($0) } ?? .null,
        ]
    }
}
