/// The snapshot tree's digests computed from entries alone, without a store: what
/// `docket verify` uses to prove that a bundle's evidence files are the snapshot the chain names.
extension SnapshotTree {
    /// Computes the root tree digest that `write` would store for `entriesByKind`.
    /// - Throws: `StoreError.corrupt` when two entries of a kind share a key, as `write` does.
    static func rootDigest(_ entriesByKind: [String: [ResourceEntry]]) throws -> String {
        var kinds: [String: JSONValue] = [:]
        for (kind, entries) in entriesByKind {
            kinds[kind] = .string(try kindDigest(entries))
        }
        return Digest.sha256(CanonicalJSON.encode(["kinds": .object(kinds)]))
    }

    /// Mirrors `writeKind`: one leaf up to `leafLimit` entries, else buckets by key hash.
    private static func kindDigest(_ entries: [ResourceEntry]) throws -> String {
        let sorted = entries.sorted { $0.key < $1.key }
        try rejectDuplicateKeys(sorted)
        if sorted.count <= leafLimit {
            return leafDigest(sorted)
        }
        var buckets: [String: [ResourceEntry]] = [:]
        for entry in sorted {
            buckets[bucket(of: entry.key), default: []].append(entry)
        }
        let leaves = buckets.mapValues { JSONValue.string(leafDigest($0)) }
        return Digest.sha256(CanonicalJSON.encode(["buckets": .object(leaves)]))
    }

    private static func leafDigest(_ entries: [ResourceEntry]) -> String {
        Digest.sha256(CanonicalJSON.encode(["entries": .array(entries.map(\.treeValue))]))
    }

    private static func rejectDuplicateKeys(_ sorted: [ResourceEntry]) throws {
        for (previous, next) in zip(sorted, sorted.dropFirst()) where previous.key == next.key {
            throw StoreError.corrupt("two \(next.kind) resources share the key \(next.key)")
        }
    }
}

extension SnapshotStore {
    /// Runs `body` inside one read transaction, so every query reads the same state of the
    /// store even if a capture commits meanwhile (SQLite WAL keeps the reader's snapshot).
    public func withConsistentRead<Result>(_ body: () throws -> Result) throws -> Result {
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
