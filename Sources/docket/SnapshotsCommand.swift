import DocketKit

/// `docket snapshots`: the snapshots, newest first, and with `--runs` every capture attempt.
enum SnapshotsCommand: Command {
    static let name = "snapshots"
    static let summary = "list snapshots and capture runs, newest first"
    static let usage = "snapshots [--since DATE] [--until DATE] [--runs] [--json]"
    static let discussion = """
        Lists committed snapshots with their digest, capture time, resource count and whether
        every listing was read. With --runs, lists every capture run instead, including failed
        and interrupted ones, with its outcome and request figures. DATE is a UTC day
        (YYYY-MM-DD) or an ISO 8601 date-time; both bounds are inclusive.
        """
    static let options = [
        OptionSpec("since", value: "DATE", help: "only those captured on or after DATE"),
        OptionSpec("until", value: "DATE", help: "only those captured on or before DATE (a day includes all of it)"),
        OptionSpec("runs", help: "list capture runs, failures and interruptions included"),
    ]
    static let exitCodes: [(Int32, String)] = [(2, "the store cannot be opened")]

    static func run(_ context: CommandContext) throws -> Int32 {
        _ = try context.positionals(minimum: 0, maximum: 0)
        let (since, until) = try TimeBounds.parse(context: context)
        let hasRange = context.arguments.value("since") != nil || context.arguments.value("until") != nil
        let store = try context.openStore()
        if context.arguments.has("runs") {
            let runs = try store.runs().filter { $0.startedAt >= since && $0.startedAt <= until }.reversed()
            printRuns(Array(runs), hasRange: hasRange, context: context)
        } else {
            let snapshots = try store.snapshots().filter { $0.capturedAt >= since && $0.capturedAt <= until }.reversed()
            printSnapshots(Array(snapshots), hasRange: hasRange, context: context)
        }
        return ExitStatus.success
    }

    private static func printSnapshots(_ snapshots: [SnapshotInfo], hasRange: Bool, context: CommandContext) {
        if context.wantsJSON {
            context.console.outputRaw(PrettyJSON.encode(.array(snapshots.map(JSONReports.snapshot))))
            return
        }
        guard !snapshots.isEmpty else {
            context.console.info(hasRange ? "no snapshots in this range" : "the store holds no snapshots yet; run `docket capture`")
            return
        }
        context.console.output("DIGEST        CAPTURED AT           RESOURCES  STATE")
        for snapshot in snapshots {
            let state = snapshot.isComplete ? "complete" : "incomplete (\(snapshot.notRecorded.count) listings not read)"
            context.console.output(
                "\(snapshot.shortDigest)  \(snapshot.capturedAt)  \(String(snapshot.resourceCount).leftPadded(9))  \(state)")
        }
    }

    private static func printRuns(_ runs: [RunRecord], hasRange: Bool, context: CommandContext) {
        if context.wantsJSON {
            context.console.outputRaw(PrettyJSON.encode(.array(runs.map(JSONReports.run))))
            return
        }
        guard !runs.isEmpty else {
            context.console.info(hasRange ? "no capture runs in this range" : "the store records no capture run yet; run `docket capture`")
            return
        }
        let header = [
            "RUN".rightPadded(4), "STARTED AT".rightPadded(20), "OUTCOME".rightPadded(17), "EXIT", "REQUESTS", "RETRIES",
            "SNAPSHOT".rightPadded(12), "ERROR",
        ]
        context.console.output(header.joined(separator: "  "))
        for run in runs {
            let columns = [
                String(run.id).rightPadded(4), run.startedAt, run.outcome.rawValue.rightPadded(17),
                (run.exitCode.map(String.init) ?? "-").rightPadded(4), String(run.requests).leftPadded(8),
                String(run.retries).leftPadded(7), (run.snapshotDigest.map { String($0.prefix(12)) } ?? "-").rightPadded(12),
                run.error ?? "",
            ]
            context.console.output(columns.joined(separator: "  "))
        }
    }
}

/// `--since` and `--until` as inclusive RFC 3339 bounds that compare as text.
enum TimeBounds {
    static func parse(context: CommandContext) throws -> (since: String, until: String) {
        let since = try bound(context.arguments.value("since"), option: "since", endOfDay: false, command: context.command)
        let until = try bound(context.arguments.value("until"), option: "until", endOfDay: true, command: context.command)
        if let since, let until, since > until {
            throw UsageError("--since \(since) is later than --until \(until): swap them.", command: context.command)
        }
        return (since ?? "", until ?? "9999")
    }

    static func bound(_ text: String?, option: String, endOfDay: Bool, command: String) throws -> String? {
        guard let text else { return nil }
        if let day = Timestamp.parseDay(text) {
            return Timestamp.format(endOfDay ? day.addingTimeInterval(86399) : day)
        }
        if let moment = Timestamp.parse(text) {
            return Timestamp.format(moment)
        }
        throw UsageError("invalid date \"\(text)\" for --\(option): expected YYYY-MM-DD or an ISO 8601 date-time such as 2026-03-31T12:00:00Z.", command: command)
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }

    func rightPadded(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
