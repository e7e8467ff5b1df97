/// What happened to one resource between two snapshots.
public enum ResourceChangeKind: String, Sendable, CaseIterable {
    case added
    case removed
    case changed
    /// The listing that would hold the resource failed on one side, so its state there is
    /// unknown. Such a resource is never reported as removed or added.
    case notRecorded = "not-recorded"
}

/// One resource that differs between two snapshots, matched by kind and key (its Heroku id),
/// so a renamed resource is one change with both names.
public struct ResourceChange: Sendable, Hashable {
    public var kind: String
    public var key: String
    /// The name in the old snapshot, nil when the resource is absent there.
    public var oldName: String?
    /// The name in the new snapshot, nil when the resource is absent there.
    public var newName: String?
    /// The key of the app the resource belongs to, if any.
    public var appKey: String?
    public var change: ResourceChangeKind
    /// Digests of the stored bodies; the side where the resource is absent or not recorded
    /// has none.
    public var oldDigest: String?
    public var newDigest: String?
    /// The changed fields of a `changed` resource, as reported: volatile ones are included
    /// only when the diff includes every field. Empty for the other kinds of change.
    public var fieldChanges: [FieldChange]

    public init(
        kind: String, key: String, oldName: String?, newName: String?, appKey: String?, change: ResourceChangeKind,
        oldDigest: String?, newDigest: String?, fieldChanges: [FieldChange] = []
    ) {
        self.kind = kind
        self.key = key
        self.oldName = oldName
        self.newName = newName
        self.appKey = appKey
        self.change = change
        self.oldDigest = oldDigest
        self.newDigest = newDigest
        self.fieldChanges = fieldChanges
    }

    /// The name to show: the newest one known.
    public var name: String { newName ?? oldName ?? key }

    public var isRenamed: Bool {
        if let oldName, let newName { return oldName != newName }
        return false
    }

    /// `old → new` for a renamed resource, else its name.
    public var displayName: String {
        isRenamed ? "\(oldName!) → \(newName!)" : name
    }
}

/// Which resources a diff covers.
public struct DiffFilter: Sendable, Hashable {
    /// Kinds to compare; empty means every kind.
    public var kinds: Set<String>
    /// The key of the app whose resources to compare (the app itself and everything whose
    /// `appKey` is that app), or nil for every resource.
    public var appKey: String?

    public init(kinds: Set<String> = [], appKey: String? = nil) {
        self.kinds = kinds
        self.appKey = appKey
    }

    public static let everything = DiffFilter()

    public func includes(kind: String) -> Bool {
        kinds.isEmpty || kinds.contains(kind)
    }

    public func includes(_ entry: ResourceEntry) -> Bool {
        guard includes(kind: entry.kind) else { return false }
        guard let appKey else { return true }
        return entry.appKey == appKey || (entry.kind == ResourceKind.app && entry.key == appKey)
    }
}

/// The differences between two snapshots, after the volatility policy.
public struct SnapshotDiff: Sendable {
    public var from: SnapshotInfo
    public var to: SnapshotInfo
    public var filter: DiffFilter
    /// True when volatile fields were kept (`--all-fields`); they are then flagged, not hidden.
    public var includesVolatile: Bool
    public var policy: VolatilityPolicy
    /// Reported resources, sorted by kind (in `ResourceKind.all` order), name and key.
    public var changes: [ResourceChange]
    /// Volatile field changes left out of the field changes of the resources in `changes`.
    /// The fields of hidden resources are not counted: their versions may not have been read.
    public var hiddenFieldCount: Int
    /// Resources left out of `changes` because every field that changed in them is volatile.
    public var hiddenResourceCount: Int
    /// Resource bodies read from the store to compute the diff; resources whose digests are
    /// equal on both sides are never read.
    public var bodiesLoaded: Int

    public var isEmpty: Bool { changes.isEmpty }

    /// The number of reported resources with each kind of change.
    public func count(_ change: ResourceChangeKind) -> Int {
        changes.filter { $0.change == change }.count
    }

    /// The listings that failed in either snapshot and that the filter covers: with an app
    /// filter, those of that app and those of whole kinds.
    public var notRecordedListings: [(side: String, listing: NotRecordedListing)] {
        func covered(_ listing: NotRecordedListing) -> Bool {
            filter.includes(kind: listing.kind)
                && (filter.appKey == nil || listing.parentKey == nil || listing.parentKey == filter.appKey)
        }
        let old = from.notRecorded.filter(covered).map { (side: "from", listing: $0) }
        let new = to.notRecorded.filter(covered).map { (side: "to", listing: $0) }
        return old + new
    }
}

extension ResourceKind {
    /// The position of `kind` in `all`, for sorting output; unknown kinds sort last.
    static func order(of kind: String) -> Int {
        all.firstIndex(of: kind) ?? all.count
    }
}
