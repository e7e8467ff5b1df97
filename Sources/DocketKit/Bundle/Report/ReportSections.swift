/// The period at a glance: account, snapshots, runs, gaps and changes.
struct SummarySection: ReportSection {
    let id = "summary"
    let title = "Summary"

    func render(_ context: BundleContext) -> String {
        let plan = context.plan
        let complete = plan.periodSnapshots.filter { $0.info.isComplete }.count
        let changeCount = context.changes.reduce(0) { $0 + $1.summary.total }
        let cards = [
            card("\(plan.periodSnapshots.count)", "snapshots in the period", detail: "\(complete) complete"),
            card("\(plan.runs.count)", "capture runs", detail: "\(context.failedRuns.count) failed, \(context.interruptedRuns.count) interrupted"),
            card(
                "\(context.coverage.gaps.count)", "coverage gaps",
                detail: "longer than \(BundleContext.describeDuration(seconds: plan.expectedCadence))",
                isWarning: !context.coverage.gaps.isEmpty),
            card("\(changeCount)", "resource changes", detail: "in \(context.changes.filter { $0.summary.total > 0 }.count) snapshots"),
            card("\(context.inventory.count)", "apps and add-ons", detail: "at the period's end"),
        ]
        var rows: [[HTML.Cell]] = [
            [.text("Account"), .text(context.accountDescription)],
            [.text("Period"), .text(context.periodDescription)],
        ]
        if let baseline = plan.baseline {
            rows.append([.text("Baseline"), .raw("\(HTML.escape(baseline.info.capturedAt)) · <code>\(HTML.escape(baseline.info.shortDigest))</code>")])
        } else {
            rows.append([.text("Baseline"), .text("none: the store contains no snapshot before the period")])
        }
        rows.append([.text("Last snapshot"), .raw("\(HTML.escape(plan.lastSnapshot.info.capturedAt)) · <code>\(HTML.escape(plan.lastSnapshot.info.digest))</code>")])
        rows.append([.text("Signature"), .text(context.signingKey.map { "signed with \($0)" } ?? "not signed")])
        rows.append([.text("Change method"), .text(context.changeMethod)])
        return "<div class=\"cards\">\(cards.joined())</div>\n" + HTML.table(header: ["", ""], rows: rows, className: "facts")
    }

    private func card(_ value: String, _ label: String, detail: String, isWarning: Bool = false) -> String {
        "<div class=\"card\(isWarning ? " warning" : "")\"><div class=\"value\">\(HTML.escape(value))</div><div class=\"label\">\(HTML.escape(label))</div><div class=\"detail\">\(HTML.escape(detail))</div></div>"
    }
}

/// A calendar of the period, one cell per UTC day, then the gaps and the runs that failed.
struct CoverageSection: ReportSection {
    let id = "coverage"
    let title = "Coverage"

    func render(_ context: BundleContext) -> String {
        var html = legend()
        html += "<div class=\"months\">\n"
        for month in months(context.coverage.days) {
            html += monthGrid(month)
        }
        html += "</div>\n"
        html += gaps(context)
        html += unsuccessfulRuns(context)
        return html
    }

    private func legend() -> String {
        let items: [(String, String)] = [
            ("complete", "complete snapshot"), ("incomplete", "only incomplete snapshots"),
            ("failed", "runs, no snapshot"), ("missing", "no run"),
        ]
        let swatches = items.map { "<span class=\"swatch day \($0.0)\"></span>\(HTML.escape($0.1))" }.joined(separator: " ")
        return "<p class=\"legend\">\(swatches) <span class=\"swatch day complete gap\"></span>inside a gap</p>\n"
    }

    private func months(_ days: [CoverageDay]) -> [[CoverageDay]] {
        var result: [[CoverageDay]] = []
        for day in days {
            if let last = result.last?.last, last.day.prefix(7) == day.day.prefix(7) {
                result[result.count - 1].append(day)
            } else {
                result.append([day])
            }
        }
        return result
    }

    /// Renders one month as a table of weeks, Monday first. Days outside the period stay grey.
    private func monthGrid(_ days: [CoverageDay]) -> String {
        guard let first = days.first, let year = Int(first.day.prefix(4)), let month = Int(first.day.dropFirst(5).prefix(2)) else {
            return ""
        }
        let byDay = Dictionary(days.map { (Int($0.day.suffix(2)) ?? 0, $0) }, uniquingKeysWith: { first, _ in first })
        let firstWeekday = Int((Timestamp.daysFromCivil(year: year, month: month, day: 1) + 3) % 7)
        let length = Timestamp.daysInMonth(year: year, month: month)
        var cells = Array(repeating: "<td></td>", count: firstWeekday)
        for dayNumber in 1...length {
            guard let day = byDay[dayNumber] else {
                cells.append("<td class=\"day outside\">\(dayNumber)</td>")
                continue
            }
            let classes = "day \(day.state.rawValue)\(day.isInGap ? " gap" : "")"
            let tooltip = "\(day.day): \(day.snapshotCount) snapshots, \(day.runCount) runs, \(day.failedRunCount) without a snapshot"
            cells.append("<td class=\"\(classes)\" title=\"\(HTML.escape(tooltip))\">\(dayNumber)</td>")
        }
        while cells.count % 7 != 0 {
            cells.append("<td></td>")
        }
        var html = "<table class=\"month\"><caption>\(String(format: "%04d-%02d", year, month))</caption>"
        html += "<thead><tr>" + ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"].map { "<th>\($0)</th>" }.joined() + "</tr></thead><tbody>"
        for week in stride(from: 0, to: cells.count, by: 7) {
            html += "<tr>" + cells[week..<week + 7].joined() + "</tr>"
        }
        return html + "</tbody></table>\n"
    }

    private func gaps(_ context: BundleContext) -> String {
        let cadence = BundleContext.describeDuration(seconds: context.plan.expectedCadence)
        guard !context.coverage.gaps.isEmpty else {
            return "<h3>Gaps</h3>\n<p>No interval in the period went longer than \(HTML.escape(cadence)) without a snapshot.</p>\n"
        }
        let rows: [[HTML.Cell]] = context.coverage.gaps.map { gap in
            let runs = gap.runs.map { "run \($0.id) \($0.outcome.rawValue)" }.joined(separator: ", ")
            return [.text(gap.from), .text(gap.to), .text(BundleContext.describeDuration(seconds: gap.seconds)), .text(runs.isEmpty ? "none" : runs)]
        }
        return "<h3>Gaps</h3>\n<p>Intervals longer than the expected \(HTML.escape(cadence)) between snapshots (<code>--expect-every</code>), clipped to the period.</p>\n"
            + HTML.table(header: ["from", "to", "length", "unsuccessful runs inside"], rows: rows, className: "gaps") + "\n"
    }

    private func unsuccessfulRuns(_ context: BundleContext) -> String {
        let runs = context.plan.runs.filter { $0.snapshotDigest == nil || $0.outcome == .incomplete }
        var html = "<h3>Capture runs</h3>\n<p>\(context.plan.runs.count) runs started in the period; every one is in \(HTML.link("runs.csv", to: BagLayout.runs)), with per-endpoint figures in \(HTML.link("run-endpoints.csv", to: BagLayout.runEndpoints)).</p>\n"
        guard !runs.isEmpty else { return html + "<p>Every run committed a complete snapshot.</p>\n" }
        let rows: [[HTML.Cell]] = runs.map {
            [.number(Int($0.id)), .text($0.startedAt), .text($0.outcome.rawValue, className: "outcome \($0.outcome.rawValue)"), .text($0.error ?? "")]
        }
        html += HTML.table(header: ["run", "started", "outcome", "error"], rows: rows, className: "runs")
        return html + "\n"
    }
}

/// Changes over time: a bar per snapshot, then the snapshots that changed anything.
struct ChangesSection: ReportSection {
    let id = "changes"
    let title = "Changes over time"

    func render(_ context: BundleContext) -> String {
        guard !context.changes.isEmpty else {
            return "<p>The bundle contains one snapshot and no baseline, so there is nothing to compare.</p>\n"
        }
        var html = "<p>Each snapshot against the one before it (method: \(HTML.escape(context.changeMethod))). All changes are in \(HTML.link("changes/changes.csv", to: "\(BagLayout.changesFolder)/\(BagLayout.changesTable)")).</p>\n"
        html += chart(context.changes)
        let changed = context.changes.filter { $0.summary.total > 0 || $0.summary.notRecorded > 0 }
        let unchanged = context.changes.count - changed.count
        let rows: [[HTML.Cell]] = changed.map { entry in
            [
                .text(entry.snapshot.info.capturedAt), .raw("<code>\(HTML.escape(entry.snapshot.info.shortDigest))</code>"),
                .number(entry.summary.added), .number(entry.summary.removed), .number(entry.summary.changed),
                .number(entry.summary.notRecorded),
                .raw(HTML.link("markdown", to: entry.markdownPath) + " · " + HTML.link("json", to: entry.jsonPath)),
            ]
        }
        if !rows.isEmpty {
            html += HTML.table(header: ["captured", "snapshot", "added", "removed", "changed", "not recorded", "details"], rows: rows, className: "changes") + "\n"
        }
        html += "<p>\(unchanged) of \(context.changes.count) snapshots changed nothing.</p>\n"
        return html
    }

    /// Draws an inline SVG bar chart with one bar per snapshot, as high as its number of changes.
    private func chart(_ changes: [ChangeEntry]) -> String {
        let width = 720.0
        let height = 120.0
        let maximum = max(1, changes.map { $0.summary.total + $0.summary.notRecorded }.max() ?? 1)
        let slot = width / Double(changes.count)
        var bars = ""
        for (index, entry) in changes.enumerated() {
            let total = entry.summary.total + entry.summary.notRecorded
            let barHeight = Double(total) / Double(maximum) * (height - 10)
            let x = Double(index) * slot + slot * 0.15
            bars += "<rect x=\"\(format(x))\" y=\"\(format(height - barHeight))\" width=\"\(format(max(1, slot * 0.7)))\" height=\"\(format(barHeight))\"><title>\(HTML.escape(entry.snapshot.info.capturedAt)): \(total) changes</title></rect>"
        }
        return "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"changes per snapshot\">\(bars)<line x1=\"0\" y1=\"\(Int(height))\" x2=\"\(Int(width))\" y2=\"\(Int(height))\"/></svg>\n<p class=\"axis\"><span>\(HTML.escape(changes[0].snapshot.info.capturedAt))</span><span>most in one snapshot: \(maximum)</span><span>\(HTML.escape(changes[changes.count - 1].snapshot.info.capturedAt))</span></p>\n"
    }

    /// Fixed-point text with two decimals, independent of the locale.
    private func format(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let fraction = abs(hundredths % 100)
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}

/// The apps and add-ons of the period's last snapshot.
struct InventorySection: ReportSection {
    let id = "inventory"
    let title = "Inventory at the period's end"

    func render(_ context: BundleContext) -> String {
        let header = EvidenceTables.inventoryHeader
        let column = { (name: String) in header.firstIndex(of: name) ?? 0 }
        let apps = context.inventory.filter { $0[0] == ResourceKind.app }
        let addons = context.inventory.filter { $0[0] == ResourceKind.addon }
        var html = "<p>From the snapshot of \(HTML.escape(context.plan.lastSnapshot.info.capturedAt)); the same rows are in \(HTML.link("inventory.csv", to: BagLayout.inventory)).</p>\n"
        html += "<h3>Apps (\(apps.count))</h3>\n"
        let appColumns = ["name", "region", "stack", "space", "team", "owner", "created_at"]
        html += HTML.table(header: appColumns, rows: apps.map { row in appColumns.map { .text(row[column($0)]) } }, className: "inventory") + "\n"
        html += "<h3>Add-ons (\(addons.count))</h3>\n"
        let addonColumns = ["name", "app", "service", "plan", "state", "created_at"]
        html += HTML.table(header: addonColumns, rows: addons.map { row in addonColumns.map { .text(row[column($0)]) } }, className: "inventory")
        return html
    }
}

/// Links to the evidence files and each snapshot folder.
struct EvidenceSection: ReportSection {
    let id = "evidence"
    let title = "Evidence files"

    func render(_ context: BundleContext) -> String {
        var html = "<ul class=\"files\">\n"
        let files: [(String, String)] = [
            (BagLayout.readme, "what the bundle contains and how to verify it"),
            (BagLayout.bundleManifest, "period, account, snapshot chain with full headers, changes, gaps, policy"),
            (BagLayout.runs, "every capture attempt in the period"),
            (BagLayout.runEndpoints, "per run and endpoint: pages, items, accepted OAuth scopes"),
            (BagLayout.inventory, "apps and add-ons at the period's end"),
            ("\(BagLayout.changesFolder)/\(BagLayout.changesTable)", "every change of the period"),
        ]
        for (path, description) in files {
            html += "<li>\(HTML.link(path, to: path)): \(HTML.escape(description))</li>\n"
        }
        html += "</ul>\n<h3>Snapshots</h3>\n"
        let rows: [[HTML.Cell]] = context.plan.snapshots.map { snapshot in
            let info = snapshot.info
            return [
                .text(info.capturedAt), .text(snapshot.role.rawValue), .raw("<code>\(HTML.escape(info.shortDigest))</code>"),
                .text(info.isComplete ? "complete" : "incomplete (\(info.notRecorded.count) listings not read)", className: info.isComplete ? nil : "incomplete"),
                .number(info.resourceCount),
                .link("\(snapshot.folder)/", to: "\(snapshot.folderPath)/\(BagLayout.snapshotIndex)"),
            ]
        }
        html += HTML.table(header: ["captured", "role", "digest", "state", "resources", "files"], rows: rows, className: "snapshots")
        return html
    }
}

/// Each control's state over the period and when it changed, from `data/controls/`.
struct ControlsSection: ReportSection {
    let id = "controls"
    let title = "Controls"

    func render(_ context: BundleContext) -> String {
        context.controls.htmlBody()
    }
}
