import Foundation

/// The control results of a period, as the bundle stores them: a report per snapshot, the
/// timeline of state changes, the files under `data/controls/` and the section of
/// `data/index.html`.
///
/// Memory does not grow with the number of snapshots: each snapshot's report is rendered to
/// its files as soon as it is evaluated, the files wait in a temporary folder, and only the
/// state changes, each control's status counts and the last report stay in memory.
public struct ControlEvidence: Sendable {
    /// The last snapshot's report, or nil for a period without snapshots.
    public let lastReport: ControlReport?
    /// The first snapshot evaluated, whose changes the timeline lists against no earlier report.
    let firstSnapshot: SnapshotInfo?
    public let changes: [ControlStateChange]
    /// How many reports gave each control each status, by control id.
    let statusCounts: [String: [ControlStatus: Int]]
    let spool: ControlFileSpool

    /// Evaluates every snapshot in `snapshots` (oldest first), judged at each snapshot's
    /// capture time so the bundle is reproducible.
    ///
    /// With a `reader`, a second connection to the same store, another thread evaluates the
    /// later half of the period on it while this one evaluates the earlier half, and the two
    /// halves are joined into the evidence one thread gives. The other thread reads only what
    /// no capture changes (the period's snapshots and their objects), and takes the run ledger
    /// and the store check from `store`'s read, so both halves judge the same store.
    /// - Parameters:
    ///   - periodStart: the period's first instant (RFC 3339), which bounds the continuity
    ///     control and the access removals listed.
    ///   - storeCheck: the outcome of `StoreChecker` on `store`, when the caller ran it.
    ///     Otherwise the check runs on `store` unless the policy turns it off.
    /// - Throws: the evaluators' errors, or a file error when the temporary folder cannot be
    ///   written.
    public static func build(
        store: SnapshotStore, policy: ControlPolicy, policySource: String, snapshots: [SnapshotInfo], periodStart: String?,
        storeCheck: Result<StoreChecker.Report, Error>? = nil, reader: SnapshotStore? = nil
    ) throws -> ControlEvidence {
        let spool = try ControlFileSpool()
        let runs = try store.runs()
        let storeCheck = storeCheck ?? Self.storeCheck(of: store, policy: policy, snapshots: snapshots)
        let split = reader != nil && snapshots.count >= 2 ? snapshots.count / 2 : snapshots.count
        let later = snapshots[split...]
        let lent = reader.map(Lent.init)
        let worker = later.isEmpty ? nil : lent.map { lent in
            BackgroundWork {
                let evaluator = ControlEvaluator(store: lent.value, policy: policy, policySource: policySource, timeReference: .snapshot)
                evaluator.periodStart = periodStart
                evaluator.runsCache = runs
                evaluator.storeCheck = storeCheck
                return try lent.value.withConsistentRead {
                    try Stretch.evaluate(later, with: evaluator, spool: spool)
                }
            }
        }
        let earlier: Stretch
        do {
            let evaluator = ControlEvaluator(store: store, policy: policy, policySource: policySource, timeReference: .snapshot)
            evaluator.periodStart = periodStart
            evaluator.runsCache = runs
            evaluator.storeCheck = storeCheck
            earlier = try Stretch.evaluate(snapshots[..<split], with: evaluator, spool: spool)
        } catch {
            // The worker reads the spool and its own connection: let it finish first.
            _ = try? worker?.wait()
            throw error
        }
        guard let worker else {
            return ControlEvidence(
                lastReport: earlier.last, firstSnapshot: snapshots.first, changes: earlier.timeline.changes, statusCounts: earlier.counts,
                spool: spool)
        }
        let laterStretch = try worker.wait()
        var timeline = earlier.timeline
        if let first = laterStretch.first {
            timeline.add(first)
        }
        var counts = earlier.counts
        for (control, statuses) in laterStretch.counts {
            counts[control, default: [:]].merge(statuses, uniquingKeysWith: +)
        }
        return ControlEvidence(
            lastReport: laterStretch.last ?? earlier.last, firstSnapshot: snapshots.first,
            changes: timeline.changes + laterStretch.timeline.changes.dropFirst(laterStretch.firstReportChanges),
            statusCounts: counts, spool: spool)
    }

    /// Runs the store check that `evidence-store-intact` reports, or returns nil when the
    /// policy turns it off or there is no snapshot to evaluate.
    static func storeCheck(of store: SnapshotStore, policy: ControlPolicy, snapshots: [SnapshotInfo]) -> Result<StoreChecker.Report, Error>? {
        guard policy.evidenceCheckStore, !snapshots.isEmpty else { return nil }
        return Result { try StoreChecker(store: store, checksVolatileAnchors: false).run() }
    }

    /// The evaluation of consecutive snapshots of a period by one evaluator.
    private struct Stretch: Sendable {
        var timeline = ControlTimeline.Builder()
        var counts: [String: [ControlStatus: Int]] = [:]
        var first: ControlReport?
        var last: ControlReport?
        /// How many timeline changes the first report made against no earlier report. A
        /// stretch that follows another replaces them with changes against that one's last.
        var firstReportChanges = 0

        static func evaluate(_ snapshots: ArraySlice<SnapshotInfo>, with evaluator: ControlEvaluator, spool: ControlFileSpool) throws -> Stretch {
            var stretch = Stretch()
            var texts = ControlRenderer.ResultTexts()
            for snapshot in snapshots {
                let report = try evaluator.evaluate(snapshot)
                stretch.timeline.add(report)
                for (control, status) in report.controlStatuses() {
                    stretch.counts[control.id, default: [:]][status, default: 0] += 1
                }
                try spool.add(snapshot: report.snapshot, files: snapshotFiles(report, texts: &texts))
                if stretch.first == nil {
                    stretch.first = report
                    stretch.firstReportChanges = stretch.timeline.changes.count
                }
                stretch.last = report
            }
            return stretch
        }
    }

    /// Returns a snapshot's three files, by name inside its folder. `texts` contains the
    /// rendered results of the report before, which the results file reuses.
    private static func snapshotFiles(_ report: ControlReport, texts: inout ControlRenderer.ResultTexts) -> [(name: String, contents: [UInt8])] {
        let files = ControlRenderer.bundleFileBytes(report, texts: &texts)
        return [("summary.json", files.summary), ("results.json", files.results), ("results.csv", files.table)]
    }

    /// Calls `body` with each file for `data/controls/`, sorted by path: (path relative to that
    /// folder, UTF-8 bytes). Only one snapshot's file is read into memory at a time.
    ///
    /// Each snapshot gets a folder `<name>/`, where `name` is its folder name under
    /// `data/snapshots/` (default: its capture time), holding:
    /// - `summary.json`: the snapshot, policy digest, time reference, each control's state,
    ///   and the results of the controls about the evidence itself, which change every time;
    /// - `results.json` and `results.csv`: the results of the controls about the account.
    ///   They name no snapshot and no time, so when nothing changed they are identical to the
    ///   previous snapshot's and the bundle stores them once.
    ///
    /// Then come `timeline.json`, `timeline.csv` and `catalogue.json`, which lists every
    /// control and the end-of-life table with its sources.
    /// - Throws: a file error when a spooled file cannot be read, or what `body` throws.
    public func forEachFile(name: (SnapshotInfo) -> String = { $0.capturedAt }, _ body: (String, [UInt8]) throws -> Void) throws {
        var files: [(path: String, contents: () throws -> [UInt8])] = spool.entries.map { entry in
            ("\(name(entry.snapshot))/\(entry.name)", { try spool.contents(of: entry) })
        }
        let catalogue: JSONValue = [
            "docket_version": .string(DocketVersion.current), "controls": ControlCatalogue.jsonValue,
            "support_calendar": SupportCalendar.jsonValue,
        ]
        let summaries = [
            ("timeline.json", PrettyJSON.encode(ControlTimeline.json(changes))), ("timeline.csv", ControlTimeline.csv(changes)),
            ("catalogue.json", PrettyJSON.encode(catalogue)),
        ]
        for (path, text) in summaries {
            files.append((path, { Array(text.utf8) }))
        }
        for file in files.sorted(by: { $0.path < $1.path }) {
            try body(file.path, try file.contents())
        }
    }

    /// Returns every file `forEachFile` produces, held in memory at once: for tests and small
    /// periods.
    public func files(name: (SnapshotInfo) -> String = { $0.capturedAt }) throws -> [(path: String, contents: String)] {
        var files: [(path: String, contents: String)] = []
        try forEachFile(name: name) { path, bytes in
            files.append((path, String(decoding: bytes, as: UTF8.self)))
        }
        return files
    }

    /// Renders the controls section of `index.html` as a `<section>` fragment, every text
    /// escaped: each control's state in the last snapshot and how often each state occurred,
    /// then every state change after the first snapshot.
    public func htmlSection() -> String {
        "<section id=\"controls\">\n<h2>Controls</h2>\n" + htmlBody() + "</section>\n"
    }

    /// Renders the controls section's content, without its `<section>` element and heading.
    public func htmlBody() -> String {
        var html: [String] = []
        guard let last = lastReport else {
            html += ["<p>No snapshot in this period, so no control was evaluated.</p>"]
            return html.joined(separator: "\n") + "\n"
        }
        html.append(
            "<p>\(escape(ControlRenderer.summary(last))) in the last snapshot, \(escape(last.snapshot.shortDigest)) (\(escape(last.snapshot.capturedAt))). Policy \(escape(last.policySource)), sha256 \(escape(String(last.policy.digest.prefix(12)))). Results per snapshot are in <code>controls/</code>.</p>")
        html += statusTable()
        html += changeTable()
        return html.joined(separator: "\n") + "\n"
    }

    private func statusTable() -> [String] {
        var rows = [
            "<table class=\"controls\">",
            "<tr><th>Control</th><th>Title</th><th>Last snapshot</th><th>Snapshots pass / fail / n.a. / error</th></tr>",
        ]
        let lastStatuses = Dictionary(
            (lastReport?.controlStatuses() ?? []).map { ($0.control.id, $0.status) }, uniquingKeysWith: { first, _ in first })
        for control in ControlCatalogue.all {
            let counts = [ControlStatus.pass, .fail, .notApplicable, .error].map { status in
                String(statusCounts[control.id]?[status] ?? 0)
            }
            let current = lastStatuses[control.id]?.rawValue ?? "-"
            rows.append(
                "<tr class=\"\(escape(current))\"><td><code>\(escape(control.id))</code></td><td>\(escape(control.title))</td><td>\(escape(current))</td><td>\(counts.joined(separator: " / "))</td></tr>")
        }
        rows.append("</table>")
        return rows
    }

    private func changeTable() -> [String] {
        let later = changes.filter { $0.snapshotDigest != firstSnapshot?.digest }
        guard !later.isEmpty else { return ["<p>No control changed state during the period.</p>"] }
        var rows = [
            "<h3>State changes</h3>", "<table class=\"control-changes\">",
            "<tr><th>Captured at</th><th>Control</th><th>Resource</th><th>From</th><th>To</th><th>Result</th></tr>",
        ]
        for change in later {
            let resource = change.resource.map { $0.label } ?? "-"
            let cells = [change.capturedAt, change.controlID, resource, change.from ?? "(new)", change.to ?? "(gone)", change.message]
            rows.append("<tr>" + cells.map { "<td>\(escape($0))</td>" }.joined() + "</tr>")
        }
        rows.append("</table>")
        return rows
    }

    /// HTML text escaping for element content and double-quoted attributes.
    private func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}

/// The rendered control files of a period's snapshots, kept in a temporary folder that is
/// removed with this object. Identical contents are written once.
final class ControlFileSpool: @unchecked Sendable {
    struct Entry {
        let snapshot: SnapshotInfo
        let name: String
        let file: URL
    }

    private let scratch: ScratchFolder
    var folder: URL { scratch.url }
    /// Appended only while `ControlEvidence.build` runs, by one or two threads under `lock`,
    /// in no fixed order, and read-only after it returns. `forEachFile` sorts them by path.
    private(set) var entries: [Entry] = []
    private var fileByDigest: [String: URL] = [:]
    private let lock = NSLock()

    init() throws {
        scratch = try ScratchFolder(prefix: "docket-controls")
    }

    func add(snapshot: SnapshotInfo, files: [(name: String, contents: [UInt8])]) throws {
        // Hashed before taking the lock, so the other thread need not wait for it.
        let digests = files.map { Digest.sha256($0.contents) }
        lock.lock()
        defer { lock.unlock() }
        for ((name, bytes), digest) in zip(files, digests) {
            var file = fileByDigest[digest]
            if file == nil {
                let url = folder.appendingPathComponent(digest)
                try ScratchFolder.write(bytes, to: url)
                fileByDigest[digest] = url
                file = url
            }
            entries.append(Entry(snapshot: snapshot, name: name, file: file!))
        }
    }

    func contents(of entry: Entry) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: entry.file))
    }
}
