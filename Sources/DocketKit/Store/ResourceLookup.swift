extension SnapshotStore {
    /// Finds one resource of `kind` in `snapshot` by Heroku id (or key) or by current name.
    /// - Throws: `DocketError` (failure) naming the kind and value when nothing matches, or
    ///   listing the keys when a name matches several resources.
    public func findResource(kind: String, nameOrID: String, in snapshot: SnapshotInfo) throws -> ResourceEntry {
        let entries = try entries(of: snapshot, kind: kind)
        if let byKey = entries.first(where: { $0.key == nameOrID }) {
            return byKey
        }
        let byName = entries.filter { $0.name == nameOrID }
        if byName.count == 1 {
            return byName[0]
        }
        if byName.count > 1 {
            throw DocketError(
                .failure,
                "\(byName.count) \(kind) resources are named \"\(nameOrID)\" in snapshot \(snapshot.shortDigest); give the id instead: \(byName.map(\.key).joined(separator: ", "))")
        }
        throw DocketError(
            .failure,
            "no \(kind) named \"\(nameOrID)\" or with that id in snapshot \(snapshot.shortDigest) (\(snapshot.capturedAt)). List them with `docket show \(snapshot.shortDigest) \(kind)`.")
    }
}
