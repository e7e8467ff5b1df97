/// One control result changing state between two consecutive reports of a period.
public struct ControlStateChange: Sendable, Hashable {
    public var controlID: String
    /// The resource whose result changed (from the newer report, or the older one when the
    /// result disappeared).
    public var resource: EvidenceReference?
    /// The previous state (`pass`, `pass-with-warning`, `fail`, `not-applicable`, `error`),
    /// or nil in the first report and for a result that first appears.
    public var from: String?
    /// The new state, or nil when the result is no longer reported (the resource is gone).
    public var to: String?
    public var snapshotDigest: String
    public var capturedAt: String
    /// The newer result's message, or the older one's when the result disappeared.
    public var message: String

    var jsonValue: JSONValue {
        [
            "control": .string(controlID), "resource": resource?.jsonValue ?? .null, "from": from.map { .string($0) } ?? .null,
            "to": to.map { .string($0) } ?? .null, "snapshot": .string(snapshotDigest), "captured_at": .string(capturedAt),
            "message": .string(message),
        ]
    }
}

/// When each control changed state across a series of reports, such as every snapshot of a
/// bundle's period: the first report gives each result's starting state, later reports add a
/// change whenever a result's state differs from the report before.
public enum ControlTimeline {
    /// The changes across `reports`, which must be ordered oldest first.
    public static func changes(_ reports: [ControlReport]) -> [ControlStateChange] {
        var builder = Builder()
        for report in reports {
            builder.add(report)
        }
        return builder.changes
    }

    /// Collects the changes one report at a time, oldest first, keeping only the previous
    /// report's results, so a long period needs no more memory than two reports.
    public struct Builder: Sendable {
        public private(set) var changes: [ControlStateChange] = []
        private var previous: [String: ControlResult] = [:]

        public init() {}

        public mutating func add(_ report: ControlReport) {
            var current: [String: ControlResult] = [:]
            for result in report.results {
                current[identity(result)] = result
            }
            // Few results change state from one report to the next, so only theirs are sorted.
            // Sorting every key of every report took 8 % of the time a bundle spends on controls.
            let changed = current.filter { previous[$0.key]?.state != $0.value.state }
            for (key, result) in changed.sorted(by: { $0.key < $1.key }) {
                changes.append(change(result, from: previous[key]?.state, to: result.state, in: report))
            }
            let removed = previous.filter { current[$0.key] == nil }
            for (_, result) in removed.sorted(by: { $0.key < $1.key }) {
                changes.append(change(result, from: result.state, to: nil, in: report))
            }
            previous = current
        }
    }

    /// Returns a result's identity across reports: its control and its subject. A subject that
    /// is the snapshot, a run or the store itself is new in every report, so for those the
    /// control and the subject's kind are the identity, and only changes of state are listed.
    static func identity(_ result: ControlResult) -> String {
        guard let resource = result.resource else { return "\(result.controlID) -" }
        if ["snapshot", "run", "store"].contains(resource.kind) {
            return "\(result.controlID) \(resource.kind)"
        }
        return "\(result.controlID) \(resource.identity)"
    }

    private static func change(_ result: ControlResult, from: String?, to: String?, in report: ControlReport) -> ControlStateChange {
        ControlStateChange(
            controlID: result.controlID, resource: result.resource, from: from, to: to, snapshotDigest: report.snapshot.digest,
            capturedAt: report.snapshot.capturedAt, message: result.message)
    }

    public static func json(_ changes: [ControlStateChange]) -> JSONValue {
        ["format": 1, "changes": .array(changes.map(\.jsonValue))]
    }

    public static let csvColumns = [
        "captured_at", "snapshot", "control", "resource_kind", "resource_key", "resource_name", "from", "to", "message",
    ]

    public static func csv(_ changes: [ControlStateChange]) -> String {
        let rows = changes.map { change in
            [
                change.capturedAt, change.snapshotDigest, change.controlID, change.resource?.kind ?? "", change.resource?.key ?? "",
                change.resource?.name ?? "", change.from ?? "", change.to ?? "", change.message,
            ]
        }
        return ControlRenderer.csvTable([csvColumns] + rows)
    }
}
