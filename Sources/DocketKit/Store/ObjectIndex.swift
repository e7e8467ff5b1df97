/// The index from an object's digest to its row in `objects`.
///
/// Since schema 5 the index keys each row by the first `prefixLength` bytes of its SHA-256,
/// in `object_keys`, and a lookup reads the rows under that key and keeps the one whose
/// bytes hash to the full digest. Every read re-hashes what it returns anyway, so the other
/// 24 bytes only repeated what the content already proves. Each key cost 45 bytes in the
/// index before, 32 of them the digest. A daily capture of the benchmark's large account
/// writes about 4,000 objects. Two objects share a key only by chance, about once in 2^64
/// pairs, or when someone builds contents to collide. Both rows are then kept under the key,
/// and the lookup picks the one by its full digest.
///
/// Stores before schema 5 key rows by all 32 bytes in `object_digests`. A read-only command
/// reads them as they are, and the first command that writes upgrades the index.
struct ObjectIndex: Sendable {
    /// The table and its column of keys. Both tables have an `id` column naming the row.
    let table: String
    let column: String
    /// How many leading bytes of the digest form the key.
    let keyLength: Int
    /// The query of id, body, base and depth of every row under one key, oldest first.
    /// The index's rows under a key are already in id order, so ordering by `k.id` needs no
    /// sort, where ordering by `o.id` made SQLite copy every row into a temporary B-tree.
    let rowsQuery: String

    init(table: String, column: String, keyLength: Int) {
        self.table = table
        self.column = column
        self.keyLength = keyLength
        rowsQuery = "SELECT o.id, o.body, o.base, o.depth FROM \(table) k JOIN objects o ON o.id = k.id WHERE k.\(column) = ? ORDER BY k.id"
    }

    static let prefixLength = 8

    /// The index of schema 5 and later.
    static let prefixes = ObjectIndex(table: "object_keys", column: "prefix", keyLength: prefixLength)

    /// The index of schemas 3 and 4.
    static let fullDigests = ObjectIndex(table: "object_digests", column: "digest", keyLength: 32)

    /// Returns the index that a store at `schema` has.
    static func forSchema(_ schema: Int) -> ObjectIndex {
        schema >= StoreSchema.prefixIndexSchema ? prefixes : fullDigests
    }

    /// Returns the key of the object `digest`, or nil for text that is not a SHA-256 hex
    /// digest, which names no object.
    func key(_ digest: String) -> SQLiteValue? {
        guard Digest.isSHA256Hex(digest), let bytes = bytes(fromHex: digest) else { return nil }
        return .blob(Array(bytes.prefix(keyLength)))
    }


    /// The query that finds whether any row is recorded under one key.
    var keyQuery: String {
        "SELECT 1 FROM \(table) WHERE \(column) = ? LIMIT 1"
    }
}
