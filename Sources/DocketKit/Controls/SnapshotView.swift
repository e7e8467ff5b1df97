/// Read access to one snapshot for the controls: entries per kind and bodies by digest, each
/// loaded once, and the listings the capture could not read.
final class SnapshotView {
    let store: SnapshotStore
    let snapshot: SnapshotInfo
    private var entriesByKind: [String: [ResourceEntry]] = [:]
    private var bodies: [String: JSONValue] = [:]
    /// Bodies parsed for an earlier snapshot, by digest. Consecutive snapshots share most of
    /// their bodies, and a digest names the same body in every snapshot.
    private let earlierBodies: [String: JSONValue]
    /// The digests of the bodies read as empty because they no longer match their digest.
    private(set) var damagedDigests: Set<String> = []

    init(store: SnapshotStore, snapshot: SnapshotInfo, earlierBodies: [String: JSONValue] = [:]) {
        self.store = store
        self.snapshot = snapshot
        self.earlierBodies = earlierBodies
    }

    /// The bodies this view read intact, by digest, for the view of the next snapshot.
    var intactBodies: [String: JSONValue] {
        bodies.filter { !damagedDigests.contains($0.key) }
    }

    /// The entries of `kind`, sorted by key.
    func entries(_ kind: String) throws -> [ResourceEntry] {
        if let cached = entriesByKind[kind] { return cached }
        let loaded = try store.entries(of: snapshot, kind: kind)
        entriesByKind[kind] = loaded
        return loaded
    }

    /// The body of `entry`. An altered object reads as an empty object, so the controls that
    /// need its fields report `error`, never `pass`, and `evidence-store-intact` names it.
    func body(_ entry: ResourceEntry) throws -> JSONValue {
        if let cached = bodies[entry.digest] { return cached }
        let loaded: JSONValue
        do {
            loaded = try earlierBodies[entry.digest] ?? store.body(of: entry)
        } catch StoreError.corrupt {
            loaded = .object([:])
            damagedDigests.insert(entry.digest)
        }
        bodies[entry.digest] = loaded
        return loaded
    }

    /// The entries of `kind` with their bodies.
    func resources(_ kind: String) throws -> [(entry: ResourceEntry, body: JSONValue)] {
        try entries(kind).map { ($0, try body($0)) }
    }

    /// The failed listing that would have returned resources of `kind` under any of
    /// `parents`, or under no parent; nil when that data was recorded.
    func notRecorded(_ kind: String, parents: [String?] = [nil]) -> NotRecordedListing? {
        snapshot.notRecorded.first { listing in
            parents.contains { listing.covers(kind: kind, parentKey: $0) }
        }
    }

    /// Every failed listing of `kind`, whatever its parent.
    func notRecordedListings(_ kind: String) -> [NotRecordedListing] {
        snapshot.notRecorded.filter { $0.kind == kind }
    }

    /// The resources of `kind` that belong to the app `appKey`: by the entry's app or parent
    /// key, else by the body's `app.id`.
    func resources(_ kind: String, ofApp appKey: String) throws -> [(entry: ResourceEntry, body: JSONValue)] {
        try resources(kind).filter { resource in
            if let owner = resource.entry.appKey ?? resource.entry.parentKey { return owner == appKey }
            return resource.body.value(atPath: "app.id")?.stringValue == appKey
        }
    }
}

extension NotRecordedListing {
    /// The listing as a result's subject: which request failed, and for which parent.
    var evidence: EvidenceReference {
        EvidenceReference(kind: "listing", key: parentKey, name: listing, digest: nil)
    }

    /// "GET /apps/{app}/domains failed (HTTP 503)" for messages.
    var sentence: String {
        let detail = error.isEmpty ? "" : " (\(error))"
        return "the listing \(listing)\(parentKey.map { " for \($0)" } ?? "") was not read in this snapshot\(detail)"
    }
}
