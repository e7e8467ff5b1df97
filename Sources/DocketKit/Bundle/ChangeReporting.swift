import Foundation

/// Counts of one snapshot's changes against its parent, for the report and manifest.json.
struct ChangeSummary: Sendable, Equatable {
    var added = 0
    var removed = 0
    var changed = 0
    /// Resources of the parent whose listing could not be read in this snapshot: unknown, not
    /// removed.
    var notRecorded = 0

    var total: Int { added + removed + changed }
}

/// One row of `data/changes/changes.csv`.
struct ChangeRow: Sendable {
    var kind: String
    var key: String
    var name: String
    /// `added`, `removed`, `changed` or `not-recorded`, as the diff engine names them.
    var change: String
    /// The changed field's path, empty for a whole-resource change.
    var field: String = ""
    var oldValue: String = ""
    var newValue: String = ""
}

/// The change files of one snapshot against its parent, as `data/changes/` stores them.
struct ChangeReport: Sendable {
    var json: [UInt8]
    var markdown: [UInt8]
    var rows: [ChangeRow]
    var summary: ChangeSummary
}

/// Produces the changes between two snapshots for a bundle. The bundle writer calls it once
/// per consecutive pair, the baseline included, and records `policy` in manifest.json.
protocol ChangeReporting {
    /// The diff's volatility policy, recorded in manifest.json so an auditor can see which
    /// fields were ignored; `.null` when none applies.
    var policy: JSONValue { get }
    /// A short name of the method, written to manifest.json as `change_method`.
    var method: String { get }

    func report(from parent: SnapshotInfo, to snapshot: SnapshotInfo) throws -> ChangeReport
}

/// The bundle's changes through the diff engine: field-level changes after the default
/// volatility policy, rendered as the `docket-diff/1` JSON and the Markdown of `docket diff`.
struct FieldDiffChangeReporter: ChangeReporting {
    let differ: SnapshotDiffer

    init(store: SnapshotStore, policy: VolatilityPolicy = .default) {
        var differ = SnapshotDiffer(store: store, policy: policy)
        differ.usesVolatileAnchors = false
        self.differ = differ
    }

    var policy: JSONValue { differ.policy.jsonValue }
    var method: String { "field diff (\(DiffRenderer.jsonFormat)) after the volatility policy in manifest.json" }

    func report(from parent: SnapshotInfo, to snapshot: SnapshotInfo) throws -> ChangeReport {
        let diff = try differ.diff(from: parent, to: snapshot)
        let summary = ChangeSummary(
            added: diff.count(.added), removed: diff.count(.removed), changed: diff.count(.changed),
            notRecorded: diff.count(.notRecorded))
        return ChangeReport(
            json: Array(DiffRenderer.json(diff).utf8), markdown: Array(DiffRenderer.markdown(diff).utf8),
            rows: diff.changes.flatMap(Self.rows), summary: summary)
    }

    /// Returns one row per changed field, or one row for a resource added, removed or not recorded.
    private static func rows(_ change: ResourceChange) -> [ChangeRow] {
        let base = ChangeRow(kind: change.kind, key: change.key, name: change.name, change: change.change.rawValue)
        guard !change.fieldChanges.isEmpty else { return [base] }
        return change.fieldChanges.map { field in
            var row = base
            row.field = field.path.description
            row.oldValue = text(field.old)
            row.newValue = text(field.new)
            return row
        }
    }

    /// Formats a value as a CSV cell: strings as they are, anything else as compact JSON, and
    /// nothing for an absent field.
    private static func text(_ value: JSONValue?) -> String {
        switch value {
        case nil: return ""
        case .string(let text)?: return text
        case let other?: return CanonicalJSON.encodeString(other)
        }
    }
}

/// The files of `data/changes/`, made before the bundle is written, so that a second thread
/// can make them while the first runs the store check. Each pair's JSON and Markdown and the
/// rows of `changes.csv` wait in a temporary folder, which is removed with this object.
final class ChangeFiles: @unchecked Sendable {
    struct Pair {
        let entry: ChangeEntry
        let json: URL
        let markdown: URL
    }

    let method: String
    let policy: JSONValue
    /// In bundle order.
    let pairs: [Pair]
    /// `changes.csv`, which the sink finishes when it adds it.
    let table: SpoolFile
    private let scratch: ScratchFolder

    /// Reports every consecutive pair of `plan`'s snapshots with `reporter`.
    /// - Throws: what the reporter throws, or a file error when the temporary folder cannot
    ///   be written.
    init(plan: BundlePlan, reporter: ChangeReporting) throws {
        // On an error below, the folder is removed with `scratch`.
        let scratch = try ScratchFolder(prefix: "docket-changes")
        self.scratch = scratch
        method = reporter.method
        policy = reporter.policy
        table = try SpoolFile(url: scratch.url.appendingPathComponent(BagLayout.changesTable))
        try table.append(CSVTable.line(EvidenceTables.changesHeader))
        var pairs: [Pair] = []
        let ordered = plan.consecutivePairs.sorted { BagLayout.precedes($0.snapshot.folder, $1.snapshot.folder) }
        for (number, (parent, snapshot)) in ordered.enumerated() {
            let report = try reporter.report(from: parent.info, to: snapshot.info)
            let pair = Pair(
                entry: ChangeEntry(parent: parent, snapshot: snapshot, summary: report.summary),
                json: scratch.url.appendingPathComponent("\(number).json"), markdown: scratch.url.appendingPathComponent("\(number).md"))
            try ScratchFolder.write(report.json, to: pair.json)
            try ScratchFolder.write(report.markdown, to: pair.markdown)
            for row in report.rows {
                try table.append(CSVTable.line(EvidenceTables.changeRecord(row, snapshot: snapshot.info, parent: parent.info)))
            }
            pairs.append(pair)
        }
        self.pairs = pairs
    }
}
