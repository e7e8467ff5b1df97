/// The Merkle tree of a snapshot: a root object mapping each kind to its tree, and per-kind
/// trees that list entries sorted by key.
///
/// A kind with more than `leafLimit` entries is split into up to 256 leaves by the first two
/// hex digits of SHA-256(key), so a change to one resource rewrites one small leaf instead of
/// the whole kind's list.
enum SnapshotTree {
    static let leafLimit = 128

    /// Writes the trees for `entriesByKind` and returns the root digest.
    ///
    /// `previousRoot`, the root of the parent snapshot, only guides storage: each new tree
    /// object is stored against the tree at the same place in it (same kind, same bucket).
    static func write(_ entriesByKind: [String: [ResourceEntry]], to store: SnapshotStore, previousRoot: String? = nil) throws -> String {
        let previousKinds = try previousRoot.map { try kindDigests(root: $0, in: store) } ?? [:]
        var kinds: [String: JSONValue] = [:]
        for (kind, entries) in entriesByKind {
            kinds[kind] = .string(try writeKind(entries, to: store, previousTree: previousKinds[kind]))
        }
        return try store.putJSON(["kinds": .object(kinds)], similarTo: previousRoot)
    }

    static func bucket(of key: String) -> String {
        String(Digest.sha256(key).prefix(2))
    }

    /// Returns the canonical JSON of the leaf `{"entries":[…]}` that lists each entry's
    /// `treeValue`, with members in canonical order (`app`, `digest`, `key`, `name`, `parent`).
    /// It builds no JSON values, because a capture writes and `docket verify` hashes every
    /// changed leaf.
    static func leafBytes(_ entries: [ResourceEntry]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(16 + entries.count * 256)
        output.append(contentsOf: #"{"entries":["#.utf8)
        for (position, entry) in entries.enumerated() {
            if position > 0 { output.append(UInt8(ascii: ",")) }
            output.append(UInt8(ascii: "{"))
            if let appKey = entry.appKey {
                member("app", appKey, into: &output)
                output.append(UInt8(ascii: ","))
            }
            member("digest", entry.digest, into: &output)
            output.append(UInt8(ascii: ","))
            member("key", entry.key, into: &output)
            output.append(UInt8(ascii: ","))
            member("name", entry.name, into: &output)
            if let parentKey = entry.parentKey {
                output.append(UInt8(ascii: ","))
                member("parent", parentKey, into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
        output.append(contentsOf: "]}".utf8)
        return output
    }

    /// Appends the member `"name":value` of a leaf entry to `output`.
    private static func member(_ name: StaticString, _ value: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { output.append(contentsOf: $0) }
        output.append(contentsOf: #"":"#.utf8)
        CanonicalJSON.writeString(value, into: &output)
    }

    private static func writeKind(_ entries: [ResourceEntry], to store: SnapshotStore, previousTree: String?) throws -> String {
        let sorted = entries.sorted { $0.key < $1.key }
        try rejectDuplicates(sorted)
        let previousLeaves = try previousTree.map { try leaves(treeDigest: $0, in: store) } ?? [:]
        if sorted.count <= leafLimit {
            return try store.putObject(leafBytes(sorted), similarTo: previousLeaves[""])
        }
        var buckets: [String: [ResourceEntry]] = [:]
        for entry in sorted {
            buckets[bucket(of: entry.key), default: []].append(entry)
        }
        var leafDigests: [String: JSONValue] = [:]
        for (prefix, members) in buckets {
            let leaf = try store.putObject(leafBytes(members), similarTo: previousLeaves[prefix])
            leafDigests[prefix] = .string(leaf)
        }
        return try store.putJSON(["buckets": .object(leafDigests)], similarTo: previousTree)
    }

    private static func rejectDuplicates(_ sorted: [ResourceEntry]) throws {
        for (previous, next) in zip(sorted, sorted.dropFirst()) where previous.key == next.key {
            throw StoreError.corrupt("two \(next.kind) resources share the key \(next.key)")
        }
    }

    static func kindDigests(root: String, in store: SnapshotStore) throws -> [String: String] {
        guard let kinds = try store.object(root)["kinds"]?.objectValue else {
            throw StoreError.corrupt("root tree \(root) has no kinds")
        }
        return kinds.compactMapValues(\.stringValue)
    }

    /// The entries of one kind's tree, sorted by key.
    ///
    /// Consecutive snapshots share most leaves, so a leaf read recently is taken from
    /// `recentLeaves` instead of being read, inflated and parsed again.
    static func entries(kind: String, treeDigest: String, in store: SnapshotStore) throws -> [ResourceEntry] {
        if let cached = store.recentLeaves[treeDigest] {
            return cached
        }
        guard let bytes = try store.objectBytes(treeDigest) else {
            throw StoreError.corrupt("object \(treeDigest) is missing")
        }
        if let entries = TreeLeafScanner.entries(kind: kind, bytes: bytes) {
            store.recentLeaves.insert(entries, for: treeDigest)
            return entries
        }
        let tree = try SnapshotStore.parseObject(bytes, digest: treeDigest)
        if let buckets = tree["buckets"]?.objectValue {
            var result: [ResourceEntry] = []
            for leaf in buckets.values.compactMap(\.stringValue) {
                result += try entries(kind: kind, treeDigest: leaf, in: store)
            }
            // Positions are sorted, not entries, which the sort would copy, six strings each,
            // for every move.
            return result.indices.sorted { result[$0].key < result[$1].key }.map { result[$0] }
        }
        guard let list = tree["entries"]?.arrayValue else {
            throw StoreError.corrupt("tree \(treeDigest) of kind \(kind) has neither entries nor buckets")
        }
        let entries = try list.map {
            guard let entry = ResourceEntry(kind: kind, treeValue: $0) else {
                throw StoreError.corrupt("tree \(treeDigest) of kind \(kind) has a malformed entry")
            }
            return entry
        }
        store.recentLeaves.insert(entries, for: treeDigest)
        return entries
    }

    /// The digest of every resource in `snapshot`, by kind and then key.
    static func digestsByKey(of snapshot: SnapshotInfo, in store: SnapshotStore) throws -> [String: [String: String]] {
        var result: [String: [String: String]] = [:]
        for (kind, treeDigest) in try kindDigests(root: snapshot.treeDigest, in: store) {
            var digests: [String: String] = [:]
            for entry in try entries(kind: kind, treeDigest: treeDigest, in: store) {
                digests[entry.key] = entry.digest
            }
            result[kind] = digests
        }
        return result
    }

    /// Leaf digests of a kind tree keyed by bucket prefix, or `[""]: digest` for a single leaf.
    /// Diffs compare these first and skip leaves whose digests match.
    static func leaves(treeDigest: String, in store: SnapshotStore) throws -> [String: String] {
        let tree = try store.object(treeDigest)
        if let buckets = tree["buckets"]?.objectValue {
            return buckets.compactMapValues(\.stringValue)
        }
        return ["": treeDigest]
    }
}

extension SnapshotStore {
    /// Lists the pairs of leaves that differ between two trees of one kind, reading only the
    /// trees' bucket maps, so that the pairs can be shared out before any leaf is read. When
    /// both trees are split into buckets, a bucket's leaves cover the same keys on both sides,
    /// so leaves with equal digests are skipped. Otherwise the one pair is the two trees.
    func differingLeaves(kind: String, oldTree: String?, newTree: String?) throws -> [DifferingLeaves] {
        if oldTree == newTree { return [] }
        let oldLeaves = try oldTree.map { try SnapshotTree.leaves(treeDigest: $0, in: self) } ?? [:]
        let newLeaves = try newTree.map { try SnapshotTree.leaves(treeDigest: $0, in: self) } ?? [:]
        let isBucketed = !oldLeaves.keys.contains("") && !newLeaves.keys.contains("")
        guard isBucketed else {
            return [DifferingLeaves(kind: kind, old: oldTree, new: newTree)]
        }
        return Set(oldLeaves.keys).union(newLeaves.keys).sorted().compactMap { prefix in
            oldLeaves[prefix] == newLeaves[prefix] ? nil : DifferingLeaves(kind: kind, old: oldLeaves[prefix], new: newLeaves[prefix])
        }
    }

    /// Reads the entries of both sides of `pair` as `entries(of:)` does, leaving out each
    /// entry whose bytes are the same on both sides when both are plain leaves (see
    /// `TreeLeafScanner.differingEntries`). Such entries have equal digests, which a diff
    /// skips. Neither leaf is kept in the cache of recent leaves.
    func differingEntries(of pair: DifferingLeaves) throws -> (old: [ResourceEntry], new: [ResourceEntry]) {
        guard let oldDigest = pair.old, let newDigest = pair.new, let oldBytes = try objectBytes(oldDigest),
            let newBytes = try objectBytes(newDigest),
            let entries = TreeLeafScanner.differingEntries(kind: pair.kind, old: oldBytes, new: newBytes)
        else { return try entries(of: pair) }
        return entries
    }

    /// Reads the entries of both sides of `pair`, each sorted by key. An absent side has none.
    func entries(of pair: DifferingLeaves) throws -> (old: [ResourceEntry], new: [ResourceEntry]) {
        let old = try pair.old.map { try SnapshotTree.entries(kind: pair.kind, treeDigest: $0, in: self) } ?? []
        let new = try pair.new.map { try SnapshotTree.entries(kind: pair.kind, treeDigest: $0, in: self) } ?? []
        return (old, new)
    }
}

/// Two trees or tree leaves of one kind whose digests differ: the digests of each side, nil
/// where that side has none. `SnapshotTree.entries` reads a whole kind tree and a leaf alike.
struct DifferingLeaves: Sendable {
    let kind: String
    let old: String?
    let new: String?
}

extension SnapshotStore {
    /// Creates the cache of the parsed entries of the tree leaves a store read most recently,
    /// by digest, with room for 16,384 entries in all.
    static func makeLeafCache() -> RecentValues<String, [ResourceEntry]> {
        RecentValues(maximumCount: Int.max, maximumCost: 16384) { $0.count }
    }
}
