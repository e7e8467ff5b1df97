import Foundation

/// The snapshot tree's digests computed from entries alone, without a store. `docket verify`
/// computes them kind by kind (see `IndexTreeHasher`) to prove that a bundle's evidence files
/// are the snapshot the chain names.
extension SnapshotTree {
    /// Computes the root tree digest that `write` would store for `entriesByKind`.
    /// - Throws: `StoreError.corrupt` when two entries of a kind share a key, as `write` does.
    static func rootDigest(_ entriesByKind: [String: [ResourceEntry]]) throws -> String {
        var cache = TreeDigestCache()
        return try rootDigest(entriesByKind, cache: &cache)
    }

    /// Computes the root tree digest as `rootDigest(_:)` does, hashing only the leaves that
    /// `cache` has not seen with exactly the same entries. Consecutive snapshots share most
    /// leaves, so checking a chain of them hashes few.
    static func rootDigest(_ entriesByKind: [String: [ResourceEntry]], cache: inout TreeDigestCache) throws -> String {
        var kinds: [String: String] = [:]
        for (kind, entries) in entriesByKind {
            kinds[kind] = try kindDigest(entries, kind: kind, cache: &cache)
        }
        return rootDigest(kindDigests: kinds)
    }

    /// Computes the root tree digest from each kind's digest, as `kindDigest` computes them.
    static func rootDigest(kindDigests: [String: String]) -> String {
        Digest.sha256(CanonicalJSON.encode(["kinds": .object(kindDigests.mapValues { .string($0) })]))
    }

    /// Computes the digest of one kind's subtree, as `writeKind` stores it: one leaf up to
    /// `leafLimit` entries, else buckets by key hash.
    /// - Throws: `StoreError.corrupt` when two entries share a key.
    static func kindDigest(_ entries: [ResourceEntry], kind: String, cache: inout TreeDigestCache) throws -> String {
        let sorted = entries.sorted { $0.key < $1.key }
        try rejectDuplicateKeys(sorted)
        if sorted.count <= leafLimit {
            return cache.leafDigest(sorted, kind: kind, bucket: "")
        }
        var buckets: [String: [ResourceEntry]] = [:]
        for entry in sorted {
            buckets[cache.bucket(of: entry.key), default: []].append(entry)
        }
        var leaves: [String: String] = [:]
        for (prefix, members) in buckets {
            leaves[prefix] = cache.leafDigest(members, kind: kind, bucket: prefix)
        }
        return cache.bucketsDigest(leaves, kind: kind)
    }

    fileprivate static func bucketsDigest(_ leaves: [String: String]) -> String {
        Digest.sha256(CanonicalJSON.encode(["buckets": .object(leaves.mapValues { .string($0) })]))
    }

    fileprivate static func leafDigest(_ entries: [ResourceEntry]) -> String {
        Digest.sha256(SnapshotTree.leafBytes(entries))
    }

    private static func rejectDuplicateKeys(_ sorted: [ResourceEntry]) throws {
        for (previous, next) in zip(sorted, sorted.dropFirst()) where previous.key == next.key {
            throw StoreError.corrupt("two \(next.kind) resources share the key \(next.key)")
        }
    }
}

/// The leaf digests and key buckets one tree computation found, for the next one to reuse.
///
/// A leaf's digest is a function of its entries' bytes alone, so a leaf whose entries are
/// byte for byte those of the leaf last hashed at the same kind and bucket has its digest.
/// Strings are compared by their UTF-8 bytes, never with `==`: Swift's `==` holds for two
/// Unicode normalization forms of a name, whose canonical JSON and digest differ.
struct TreeDigestCache {
    private var leaves: [LeafPlace: (entries: [ResourceEntry], digest: String)] = [:]
    private var buckets: [ExactText: String] = [:]
    private var kinds: [ExactText: (leaves: [String: String], digest: String)] = [:]

    private struct LeafPlace: Hashable {
        let kind: ExactText
        let bucket: String
    }

    fileprivate mutating func leafDigest(_ entries: [ResourceEntry], kind: String, bucket: String) -> String {
        let place = LeafPlace(kind: ExactText(kind), bucket: bucket)
        if let known = leaves[place], known.entries.count == entries.count,
            zip(known.entries, entries).allSatisfy({ $0.hasSameBytes(as: $1) })
        {
            return known.digest
        }
        let digest = SnapshotTree.leafDigest(entries)
        leaves[place] = (entries, digest)
        return digest
    }

    /// Returns the digest of a split kind's tree from its leaves' digests. Bucket prefixes
    /// and digests are lowercase hex, which `==` compares byte for byte.
    fileprivate mutating func bucketsDigest(_ leaves: [String: String], kind: String) -> String {
        let place = ExactText(kind)
        if let known = kinds[place], known.leaves == leaves {
            return known.digest
        }
        let digest = SnapshotTree.bucketsDigest(leaves)
        kinds[place] = (leaves, digest)
        return digest
    }

    /// Returns `SnapshotTree.bucket(of:)`, which hashes the key, computed once per key.
    fileprivate mutating func bucket(of key: String) -> String {
        let text = ExactText(key)
        if let known = buckets[text] { return known }
        let bucket = SnapshotTree.bucket(of: key)
        buckets[text] = bucket
        return bucket
    }
}

/// A string compared and hashed by its UTF-8 bytes, so two normalization forms of one name
/// are two values.
struct ExactText: Hashable {
    let text: String

    init(_ text: String) {
        self.text = text
    }

    static func == (left: ExactText, right: ExactText) -> Bool {
        left.text.hasSameBytes(as: right.text)
    }

    func hash(into hasher: inout Swift.Hasher) {
        var text = text
        text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}

extension String {
    /// True when both strings have the same UTF-8 bytes; `==` compares by canonical
    /// equivalence instead.
    func hasSameBytes(as other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        var left = self
        var right = other
        return left.withUTF8 { leftBytes in
            right.withUTF8 { rightBytes in
                leftBytes.isEmpty || memcmp(leftBytes.baseAddress!, rightBytes.baseAddress!, leftBytes.count) == 0
            }
        }
    }
}

extension Optional where Wrapped == String {
    fileprivate func hasSameBytes(as other: String?) -> Bool {
        switch (self, other) {
        case (nil, nil): return true
        case (let left?, let right?): return left.hasSameBytes(as: right)
        default: return false
        }
    }
}

extension ResourceEntry {
    /// True when every field that goes into a tree leaf has the same bytes in both entries.
    fileprivate func hasSameBytes(as other: ResourceEntry) -> Bool {
        key.hasSameBytes(as: other.key) && name.hasSameBytes(as: other.name) && digest.hasSameBytes(as: other.digest)
            && parentKey.hasSameBytes(as: other.parentKey) && appKey.hasSameBytes(as: other.appKey)
    }
}

extension SnapshotStore {
    /// Runs `body` inside one read transaction, so every query reads the same state of the
    /// store even if a capture commits meanwhile (SQLite WAL keeps the reader's snapshot).
    /// Inside a transaction already open, `body` runs in it.
    public func withConsistentRead<Result>(_ body: () throws -> Result) throws -> Result {
        if database.isInTransaction {
            return try body()
        }
        try database.execute("BEGIN DEFERRED")
        do {
            let result = try body()
            try database.execute("COMMIT")
            return result
        } catch {
            try? database.execute("ROLLBACK")
            throw error
        }
    }
}
