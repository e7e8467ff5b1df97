/// The files of one snapshot folder, `data/snapshots/<time>/`: each resource's stored JSON
/// as `<kind>/<name>.json`, and `resources.json`, the index that ties each file to its key,
/// name and digest.
///
/// `resources.json` depends only on the snapshot's tree, and a resource file only on its
/// content, so a snapshot identical to an earlier one yields identical files, which the bundle
/// stores once and links.
///
/// Preparing the folder (reading its tree, rendering `resources.json` and the resources new
/// since the folder before) needs no sink, so the bundle prepares the next folder on another
/// thread while it writes this one.
struct SnapshotEvidence: Sendable {
    enum File: Sendable {
        /// `resources.json`, rendered and hashed. Each snapshot's differs, so it is hashed
        /// where it is rendered, on the thread that prepares the folder.
        case index(path: String, hashed: HashedBytes)
        /// A resource file: the rendering of the store object `digest`, with its digest packed
        /// (nil unless SHA-256 hex) and its bytes when they were rendered in advance.
        case resource(path: String, digest: String, object: PackedSHA256?, rendered: [UInt8]?)
    }

    let snapshot: BundledSnapshot
    /// The folder's files in bundle order.
    let files: [File]
    /// The digests, file layouts and index that preparing the next folder takes from this one.
    let carried: Carried

    /// The digests of a folder's resources, the file layout of each kind and the folder's
    /// `resources.json`, for preparing the next folder, which usually lists the same resources
    /// under the same names.
    struct Carried: Sendable {
        let digests: Set<String>
        let layouts: [String: KindLayout]
        let index: IndexText?
    }

    /// The file names of one kind's resources, in the order of its entries, and the order of
    /// the files in the bundle, as positions in that list.
    struct KindLayout: Sendable, Equatable {
        let keys: [String]
        let names: [String]
        let fileNames: [String]
        let order: [Int]

        /// Returns the layout of `entries`, one kind's in tree order. It is `previous` when
        /// that lists the same keys with the same names, because a name depends only on those,
        /// and naming and sorting each snapshot's files again took a fifth of the time to
        /// prepare a folder.
        static func of(_ entries: [ResourceEntry], reusing previous: KindLayout?) -> KindLayout {
            if let previous, previous.keys.count == entries.count,
                entries.indices.allSatisfy({ entries[$0].key == previous.keys[$0] && entries[$0].name == previous.names[$0] })
            {
                return previous
            }
            let fileNames = BagLayout.resourceFileNames(entries)
            // The positions are sorted rather than (name, entry) pairs, which the sort would
            // copy, six strings each, for its comparisons and moves.
            let order = fileNames.indices.sorted { BagLayout.precedes(fileNames[$0], fileNames[$1]) }
            return KindLayout(keys: entries.map(\.key), names: entries.map(\.name), fileNames: fileNames, order: order)
        }
    }

    /// The maximum bytes of resources one folder renders in advance, which bounds the memory
    /// a day with many changes takes. The rest are rendered when written.
    static let renderBudget = 8 << 20

    /// Reads the snapshot's tree from `store` and renders `resources.json`. Given the digests
    /// of the folder before, it also renders the resources not among them, up to
    /// `renderBudget` bytes. Other resources are rendered when the folder is written, and
    /// only those the bundle has not stored yet.
    static func prepare(_ snapshot: BundledSnapshot, store: SnapshotStore, previous: Carried? = nil) throws -> SnapshotEvidence {
        let entries = try store.entries(of: snapshot.info)
        let treeKinds = try store.kindTrees(of: snapshot.info).keys.sorted()
        let byKind = Dictionary(grouping: entries, by: \.kind)
        var layouts: [String: KindLayout] = [:]
        for (kind, kindEntries) in byKind {
            layouts[kind] = KindLayout.of(kindEntries, reusing: previous?.layouts[kind])
        }
        let names = layouts.mapValues(\.fileNames)
        let folderEntries = (Array(byKind.keys) + [BagLayout.snapshotIndex]).sorted { BagLayout.precedes($0, $1) }
        var files: [File] = []
        files.reserveCapacity(entries.count + 1)
        var budget = previous == nil ? 0 : renderBudget
        var index: IndexText?
        for name in folderEntries {
            if name == BagLayout.snapshotIndex {
                let text = Self.indexText(
                    entries: entries, names: names, kinds: treeKinds, treeDigest: snapshot.info.treeDigest, reusing: previous?.index)
                files.append(.index(path: "\(snapshot.folderPath)/\(name)", hashed: HashedBytes(text.bytes)))
                index = text
            } else if let layout = layouts[name], let kindEntries = byKind[name] {
                let folder = "\(snapshot.folderPath)/\(name)/"
                for position in layout.order {
                    let fileName = layout.fileNames[position]
                    let entry = kindEntries[position]
                    var rendered: [UInt8]?
                    if budget > 0, previous?.digests.contains(entry.digest) == false {
                        rendered = try store.prettyObjectBytes(entry.digest)
                        budget -= rendered?.count ?? 0
                    }
                    files.append(
                        .resource(
                            path: folder + fileName, digest: entry.digest,
                            object: PackedSHA256(hex: entry.digest), rendered: rendered))
                }
            }
        }
        return SnapshotEvidence(
            snapshot: snapshot, files: files, carried: Carried(digests: Set(entries.map(\.digest)), layouts: layouts, index: index))
    }

    /// Sends the folder's files to `sink` in bundle order, rendering from `store` each
    /// resource the sink has not seen.
    func emit(to sink: PayloadSink, store: SnapshotStore) throws {
        for file in files {
            switch file {
            case .index(let path, let hashed):
                try sink.addFile(path, hashed: hashed)
            case .resource(let path, let digest, let object, let rendered):
                try sink.addStoredObject(path, object: object) {
                    try rendered ?? store.prettyObjectBytes(digest)
                }
            }
        }
    }

    /// A folder's `resources.json` and the range of each entry's object in it, so that the
    /// next folder can copy the objects of the entries that did not change.
    struct IndexText: Sendable {
        let bytes: [UInt8]
        let entries: [ResourceEntry]
        /// Each entry's file name, nil when `names` gave it none.
        let fileNames: [String?]
        let ranges: [Range<Int>]

        /// Returns the object of the entry at `position` in `entries`, or nil when that is not
        /// `entry` with `fileName`. `position` moves past the entries that sort before `entry`,
        /// which both folders list by kind and then key.
        func object(of entry: ResourceEntry, fileName: String?, after position: inout Int) -> ArraySlice<UInt8>? {
            while position < entries.count && (entries[position].kind, entries[position].key) < (entry.kind, entry.key) {
                position += 1
            }
            guard position < entries.count, entries[position] == entry, fileNames[position] == fileName else { return nil }
            return bytes[ranges[position]]
        }
    }

    /// Returns `resources.json`: the root tree digest, the kinds the tree lists, and every
    /// entry with the fields its tree leaf stores (`key`, `name`, `digest`, `parent`, `app`)
    /// plus its `kind` and `file`, so the tree digest can be recomputed from the bundle alone.
    ///
    /// It is written directly in `PrettyJSON`'s layout, keys in canonical order, rather than
    /// built as a `JSONValue` first: a bundle writes one per snapshot, each listing every
    /// resource. `entries` are grouped by kind, and `names` lists each kind's file names in
    /// the order of its entries. An entry listed with the same fields and file name in
    /// `previous` takes its object from there: a snapshot repeats most entries of the one
    /// before, and writing each entry's strings again was a fifth of the time to prepare a
    /// folder.
    static func indexText(
        entries: [ResourceEntry], names: [String: [String]], kinds: [String], treeDigest: String, reusing previous: IndexText?
    ) -> IndexText {
        var output: [UInt8] = []
        var fileNames: [String?] = []
        var ranges: [Range<Int>] = []
        fileNames.reserveCapacity(entries.count)
        ranges.reserveCapacity(entries.count)
        var previousPosition = 0
        output.reserveCapacity(entries.count * 360 + 256)
        output += "{\n  \"kinds\": ".utf8
        if kinds.isEmpty {
            output += "[]".utf8
        } else {
            for (position, kind) in kinds.enumerated() {
                output += (position == 0 ? "[\n    " : ",\n    ").utf8
                CanonicalJSON.writeString(kind, into: &output)
            }
            output += "\n  ]".utf8
        }
        output += ",\n  \"resources\": ".utf8
        if entries.isEmpty {
            output += "[]".utf8
        } else {
            var kind = ""
            var kindNames: [String] = []
            var positionInKind = 0
            for (position, entry) in entries.enumerated() {
                if position == 0 || entry.kind != kind {
                    kind = entry.kind
                    kindNames = names[kind] ?? []
                    positionInKind = 0
                }
                let fileName = positionInKind < kindNames.count ? kindNames[positionInKind] : nil
                positionInKind += 1
                output += (position == 0 ? "[\n    " : ",\n    ").utf8
                let start = output.count
                fileNames.append(fileName)
                defer { ranges.append(start..<output.count) }
                if let object = previous?.object(of: entry, fileName: fileName, after: &previousPosition) {
                    output += object
                    continue
                }
                output += "{".utf8
                var isFirstField = true
                func field(_ name: String, _ value: String?) {
                    guard let value else { return }
                    output += (isFirstField ? "\n      \"" : ",\n      \"").utf8
                    output += name.utf8
                    output += "\": ".utf8
                    CanonicalJSON.writeString(value, into: &output)
                    isFirstField = false
                }
                field("app", entry.appKey)
                field("digest", entry.digest)
                // `<kind>/<file name>`, written in one string without joining them first.
                output += ",\n      \"file\": ".utf8
                output.append(UInt8(ascii: "\""))
                if let fileName {
                    CanonicalJSON.writeStringContents(entry.kind, into: &output)
                    output.append(UInt8(ascii: "/"))
                    CanonicalJSON.writeStringContents(fileName, into: &output)
                }
                output.append(UInt8(ascii: "\""))
                field("key", entry.key)
                field("kind", entry.kind)
                field("name", entry.name)
                field("parent", entry.parentKey)
                output += "\n    }".utf8
            }
            output += "\n  ]".utf8
        }
        output += ",\n  \"tree\": ".utf8
        CanonicalJSON.writeString(treeDigest, into: &output)
        output += "\n}\n".utf8
        return IndexText(bytes: output, entries: entries, fileNames: fileNames, ranges: ranges)
    }
}
