/// The Merkle tree of a snapshot: a root object mapping each kind to its tree, and per-kind
/// trees that list entries sorted by key.
///
/// A kind with more than `leafLimit` entries is split into leaves by the leading bits of
/// SHA-256(key), so a change to one resource rewrites one leaf instead of the whole kind's
/// list. The kind tree `{"bucket_bits":b,"buckets":{name:leaf}}` maps each bucket to its
/// leaf. A key's bucket is the first byte of its hash with all but the leading `b` bits
/// cleared, as two lowercase hex digits. `b` is the fewest bits, up to 8, that bring the
/// average leaf to at most `leafLimit` entries (see `bucketBits(forCount:)`). With `b` 8, the
/// member is left out, and the tree is the one every split kind had before schema 8.
///
/// Every read and every write of a leaf costs the same few steps however small the leaf is:
/// a row, an index key, a digest in the kind tree and, on a read, a decode per version of its
/// chain. Before schema 8, every kind of more than 128 entries had 256 leaves: on the
/// benchmark's `estate` account, 4,828 leaves of about 3.8 kB (bench/run.py), of which
/// `docket diff` of day 90 against day 60 read 6,900, decoding 31,000 bodies.
enum SnapshotTree {
    static let leafLimit = 128

    /// The most bits of a key's hash that pick its bucket: 256 buckets.
    static let maximumBucketBits = 8

    /// How a version of Docket laid out kind trees. Digests are computed for a layout, and
    /// snapshots captured before schema 8 have the legacy one.
    enum Layout: Sendable {
        /// `bucketBits(forCount:)` bits, as schema 8 and later write.
        case current
        /// 256 buckets for every kind of more than `leafLimit` entries.
        case legacy
    }

    /// Returns how many leading bits of a key's hash pick its bucket in a kind of `count`
    /// entries under `layout`, or 0 when the kind is one leaf.
    static func bucketBits(forCount count: Int, layout: Layout = .current) -> Int {
        guard count > leafLimit else { return 0 }
        guard layout == .current else { return maximumBucketBits }
        var bits = 1
        while bits < maximumBucketBits && count > leafLimit << bits {
            bits += 1
        }
        return bits
    }

    /// Returns the name of the bucket whose keys' hashes start with `firstByte` when `bits`
    /// leading bits pick the bucket.
    static func bucketName(firstByte: UInt8, bits: Int) -> String {
        let mask = UInt8(truncatingIfNeeded: 0xFF << (maximumBucketBits - bits))
        return bucketNames[Int(firstByte & mask)]
    }

    private static let bucketNames: [String] = (0...255).map { value in
        let digits = Array("0123456789abcdef")
        return String([digits[value >> 4], digits[value & 0xF]])
    }

    /// Returns the first byte of SHA-256(key), which places the key in its bucket.
    static func bucketByte(of key: String) -> UInt8 {
        let hex = Digest.sha256(key).utf8.prefix(2)
        return hex.reduce(0) { $0 << 4 | hexValue($1) }
    }

    private static func hexValue(_ digit: UInt8) -> UInt8 {
        digit <= UInt8(ascii: "9") ? digit - UInt8(ascii: "0") : digit - UInt8(ascii: "a") + 10
    }

    static func bucket(of key: String, bits: Int) -> String {
        bucketName(firstByte: bucketByte(of: key), bits: bits)
    }

    /// Returns the canonical bytes of the leaf that lists `entries`, `{"entries":[…]}` with
    /// each entry's `treeValue`, written member by member in canonical order (`app`, `digest`,
    /// `key`, `name`, `parent`) instead of through JSON values. A leaf holds up to a few
    /// hundred entries, and `docket verify` hashes every leaf that changed in each snapshot.
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

    private static func member(_ name: StaticString, _ value: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { output.append(contentsOf: $0) }
        output.append(contentsOf: #"":"#.utf8)
        CanonicalJSON.writeString(value, into: &output)
    }

    /// Returns a split kind's tree from its leaves by bucket name.
    static func bucketTree(_ leaves: [String: JSONValue], bits: Int) -> JSONValue {
        guard bits != maximumBucketBits else { return ["buckets": .object(leaves)] }
        return ["bucket_bits": .number(Double(bits)), "buckets": .object(leaves)]
    }

    /// Writes the trees for `entriesByKind` in `layout` and returns the root digest.
    ///
    /// `previousRoot`, the root of the parent snapshot, only guides storage: each new tree
    /// object is stored against the tree at the same place in it (same kind, same bucket).
    static func write(
        _ entriesByKind: [String: [ResourceEntry]], to store: SnapshotStore, previousRoot: String? = nil, layout: Layout = .current
    ) throws -> String {
        let previousKinds = try previousRoot.map { try kindDigests(root: $0, in: store) } ?? [:]
        var kinds: [String: JSONValue] = [:]
        for (kind, entries) in entriesByKind {
            kinds[kind] = .string(try writeKind(entries, to: store, previousTree: previousKinds[kind], layout: layout))
        }
        return try store.putJSON(["kinds": .object(kinds)], similarTo: previousRoot)
    }

    private static func writeKind(_ entries: [ResourceEntry], to store: SnapshotStore, previousTree: String?, layout: Layout) throws -> String {
        let sorted = entries.sorted { $0.key < $1.key }
        try rejectDuplicates(sorted)
        // A previous tree with other bucket bits still guides storage: its bucket of the same
        // name shares part of its entries.
        let previousLeaves = try previousTree.map { try leaves(treeDigest: $0, in: store).byBucket } ?? [:]
        let bits = bucketBits(forCount: sorted.count, layout: layout)
        if bits == 0 {
            return try store.putObject(leafBytes(sorted), similarTo: previousLeaves[""])
        }
        var buckets: [String: [ResourceEntry]] = [:]
        for entry in sorted {
            buckets[bucket(of: entry.key, bits: bits), default: []].append(entry)
        }
        var leafDigests: [String: JSONValue] = [:]
        for (prefix, members) in buckets {
            let leaf = try store.putObject(leafBytes(members), similarTo: previousLeaves[prefix])
            leafDigests[prefix] = .string(leaf)
        }
        return try store.putJSON(bucketTree(leafDigests, bits: bits), similarTo: previousTree)
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

    /// The leaves of the kind tree `treeDigest`. Diffs compare these first and skip leaves
    /// whose digests match.
    /// - Throws: `StoreError.corrupt` when the tree's bucket bits are not a whole number from
    ///   1 to 8.
    static func leaves(treeDigest: String, in store: SnapshotStore) throws -> KindTreeLeaves {
        let tree = try store.object(treeDigest)
        guard let buckets = tree["buckets"]?.objectValue else {
            return KindTreeLeaves(byBucket: ["": treeDigest], bucketBits: 0)
        }
        var bits = maximumBucketBits
        if let recorded = tree["bucket_bits"] {
            guard let value = recorded.intValue, (1...maximumBucketBits).contains(value) else {
                throw StoreError.corrupt("tree \(treeDigest) has bucket bits \(CanonicalJSON.encodeString(recorded)), not a whole number from 1 to 8")
            }
            bits = value
        }
        return KindTreeLeaves(byBucket: buckets.compactMapValues(\.stringValue), bucketBits: bits)
    }
}

/// The leaves of one kind tree: leaf digests by bucket name, and how many leading bits of a
/// key's hash pick its bucket. A kind stored as one leaf has the tree itself under `""` and 0
/// bits.
struct KindTreeLeaves: Sendable {
    let byBucket: [String: String]
    let bucketBits: Int

    /// Returns the leaf that holds `key` if the kind has it.
    func leaf(forKey key: String) -> String? {
        bucketBits == 0 ? byBucket[""] : byBucket[SnapshotTree.bucket(of: key, bits: bucketBits)]
    }
}

extension SnapshotStore {
    /// Lists the pairs of leaves that differ between two trees of one kind, reading only the
    /// trees' bucket maps, so that the pairs can be shared out before any leaf is read. When
    /// both trees are split into buckets by the same bits (or one side is absent), a bucket's
    /// leaves cover the same keys on both sides, so leaves with equal digests are skipped.
    /// Otherwise the one pair is the two trees.
    func differingLeaves(kind: String, oldTree: String?, newTree: String?) throws -> [DifferingLeaves] {
        if oldTree == newTree { return [] }
        let old = try oldTree.map { try SnapshotTree.leaves(treeDigest: $0, in: self) }
        let new = try newTree.map { try SnapshotTree.leaves(treeDigest: $0, in: self) }
        let bits = Set([old?.bucketBits, new?.bucketBits].compactMap { $0 })
        guard bits.count == 1, !bits.contains(0) else {
            return [DifferingLeaves(kind: kind, old: oldTree, new: newTree)]
        }
        let oldLeaves = old?.byBucket ?? [:]
        let newLeaves = new?.byBucket ?? [:]
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
