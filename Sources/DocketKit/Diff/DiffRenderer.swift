/// The output formats of a snapshot diff: `text` for terminals, `json` (stable schema
/// `docket-diff/1`), `markdown` for change tickets and audit notes, and `jsonPatch` (RFC 6902,
/// one patch per resource, `docket-json-patch/1`). `docs/diff-formats.md` documents them.
public enum DiffRenderer {
    /// The name of the JSON schema, written as `format`.
    public static let jsonFormat = "docket-diff/1"
    public static let jsonPatchFormat = "docket-json-patch/1"
    /// Values longer than this many characters are shortened in text and Markdown output;
    /// JSON output always has them whole.
    static let valueLimit = 160

    // MARK: - JSON

    /// Renders the diff as JSON, in the `docket-diff/1` schema.
    public static func json(_ diff: SnapshotDiff) -> String {
        PrettyJSON.encode(jsonValue(diff))
    }

    public static func jsonValue(_ diff: SnapshotDiff) -> JSONValue {
        [
            "format": .string(jsonFormat),
            "from": snapshotJSON(diff.from),
            "to": snapshotJSON(diff.to),
            "filter": [
                "kinds": .array(diff.filter.kinds.sorted().map { .string($0) }),
                "app": diff.filter.appKey.map { .string($0) } ?? .null,
            ],
            "all_fields": .bool(diff.includesVolatile),
            "policy_digest": .string(Digest.sha256(CanonicalJSON.encode(diff.policy.jsonValue))),
            "summary": [
                "added": count(diff.count(.added)), "removed": count(diff.count(.removed)),
                "changed": count(diff.count(.changed)), "not_recorded": count(diff.count(.notRecorded)),
                "hidden_volatile_fields": count(diff.hiddenFieldCount),
                "hidden_volatile_resources": count(diff.hiddenResourceCount),
            ],
            "not_recorded_listings": .array(
                diff.notRecordedListings.map {
                    [
                        "side": .string($0.side), "kind": .string($0.listing.kind),
                        "parent": $0.listing.parentKey.map { .string($0) } ?? .null,
                        "listing": .string($0.listing.listing), "error": .string($0.listing.error),
                    ]
                }),
            "resources": .array(diff.changes.map(resourceJSON)),
        ]
    }

    static func snapshotJSON(_ snapshot: SnapshotInfo) -> JSONValue {
        ["digest": .string(snapshot.digest), "captured_at": .string(snapshot.capturedAt), "complete": .bool(snapshot.isComplete)]
    }

    static func resourceJSON(_ change: ResourceChange) -> JSONValue {
        func text(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
        return [
            "kind": .string(change.kind), "key": .string(change.key), "name": .string(change.name),
            "old_name": text(change.oldName), "new_name": text(change.newName), "app": text(change.appKey),
            "change": .string(change.change.rawValue), "old_digest": text(change.oldDigest),
            "new_digest": text(change.newDigest), "fields": .array(change.fieldChanges.map(fieldJSON)),
        ]
    }

    static func fieldJSON(_ field: FieldChange) -> JSONValue {
        var members: [String: JSONValue] = [
            "path": .string(field.path.description), "segments": field.path.jsonValue,
            "change": .string(field.operation), "volatile": .bool(field.isVolatile),
        ]
        members["old"] = field.old
        members["new"] = field.new
        return .object(members)
    }

    private static func count(_ value: Int) -> JSONValue { .number(Double(value)) }

    // MARK: - JSON Patch

    /// Renders one RFC 6902 patch per reported resource, computed on the full stored bodies whatever
    /// the volatility policy, so applying a `changed` resource's patch to its old body yields
    /// exactly its new body. An added resource's patch is one `add` at the root (the whole
    /// new body); removed and not-recorded resources have a `null` patch.
    /// - Throws: `StoreError` when a body cannot be read.
    public static func jsonPatch(_ diff: SnapshotDiff, store: SnapshotStore) throws -> String {
        var resources: [JSONValue] = []
        for change in diff.changes {
            var record = resourceJSON(change).objectValue!
            record["fields"] = nil
            record["patch"] = try patch(for: change, store: store)
            resources.append(.object(record))
        }
        let document: JSONValue = [
            "format": .string(jsonPatchFormat), "from": snapshotJSON(diff.from), "to": snapshotJSON(diff.to),
            "resources": .array(resources),
        ]
        return PrettyJSON.encode(document)
    }

    private static func patch(for change: ResourceChange, store: SnapshotStore) throws -> JSONValue {
        switch change.change {
        case .changed:
            let old = try store.object(change.oldDigest!)
            let new = try store.object(change.newDigest!)
            return .array(JSONPatch.make(from: old, to: new))
        case .added:
            return [["op": "add", "path": "", "value": try store.object(change.newDigest!)]]
        case .removed, .notRecorded:
            return .null
        }
    }

    // MARK: - Shared wording

    /// Formats a value as compact JSON, shortened past `limit` characters, or `(absent)` for nil.
    static func valueText(_ value: JSONValue?, limit: Int = valueLimit) -> String {
        guard let value else { return "(absent)" }
        let bytes = CanonicalJSON.encode(value)
        // A string has at most as many characters as UTF-8 bytes, so most values are known
        // to fit without counting their characters.
        guard bytes.count > limit else { return String(decoding: bytes, as: UTF8.self) }
        // In ASCII text each byte is one character, because compact JSON escapes the carriage
        // return and line feed that would pair into one. Other text is counted once, by walking it.
        if bytes.allSatisfy({ $0 < 0x80 }) {
            return String(decoding: bytes.prefix(limit), as: UTF8.self) + "… (\(bytes.count) characters)"
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let characterCount = text.count
        guard characterCount > limit else { return text }
        return String(text.prefix(limit)) + "… (\(characterCount) characters)"
    }

    /// `1 added, 2 changed`, listing only the kinds of change that occur, or `no differences`.
    static func summaryText(_ diff: SnapshotDiff) -> String {
        let parts = ResourceChangeKind.allCases.compactMap { kind -> String? in
            let number = diff.count(kind)
            return number == 0 ? nil : "\(number) \(kind == .notRecorded ? "not recorded" : kind.rawValue)"
        }
        return parts.isEmpty ? "no differences" : parts.joined(separator: ", ")
    }

    /// Returns the sentence about hidden volatile changes, or nil when nothing was hidden.
    static func hiddenText(_ diff: SnapshotDiff) -> String? {
        hiddenCounts(diff).map { "hidden: \($0); --all-fields shows them" }
    }

    /// Returns the counts of hidden resources and field changes as words, or nil when nothing
    /// was hidden.
    static func hiddenCounts(_ diff: SnapshotDiff) -> String? {
        var parts: [String] = []
        if diff.hiddenResourceCount > 0 {
            let resources = diff.hiddenResourceCount == 1 ? "1 resource that" : "\(diff.hiddenResourceCount) resources that"
            parts.append("\(resources) changed only in volatile fields")
        }
        if diff.hiddenFieldCount > 0 {
            let fields = diff.hiddenFieldCount == 1 ? "1 volatile field change" : "\(diff.hiddenFieldCount) volatile field changes"
            parts.append(parts.isEmpty ? fields : "\(fields) in the resources listed")
        }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }
}
