/// What happened to a resource in one snapshot of its history.
public enum HistoryEventKind: String, Sendable {
    /// First seen, or seen again after a removal.
    case appeared
    case changed
    case removed
    /// The listing that would hold the resource failed, so its state is unknown here; the
    /// next recorded state is compared with the last one known.
    case notRecorded = "not-recorded"
}

/// One snapshot where a resource changed.
public struct HistoryEvent: Sendable {
    public var snapshot: SnapshotInfo
    public var kind: HistoryEventKind
    /// The resource's name in this snapshot, or its last known name when it is absent.
    public var name: String
    /// The name in the previous recorded state, when it differs from `name`.
    public var previousName: String?
    /// The body digest in this snapshot, nil when absent or not recorded.
    public var digest: String?
    /// The fields that changed since the previous recorded state, for `changed` events.
    public var fieldChanges: [FieldChange]
}

/// A resource's timeline, from its first appearance to its removal.
public struct ResourceTimeline: Sendable {
    public var kind: String
    public var key: String
    /// Every name the resource has had, oldest first.
    public var names: [String]
    public var events: [HistoryEvent]
    public var includesVolatile: Bool
    /// Volatile field changes left out of `events`.
    public var hiddenFieldCount: Int
    /// Snapshots left out because every field that changed in them is volatile.
    public var hiddenSnapshotCount: Int
    /// Other resources of the kind that once had the name asked for, when the name was not
    /// unique over time: the timeline follows the one that had it most recently.
    public var otherMatches: [ResourceEntry]

    /// The newest name.
    public var name: String { names.last ?? key }
}

/// Builds a resource's timeline from the snapshots of a store.
///
/// The resource is found by id, by its current name or by any past name. Snapshots whose kind
/// tree has the digest of the previous snapshot's are skipped without being read.
public struct ResourceHistory {
    public let store: SnapshotStore
    public let policy: VolatilityPolicy

    public init(store: SnapshotStore, policy: VolatilityPolicy = .default) {
        self.store = store
        self.policy = policy
    }

    /// The timeline of the resource `kind`/`nameOrID`, listing events of snapshots captured
    /// from `since` to `until` (RFC 3339 UTC text, inclusive; nil for no bound). Changes
    /// before `since` still set the state the first listed event is compared with.
    /// - Throws: `DocketError` (usage) for an unknown kind, (failure) when no resource has that
    ///   id or name, or when several resources have the name in the same snapshot.
    public func timeline(
        kind: String, nameOrID: String, since: String? = nil, until: String? = nil, includeVolatile: Bool = false
    ) throws -> ResourceTimeline {
        guard ResourceKind.all.contains(kind) else {
            throw DocketError(.usage, "unknown kind \"\(kind)\": expected one of \(ResourceKind.all.joined(separator: ", ")).")
        }
        let snapshots = try store.snapshots()
        let (key, others) = try resolve(kind: kind, nameOrID: nameOrID, snapshots: snapshots)
        var builder = TimelineBuilder(
            timeline: ResourceTimeline(
                kind: kind, key: key, names: [], events: [], includesVolatile: includeVolatile, hiddenFieldCount: 0,
                hiddenSnapshotCount: 0, otherMatches: others),
            differ: SnapshotDiffer(store: store, policy: policy))
        var previousTree: String?
        for snapshot in snapshots where until.map({ snapshot.capturedAt <= $0 }) ?? true {
            let tree = try store.kindTrees(of: snapshot)[kind]
            let isListed = since.map { snapshot.capturedAt >= $0 } ?? true
            if tree != nil, tree == previousTree, !builder.isUnknown {
                continue
            }
            previousTree = tree
            let entry = try tree.map { try store.entry(kind: kind, key: key, treeDigest: $0) } ?? nil
            try builder.record(entry, in: snapshot, isListed: isListed)
        }
        return builder.timeline
    }

    /// The key of the resource with id `nameOrID`, else of the resource that had the name
    /// most recently, with the other resources that had the name before.
    private func resolve(kind: String, nameOrID: String, snapshots: [SnapshotInfo]) throws -> (String, [ResourceEntry]) {
        var visitedTrees: Set<String> = []
        var holders: [String: ResourceEntry] = [:]
        var newestHolders: (snapshot: SnapshotInfo, entries: [ResourceEntry])?
        for snapshot in snapshots.reversed() {
            guard let tree = try store.kindTrees(of: snapshot)[kind], visitedTrees.insert(tree).inserted else { continue }
            let entries = try store.entries(of: snapshot, kind: kind)
            if entries.contains(where: { $0.key == nameOrID }) {
                return (nameOrID, [])
            }
            let named = entries.filter { $0.name == nameOrID }
            if newestHolders == nil, !named.isEmpty {
                newestHolders = (snapshot, named)
            }
            for entry in named where holders[entry.key] == nil {
                holders[entry.key] = entry
            }
        }
        guard let newestHolders else {
            throw DocketError(
                .failure,
                "no \(kind) has the id or name \"\(nameOrID)\" in any snapshot. List them with `docket show latest \(kind)`.")
        }
        guard newestHolders.entries.count == 1 else {
            let keys = newestHolders.entries.map(\.key).sorted().joined(separator: ", ")
            throw DocketError(
                .failure,
                "\(newestHolders.entries.count) \(kind) resources are named \"\(nameOrID)\" in snapshot \(newestHolders.snapshot.shortDigest); give the id instead: \(keys)")
        }
        let key = newestHolders.entries[0].key
        let others = holders.values.filter { $0.key != key }.sorted { $0.key < $1.key }
        return (key, others)
    }
}

/// The state carried from snapshot to snapshot while a timeline is built.
private struct TimelineBuilder {
    var timeline: ResourceTimeline
    let differ: SnapshotDiffer
    /// The last recorded entry, nil before the first appearance and after a removal.
    var lastKnown: ResourceEntry?
    /// True while the resource's listing keeps failing.
    var isUnknown = false

    init(timeline: ResourceTimeline, differ: SnapshotDiffer) {
        self.timeline = timeline
        self.differ = differ
    }

    mutating func record(_ entry: ResourceEntry?, in snapshot: SnapshotInfo, isListed: Bool) throws {
        if let entry {
            try recordPresent(entry, in: snapshot, isListed: isListed)
            return
        }
        guard let lastKnown else { return }
        if try differ.store.isNotRecorded(lastKnown, in: snapshot) {
            if !isUnknown, isListed {
                append(.notRecorded, snapshot: snapshot, name: lastKnown.name, digest: nil)
            }
            isUnknown = true
            return
        }
        if isListed {
            append(.removed, snapshot: snapshot, name: lastKnown.name, digest: nil)
        }
        self.lastKnown = nil
        isUnknown = false
    }

    private mutating func recordPresent(_ entry: ResourceEntry, in snapshot: SnapshotInfo, isListed: Bool) throws {
        defer {
            lastKnown = entry
            isUnknown = false
            if timeline.names.last != entry.name { timeline.names.append(entry.name) }
        }
        guard let lastKnown else {
            if isListed { append(.appeared, snapshot: snapshot, name: entry.name, digest: entry.digest) }
            return
        }
        guard lastKnown.digest != entry.digest else { return }
        let store = differ.store
        let all = differ.fieldChanges(kind: entry.kind, old: try store.body(of: lastKnown), new: try store.body(of: entry))
        let reported = timeline.includesVolatile ? all : all.filter { !$0.isVolatile }
        guard isListed else { return }
        timeline.hiddenFieldCount += all.count - reported.count
        if reported.isEmpty {
            if !all.isEmpty { timeline.hiddenSnapshotCount += 1 }
            return
        }
        var event = HistoryEvent(
            snapshot: snapshot, kind: .changed, name: entry.name, previousName: nil, digest: entry.digest, fieldChanges: reported)
        if lastKnown.name != entry.name { event.previousName = lastKnown.name }
        timeline.events.append(event)
    }

    private mutating func append(_ kind: HistoryEventKind, snapshot: SnapshotInfo, name: String, digest: String?) {
        timeline.events.append(
            HistoryEvent(snapshot: snapshot, kind: kind, name: name, previousName: nil, digest: digest, fieldChanges: []))
    }
}
