/// Compares two snapshots of a store, resource by resource and field by field.
///
/// Resources are matched by kind and key (the Heroku id), so a rename is a change of `name`.
/// Kind trees and tree leaves with equal digests are skipped without being read, and only
/// the bodies of resources whose digests differ are loaded.
public struct SnapshotDiffer {
    public let store: SnapshotStore
    public let policy: VolatilityPolicy
    /// True when no later diff reads the same tree leaves, as in `docket diff`. Leaves are
    /// then not kept in the store's cache, and entries equal on both sides never become
    /// values. A bundle diffs each snapshot with the next, which reads each leaf twice, so it
    /// keeps them.
    public var readsLeavesOnce = false
    /// Whether a diff counts resources whose versions share a volatile anchor without reading
    /// them (see `VolatileAnchors`). A bundle's change files are computed from the bodies
    /// alone, because the anchors are not evidence and its store check does not check them.
    public var usesVolatileAnchors = true

    public init(store: SnapshotStore, policy: VolatilityPolicy = .default) {
        self.store = store
        self.policy = policy
    }

    /// Compares `from` with `to` over the resources `filter` selects. Volatile
    /// field changes are counted and left out unless `includeVolatile`.
    ///
    /// When the snapshots have volatile anchors recorded under this differ's policy (see
    /// `VolatileAnchors`), a resource whose two versions share an anchor is counted as
    /// changed only in volatile fields without either version being read.
    ///
    /// With a `reader`, a second connection to the same store, another thread compares pairs
    /// of differing leaves on it, taking each next pair as the two threads finish theirs. The
    /// result is the same.
    /// - Throws: `StoreError` when a tree or body cannot be read.
    public func diff(
        from: SnapshotInfo, to: SnapshotInfo, filter: DiffFilter = .everything, includeVolatile: Bool = false,
        reader: SnapshotStore? = nil
    ) throws -> SnapshotDiff {
        var result = SnapshotDiff(
            from: from, to: to, filter: filter, includesVolatile: includeVolatile, policy: policy, changes: [],
            hiddenFieldCount: 0, hiddenResourceCount: 0, bodiesLoaded: 0)
        guard from.treeDigest != to.treeDigest else { return result }
        let anchors = includeVolatile || !usesVolatileAnchors ? nil : try anchorPair(from: from, to: to)

        let oldTrees = try store.kindTrees(of: from)
        let newTrees = try store.kindTrees(of: to)
        let kinds = Set(oldTrees.keys).union(newTrees.keys).filter(filter.includes(kind:))
        var pairs: [DifferingLeaves] = []
        for kind in kinds.sorted() where oldTrees[kind] != newTrees[kind] {
            pairs += try store.differingLeaves(kind: kind, oldTree: oldTrees[kind], newTree: newTrees[kind])
        }
        // Pairs differ in cost (changes concentrate in some kinds), so each thread takes the
        // next pair when it is done with its last, and neither waits long for the other.
        let shared = reader.map { reader in
            var other = SnapshotDiffer(store: reader, policy: policy)
            other.readsLeavesOnce = readsLeavesOnce
            return Lent(other)
        }
        let positions = WorkPositions(count: pairs.count)
        let partial = result
        let worker = shared.map { [pairs] other in
            BackgroundWork { try other.value.compare(pairs, taking: positions, filter: filter, anchors: anchors, into: partial) }
        }
        do {
            result = try compare(pairs, taking: positions, filter: filter, anchors: anchors, into: result)
        } catch {
            _ = try? worker?.wait()
            throw error
        }
        if let other = try worker?.wait() {
            result.changes += other.changes
            result.hiddenFieldCount += other.hiddenFieldCount
            result.hiddenResourceCount += other.hiddenResourceCount
            result.bodiesLoaded += other.bodiesLoaded
        }

        result.changes = Self.sortedForOutput(result.changes)
        return result
    }

    /// Returns the volatile anchors of both snapshots recorded under this differ's policy, or
    /// nil when neither has any. On a side without them each version is its own anchor, so a
    /// version whose anchor on the other side is that version is still found.
    private func anchorPair(from: SnapshotInfo, to: SnapshotInfo) throws -> AnchorPair? {
        let fingerprint = policy.anchorFingerprint
        let old = try store.volatileAnchors(of: from, fingerprint: fingerprint)
        let new = try store.volatileAnchors(of: to, fingerprint: fingerprint)
        guard old != nil || new != nil else { return nil }
        let none = VolatileAnchors(policy: fingerprint)
        return AnchorPair(old: old ?? none, new: new ?? none)
    }

    /// The volatile anchors of the two snapshots a diff compares.
    private struct AnchorPair: Sendable {
        let old: VolatileAnchors
        let new: VolatileAnchors

        /// Returns true when the two versions share an anchor, so they differ only in volatile
        /// fields.
        func shareAnchor(_ oldEntry: ResourceEntry, _ newEntry: ResourceEntry) -> Bool {
            old.anchor(of: oldEntry) == new.anchor(of: newEntry)
        }
    }

    /// Sorts changes by kind (in `ResourceKind.all` order), name and key. Each change's key is
    /// built once, because comparing tuples of the changes' fields copied both changes for
    /// every comparison: 28 ms of a 450 ms diff of the benchmark's large account, now 7 ms.
    static func sortedForOutput(_ changes: [ResourceChange]) -> [ResourceChange] {
        var keys = changes.indices.map { OutputKey(changes[$0], position: $0) }
        keys.sort()
        return keys.map { changes[$0.position] }
    }

    /// The sort key of a change: its place in the output, then its position in the unsorted
    /// list, which keeps the sort stable.
    private struct OutputKey: Comparable {
        let kindOrder: Int
        let kind: String
        let name: String
        let key: String
        let position: Int

        init(_ change: ResourceChange, position: Int) {
            kindOrder = ResourceKind.order(of: change.kind)
            kind = change.kind
            name = change.name
            key = change.key
            self.position = position
        }

        static func < (left: OutputKey, right: OutputKey) -> Bool {
            if left.kindOrder != right.kindOrder { return left.kindOrder < right.kindOrder }
            if left.kind != right.kind { return left.kind < right.kind }
            if left.name != right.name { return left.name < right.name }
            if left.key != right.key { return left.key < right.key }
            return left.position < right.position
        }
    }

    /// Compares the entries of the pairs of leaves at the positions this thread takes, adding
    /// to `result`. A failure stops the other thread too.
    private func compare(
        _ pairs: [DifferingLeaves], taking positions: WorkPositions, filter: DiffFilter, anchors: AnchorPair?,
        into result: SnapshotDiff
    ) throws -> SnapshotDiff {
        do {
            return try store.withConsistentRead {
                var result = result
                while let position = positions.take() {
                    let pair = pairs[position]
                    let (old, new) = try readsLeavesOnce ? store.differingEntries(of: pair) : store.entries(of: pair)
                    try compare(old: old, new: new, filter: filter, anchors: anchors, into: &result)
                }
                return result
            }
        } catch {
            positions.stop()
            throw error
        }
    }

    /// Returns the field changes between two versions of one resource, volatile ones included
    /// and flagged by the policy.
    public func fieldChanges(kind: String, old: JSONValue, new: JSONValue) -> [FieldChange] {
        let differ = FieldDiff(isOrdered: { policy.isOrdered(kind: kind, path: $0) })
        return differ.changes(old: old, new: new).map {
            var change = $0
            change.isVolatile =
                policy.isVolatile(kind: kind, path: change.path) || policy.isReferenceRename(change.path, old: old, new: new)
            return change
        }
    }

    /// Compares two lists of entries of one kind by walking both in key order, so that only
    /// entries whose digests differ cost more than a string comparison. A key listed twice on
    /// one side, which Docket never writes, counts once, with its first entry. A resource
    /// whose versions share an anchor in `anchors` is counted as hidden without being read.
    private func compare(
        old: [ResourceEntry], new: [ResourceEntry], filter: DiffFilter, anchors: AnchorPair?, into result: inout SnapshotDiff
    ) throws {
        let old = Self.sortedByKey(old)
        let new = Self.sortedByKey(new)
        var oldIndex = 0
        var newIndex = 0
        while oldIndex < old.count || newIndex < new.count {
            var oldEntry = oldIndex < old.count ? old[oldIndex] : nil
            var newEntry = newIndex < new.count ? new[newIndex] : nil
            if let oldKey = oldEntry?.key, let newKey = newEntry?.key, oldKey != newKey {
                // The smaller key is absent from the other side.
                if oldKey < newKey { newEntry = nil } else { oldEntry = nil }
            }
            if let oldEntry {
                oldIndex = Self.index(after: oldIndex, skippingKey: oldEntry.key, in: old)
            }
            if let newEntry {
                newIndex = Self.index(after: newIndex, skippingKey: newEntry.key, in: new)
            }
            guard oldEntry?.digest != newEntry?.digest else { continue }
            let isIncluded = (oldEntry.map(filter.includes) ?? false) || (newEntry.map(filter.includes) ?? false)
            guard isIncluded else { continue }
            if let oldEntry, let newEntry {
                if let anchors, anchors.shareAnchor(oldEntry, newEntry) {
                    result.hiddenResourceCount += 1
                    continue
                }
                try compareBodies(oldEntry, newEntry, into: &result)
            } else if let oldEntry {
                let isUnknown = try store.isNotRecorded(oldEntry, in: result.to)
                result.changes.append(change(oldEntry, nil, isUnknown ? .notRecorded : .removed))
            } else if let newEntry {
                let isUnknown = try store.isNotRecorded(newEntry, in: result.from)
                result.changes.append(change(nil, newEntry, isUnknown ? .notRecorded : .added))
            }
        }
    }

    /// Returns `entries` sorted by key. Trees are stored sorted, so this only checks them,
    /// and the sort keeps entries with the same key in their order.
    private static func sortedByKey(_ entries: [ResourceEntry]) -> [ResourceEntry] {
        let isSorted = zip(entries, entries.dropFirst()).allSatisfy { $0.key <= $1.key }
        guard !isSorted else { return entries }
        return entries.enumerated().sorted { ($0.element.key, $0.offset) < ($1.element.key, $1.offset) }.map(\.element)
    }

    /// Returns the index of the first entry after `index` whose key is not `key`.
    private static func index(after index: Int, skippingKey key: String, in entries: [ResourceEntry]) -> Int {
        var next = index + 1
        while next < entries.count && entries[next].key == key {
            next += 1
        }
        return next
    }

    private func compareBodies(_ oldEntry: ResourceEntry, _ newEntry: ResourceEntry, into result: inout SnapshotDiff) throws {
        let (oldBody, newBody) = try store.changedMembers(of: oldEntry, newEntry)
        result.bodiesLoaded += 2
        let all = fieldChanges(kind: newEntry.kind, old: oldBody, new: newBody)
        let reported = result.includesVolatile ? all : all.filter { !$0.isVolatile }
        if reported.isEmpty {
            // No change at all means only the order of an unordered array moved.
            if !all.isEmpty { result.hiddenResourceCount += 1 }
            return
        }
        // Counted only for listed resources, since the fields of a resource that changed only
        // in volatile fields may never be read (see `VolatileAnchors`).
        result.hiddenFieldCount += all.count - reported.count
        var resourceChange = change(oldEntry, newEntry, .changed)
        resourceChange.fieldChanges = reported
        result.changes.append(resourceChange)
    }

    private func change(_ old: ResourceEntry?, _ new: ResourceEntry?, _ kind: ResourceChangeKind) -> ResourceChange {
        let entry = (new ?? old)!
        return ResourceChange(
            kind: entry.kind, key: entry.key, oldName: old?.name, newName: new?.name, appKey: new?.appKey ?? old?.appKey,
            change: kind, oldDigest: old?.digest, newDigest: new?.digest)
    }
}

extension SnapshotStore {
    /// Reads the bodies of two versions of one resource and parses only their top-level
    /// members whose bytes differ (see `ChangedMembers`).
    /// - Throws: `StoreError.corrupt` when a body is missing or is not JSON.
    func changedMembers(of old: ResourceEntry, _ new: ResourceEntry) throws -> (old: JSONValue, new: JSONValue) {
        guard let oldBytes = try objectBytes(old.digest) else { throw StoreError.corrupt("object \(old.digest) is missing") }
        guard let newBytes = try objectBytes(new.digest) else { throw StoreError.corrupt("object \(new.digest) is missing") }
        do {
            return try ChangedMembers.parse(old: oldBytes, new: newBytes)
        } catch {
            // Parsed whole, the body that is not JSON names itself.
            _ = try Self.parseObject(oldBytes, digest: old.digest)
            _ = try Self.parseObject(newBytes, digest: new.digest)
            throw StoreError.corrupt("object \(old.digest) or \(new.digest) is not JSON: \(error)")
        }
    }

    /// True when the state of `entry`'s resource in `snapshot` is unknown. That is so when the
    /// listing that would hold it failed there. It is also so when the app listing failed and
    /// the resource's app is absent from `snapshot`, because none of its listings were read.
    public func isNotRecorded(_ entry: ResourceEntry, in snapshot: SnapshotInfo) throws -> Bool {
        if snapshot.isNotRecorded(kind: entry.kind, parentKey: entry.parentKey) {
            return true
        }
        guard let appKey = entry.appKey, entry.kind != ResourceKind.app,
            snapshot.isNotRecorded(kind: ResourceKind.app, parentKey: nil)
        else { return false }
        return try self.entry(kind: ResourceKind.app, key: appKey, in: snapshot) == nil
    }
}
