/// The control results of a period, as the bundle stores them: a report per snapshot, the
/// timeline of state changes, the files under `data/controls/` and the section of
/// `data/index.html`.
public struct ControlEvidence: Sendable {
    /// One report per snapshot, oldest first.
    public let reports: [ControlReport]
    public let changes: [ControlStateChange]

    /// Evaluates every snapshot in `snapshots` (oldest first) with one evaluator, judged at
    /// each snapshot's capture time so the bundle is reproducible.
    /// - Parameter periodStart: the period's first instant (RFC 3339), which bounds the
    ///   continuity control and the access removals listed.
    public static func build(
        store: SnapshotStore, policy: ControlPolicy, policySource: String, snapshots: [SnapshotInfo], periodStart: String?
    ) throws -> ControlEvidence {
        let evaluator = ControlEvaluator(store: store, policy: policy, policySource: policySource, timeReference: .snapshot)
        evaluator.periodStart = periodStart
        let reports = try snapshots.map { try evaluator.evaluate($0) }
        return ControlEvidence(reports: reports, changes: ControlTimeline.changes(reports))
    }

    /// Returns the files for `data/controls/` as (path relative to that folder, UTF-8 text).
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
    public func files(name: (SnapshotInfo) -> String = { $0.capturedAt }) -> [(path: String, contents: String)] {
        var files: [(path: String, contents: String)] = []
        for report in reports {
            let base = name(report.snapshot)
            files.append(("\(base)/summary.json", PrettyJSON.encode(ControlRenderer.bundleSummary(report))))
            files.append(("\(base)/results.json", PrettyJSON.encode(ControlRenderer.bundleResults(report))))
            files.append(("\(base)/results.csv", ControlRenderer.resultsCSV(report.results.filter { !ControlRenderer.isAboutEvidence($0.controlID) })))
        }
        files.append(("timeline.json", PrettyJSON.encode(ControlTimeline.json(changes))))
        files.append(("timeline.csv", ControlTimeline.csv(changes)))
        let catalogue: JSONValue = [
            "docket_version": .string(DocketVersion.current), "controls": ControlCatalogue.jsonValue,
            "support_calendar": SupportCalendar.jsonValue,
        ]
        files.append(("catalogue.json", PrettyJSON.encode(catalogue)))
        return files.sorted { $0.path < $1.path }
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
        guard let last = reports.last else {
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
        let perReport = reports.map { Dictionary($0.controlStatuses().map { ($0.control.id, $0.status) }, uniquingKeysWith: { first, _ in first }) }
        for control in ControlCatalogue.all {
            let statuses = perReport.compactMap { $0[control.id] }
            let counts = [ControlStatus.pass, .fail, .notApplicable, .error].map { status in
                String(statuses.filter { $0 == status }.count)
            }
            let current = perReport.last?[control.id]?.rawValue ?? "-"
            rows.append(
                "<tr class=\"\(escape(current))\"><td><code>\(escape(control.id))</code></td><td>\(escape(control.title))</td><td>\(escape(current))</td><td>\(counts.joined(separator: " / "))</td></tr>")
        }
        rows.append("</table>")
        return rows
    }

    private func changeTable() -> [String] {
        let later = changes.filter { $0.snapshotDigest != reports.first?.snapshot.digest }
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
