extension SnapshotStore {
    /// The entry of the resource `kind`/`key` in `snapshot`, or nil when the snapshot has no
    /// such resource. Reads one leaf of the kind's tree, not the whole kind.
    public func entry(kind: String, key: String, in snapshot: SnapshotInfo) throws -> ResourceEntry? {
        guard let treeDigest = try kindTrees(of: snapshot)[kind] else { return nil }
        return try entry(kind: kind, key: key, treeDigest: treeDigest)
    }

    /// The entry with `key` in the kind tree `treeDigest`, or nil.
    public func entry(kind: String, key: String, treeDigest: String) throws -> ResourceEntry? {
        let leaves = try SnapshotTree.leaves(treeDigest: treeDigest, in: self)
        let leaf = leaves[""] ?? leaves[SnapshotTree.bucket(of: key)]
        guard let leaf else { return nil }
        return try SnapshotTree.entries(kind: kind, treeDigest: leaf, in: self).first { $0.key == key }
    }
}
