/// The files of one snapshot folder, `data/snapshots/<time>/`: each resource's stored JSON
/// as `<kind>/<name>.json`, and `resources.json`, the index that ties each file to its key,
/// name and digest.
///
/// `resources.json` depends only on the snapshot's tree, and a resource file only on its
/// content, so a snapshot identical to an earlier one yields identical files, which the bundle
/// stores once and links.
struct SnapshotEvidence {
    let snapshot: BundledSnapshot
    let store: SnapshotStore

    /// Sends the folder's files to `sink` in bundle order.
    func emit(to sink: PayloadSink) throws {
        let entries = try store.entries(of: snapshot.info)
        let treeKinds = try store.kindTrees(of: snapshot.info).keys.sorted()
        let byKind = Dictionary(grouping: entries, by: \.kind)
        let names = byKind.mapValues(BagLayout.resourceFileNames)
        let folderEntries = (Array(byKind.keys) + [BagLayout.snapshotIndex]).sorted { BagLayout.precedes($0, $1) }
        for name in folderEntries {
            if name == BagLayout.snapshotIndex {
                let index = Self.index(
                    entries: entries, byKind: byKind, names: names, kinds: treeKinds, treeDigest: snapshot.info.treeDigest)
                try sink.addFile("\(snapshot.folderPath)/\(name)", bytes: Array(PrettyJSON.encode(index).utf8))
            } else {
                try emitKind(name, entries: byKind[name] ?? [], fileNames: names[name] ?? [], to: sink)
            }
        }
    }

    private func emitKind(_ kind: String, entries: [ResourceEntry], fileNames: [String], to sink: PayloadSink) throws {
        let files = zip(fileNames, entries).sorted { BagLayout.precedes($0.0, $1.0) }
        for (fileName, entry) in files {
            try sink.addStoredObject("\(snapshot.folderPath)/\(kind)/\(fileName)", objectDigest: entry.digest) {
                Array(PrettyJSON.encode(try store.body(of: entry)).utf8)
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
