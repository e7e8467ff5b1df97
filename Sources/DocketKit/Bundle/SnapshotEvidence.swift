/// The files of one snapshot folder, `data/snapshots/<time>/`: each resource's stored JSON
/// as `<kind>/<name>.json`, and `resources.json`, the index that ties each file to its key,
/// name and digest.
///
/// `resources.json` depends only on the snapshot's tree, and a resource file only on its
/// content, so a snapshot identical to an earlier one yields identical files, which the bundle
/// stores once and links.
///
/// Preparing the folder (reading its tree and rendering `resources.json`) needs no sink, so
/// the bundle prepares the next folder on another thread while it writes this one.
struct SnapshotEvidence: Sendable {
    enum File: Sendable {
        /// `resources.json`, rendered.
        case index(path: String, bytes: [UInt8])
        /// A resource file: the rendering of the store object `digest`.
        case resource(path: String, digest: String)
    }

    let snapshot: BundledSnapshot
    /// The folder's files in bundle order.
    let files: [File]

    /// Reads the snapshot's tree from `store` and renders `resources.json`. Resource bodies
    /// are read when the folder is written, and only for objects the bundle has not stored yet.
    static func prepare(_ snapshot: BundledSnapshot, store: SnapshotStore) throws -> SnapshotEvidence {
        let entries = try store.entries(of: snapshot.info)
        let treeKinds = try store.kindTrees(of: snapshot.info).keys.sorted()
        let byKind = Dictionary(grouping: entries, by: \.kind)
        let names = byKind.mapValues(BagLayout.resourceFileNames)
        let folderEntries = (Array(byKind.keys) + [BagLayout.snapshotIndex]).sorted { BagLayout.precedes($0, $1) }
        var files: [File] = []
        files.reserveCapacity(entries.count + 1)
        for name in folderEntries {
            if name == BagLayout.snapshotIndex {
                let index = Self.index(
                    entries: entries, byKind: byKind, names: names, kinds: treeKinds, treeDigest: snapshot.info.treeDigest)
                files.append(.index(path: "\(snapshot.folderPath)/\(name)", bytes: Array(PrettyJSON.encode(index).utf8)))
            } else {
                let kindFiles = zip(names[name] ?? [], byKind[name] ?? []).sorted { BagLayout.precedes($0.0, $1.0) }
                for (fileName, entry) in kindFiles {
                    files.append(.resource(path: "\(snapshot.folderPath)/\(name)/\(fileName)", digest: entry.digest))
                }
            }
        }
        return SnapshotEvidence(snapshot: snapshot, files: files)
    }

    /// Sends the folder's files to `sink` in bundle order, rendering from `store` each
    /// resource the sink has not seen.
    func emit(to sink: PayloadSink, store: SnapshotStore) throws {
        for file in files {
            switch file {
            case .index(let path, let bytes):
                try sink.addFile(path, bytes: bytes)
            case .resource(let path, let digest):
                try sink.addStoredObject(path, objectDigest: digest) {
                    Array(PrettyJSON.encode(try store.object(digest)).utf8)
                }
            }
        }
    }

    /// `resources.json`: the root tree digest, the kinds the tree lists, and every entry with
    /// the fields its tree leaf stores (`key`, `name`, `digest`, `parent`, `app`) plus its
    /// `kind` and `file`, so the tree digest can be recomputed from the bundle alone.
    private static func index(
        entries: [ResourceEntry], byKind: [String: [ResourceEntry]], names: [String: [String]], kinds: [String],
        treeDigest: String
    ) -> JSONValue {
        var fileByKindKey: [String: String] = [:]
        for (kind, kindEntries) in byKind {
            for (entry, name) in zip(kindEntries, names[kind] ?? []) {
                fileByKindKey[kind + "\u{0}" + entry.key] = "\(kind)/\(name)"
            }
        }
        let list: [JSONValue] = entries.map { entry in
            var value = entry.treeValue.objectValue ?? [:]
            value["kind"] = .string(entry.kind)
            value["file"] = .string(fileByKindKey[entry.kind + "\u{0}" + entry.key] ?? "")
            return .object(value)
        }
        return ["tree": .string(treeDigest), "kinds": .array(kinds.map { .string($0) }), "resources": .array(list)]
    }
}
