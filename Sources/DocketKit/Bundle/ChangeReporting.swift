/// Counts of one snapshot's changes against its parent, for the report and manifest.json.
struct ChangeSummary: Sendable, Equatable {
    var added = 0
    var removed = 0
    var modified = 0
    /// Resources of the parent whose listing could not be read in this snapshot: unknown, not
    /// removed.
    var notRecorded = 0

    var total: Int { added + removed + modified }
}

/// One row of `data/changes/changes.csv`.
struct ChangeRow: Sendable {
    var kind: String
    var key: String
    var name: String
    /// `added`, `removed`, `modified` or `not-recorded`.
    var change: String
    /// The changed field's path, empty for a whole-resource change.
    var field: String = ""
    var oldValue: String = ""
    var newValue: String = ""
}

/// The change files of one snapshot against its parent, as `data/changes/` holds them.
struct ChangeReport: Sendable {
    var json: [UInt8]
    var markdown: [UInt8]
    var rows: [ChangeRow]
    var summary: ChangeSummary
}

/// Produces the changes between two snapshots for a bundle. The bundle writer calls it once
/// per consecutive pair, the baseline included, and records `policy` in manifest.json.
protocol ChangeReporting {
    /// What the bundle records as the diff's volatility policy, so an auditor can see which
    /// fields were ignored; `.null` when none applies.
    var policy: JSONValue { get }
    /// A short name of the method, written to manifest.json as `change_method`.
    var method: String { get }

    func report(from parent: SnapshotInfo, to snapshot: SnapshotInfo) throws -> ChangeReport
}

/// Compares two snapshots resource by resource, by content digest: added, removed and
/// modified resources, with no field-level detail and no volatility policy.
///
/// TODO: replace with the field-level diff engine (`SnapshotDiffer` with its JSON and
/// Markdown renderers and `VolatilityPolicy.default`) once it is on main; this type is the
/// only place that needs to change.
struct ResourceDigestChangeReporter: ChangeReporting {
    let store: SnapshotStore

    var policy: JSONValue { .null }
    var method: String { "resource-digest" }

    func report(from parent: SnapshotInfo, to snapshot: SnapshotInfo) throws -> ChangeReport {
        let rows = try changedResources(from: parent, to: snapshot)
        var summary = ChangeSummary()
        for row in rows {
            switch row.change {
            case "added": summary.added += 1
            case "removed": summary.removed += 1
            case "modified": summary.modified += 1
            default: summary.notRecorded += 1
            }
        }
        return ChangeReport(
            json: Array(PrettyJSON.encode(jsonDocument(parent: parent, snapshot: snapshot, rows: rows, summary: summary)).utf8),
            markdown: Array(markdown(parent: parent, snapshot: snapshot, rows: rows, summary: summary).utf8),
            rows: rows, summary: summary)
    }

    /// The differing resources of every kind, skipping kinds whose trees are equal.
    private func changedResources(from parent: SnapshotInfo, to snapshot: SnapshotInfo) throws -> [ChangeRow] {
        let oldTrees = try store.kindTrees(of: parent)
        let newTrees = try store.kindTrees(of: snapshot)
        var rows: [ChangeRow] = []
        for kind in Set(oldTrees.keys).union(newTrees.keys).sorted() {
            let (old, new) = try store.differingEntries(kind: kind, oldTree: oldTrees[kind], newTree: newTrees[kind])
            let newByKey = Dictionary(new.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
            let oldByKey = Dictionary(old.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
            for entry in old {
                if let replacement = newByKey[entry.key] {
                    if replacement.digest != entry.digest {
                        rows.append(ChangeRow(kind: kind, key: entry.key, name: replacement.name, change: "modified"))
                    }
                } else {
                    let change = snapshot.isNotRecorded(kind: kind, parentKey: entry.parentKey) ? "not-recorded" : "removed"
                    rows.append(ChangeRow(kind: kind, key: entry.key, name: entry.name, change: change))
                }
            }
            for entry in new where oldByKey[entry.key] == nil {
                rows.append(ChangeRow(kind: kind, key: entry.key, name: entry.name, change: "added"))
            }
        }
        return rows.sorted { ($0.kind, $0.name, $0.key) < ($1.kind, $1.name, $1.key) }
    }

    private func jsonDocument(parent: SnapshotInfo, snapshot: SnapshotInfo, rows: [ChangeRow], summary: ChangeSummary) -> JSONValue {
        let changes: [JSONValue] = rows.map {
            ["kind": .string($0.kind), "key": .string($0.key), "name": .string($0.name), "change": .string($0.change)]
        }
        return [
            "from": ["digest": .string(parent.digest), "captured_at": .string(parent.capturedAt)],
            "to": ["digest": .string(snapshot.digest), "captured_at": .string(snapshot.capturedAt)],
            "method": .string(method),
            "summary": [
                "added": .number(Double(summary.added)), "removed": .number(Double(summary.removed)),
                "modified": .number(Double(summary.modified)), "not_recorded": .number(Double(summary.notRecorded)),
            ],
            "changes": .array(changes),
        ]
    }

    private func markdown(parent: SnapshotInfo, snapshot: SnapshotInfo, rows: [ChangeRow], summary: ChangeSummary) -> String {
        var lines = [
            "# Changes at \(snapshot.capturedAt)",
            "",
            "Snapshot `\(snapshot.digest)` against its parent `\(parent.digest)` (\(parent.capturedAt)).",
            "",
            "\(summary.added) added, \(summary.removed) removed, \(summary.modified) modified, \(summary.notRecorded) not recorded.",
            "",
        ]
        guard !rows.isEmpty else {
            return (lines + ["No resource changed.", ""]).joined(separator: "\n")
        }
        lines += ["| kind | name | key | change |", "| --- | --- | --- | --- |"]
        for row in rows {
            lines.append("| \(markdownCell(row.kind)) | \(markdownCell(row.name)) | `\(row.key)` | \(row.change) |")
        }
        lines.append("")
        return lines.joined(separator: "\n")
    }

    private func markdownCell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
