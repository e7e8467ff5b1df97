/// The output formats of a resource timeline: `text` for terminals and `json` (schema
/// `docket-history/1`, documented in `docs/diff-formats.md`).
public enum HistoryRenderer {
    public static let jsonFormat = "docket-history/1"

    /// Renders the timeline for a terminal: one block per snapshot where the resource changed.
    public static func text(_ timeline: ResourceTimeline, colour: Bool = false) -> String {
        let palette = DiffRenderer.Palette(isEnabled: colour)
        var lines = ["\(timeline.kind) \(timeline.name)  (\(timeline.key))"]
        if timeline.names.count > 1 {
            lines.append("names: " + timeline.names.joined(separator: " → "))
        }
        if timeline.events.isEmpty {
            lines.append("no changes in this range")
        }
        for event in timeline.events {
            lines.append("")
            lines.append(palette.bold("\(event.snapshot.capturedAt)  \(event.snapshot.shortDigest)") + "  " + headline(event))
            let pathWidth = min(event.fieldChanges.map(\.path.description.count).max() ?? 0, 40)
            for field in event.fieldChanges {
                let path = DiffRenderer.pad(field.path.description, pathWidth)
                let volatile = field.isVolatile ? palette.paint("  (volatile)", "2") : ""
                lines.append(
                    "    \(path)  \(DiffRenderer.valueText(field.old)) → \(DiffRenderer.valueText(field.new))\(volatile)")
            }
        }
        if let hidden = hiddenText(timeline) {
            lines += ["", hidden]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func headline(_ event: HistoryEvent) -> String {
        switch event.kind {
        case .appeared: return "appeared as \(event.name)"
        case .removed: return "removed"
        case .notRecorded: return "not recorded: its listing failed, so its state is unknown"
        case .changed:
            let count = event.fieldChanges.count == 1 ? "1 field" : "\(event.fieldChanges.count) fields"
            if let previous = event.previousName {
                return "changed \(count), renamed \(previous) → \(event.name)"
            }
            return "changed \(count)"
        }
    }

    static func hiddenText(_ timeline: ResourceTimeline) -> String? {
        guard timeline.hiddenFieldCount > 0 else { return nil }
        let fields = timeline.hiddenFieldCount == 1 ? "1 volatile field change" : "\(timeline.hiddenFieldCount) volatile field changes"
        let snapshots = timeline.hiddenSnapshotCount == 1 ? "1 snapshot" : "\(timeline.hiddenSnapshotCount) snapshots"
        let detail = timeline.hiddenSnapshotCount == 0 ? "" : " (\(snapshots) with only volatile changes)"
        return "\(fields) hidden\(detail); --all-fields shows them"
    }

    /// Renders the timeline as JSON, in the `docket-history/1` schema.
    public static func json(_ timeline: ResourceTimeline) -> String {
        PrettyJSON.encode(jsonValue(timeline))
    }

    public static func jsonValue(_ timeline: ResourceTimeline) -> JSONValue {
        let events: [JSONValue] = timeline.events.map { event in
            [
                "snapshot": DiffRenderer.snapshotJSON(event.snapshot),
                "change": .string(event.kind.rawValue),
                "name": .string(event.name),
                "previous_name": event.previousName.map { .string($0) } ?? .null,
                "digest": event.digest.map { .string($0) } ?? .null,
                "fields": .array(event.fieldChanges.map(DiffRenderer.fieldJSON)),
            ]
        }
        return [
            "format": .string(jsonFormat),
            "kind": .string(timeline.kind),
            "key": .string(timeline.key),
            "name": .string(timeline.name),
            "names": .array(timeline.names.map { .string($0) }),
            "all_fields": .bool(timeline.includesVolatile),
            "hidden_volatile_fields": .number(Double(timeline.hiddenFieldCount)),
            "hidden_volatile_snapshots": .number(Double(timeline.hiddenSnapshotCount)),
            "events": .array(events),
        ]
    }
}
