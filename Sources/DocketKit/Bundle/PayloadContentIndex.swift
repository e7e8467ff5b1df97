import Foundation

/// The first payload file of each distinct content, and the content of each store object
/// rendered so far, kept in a temporary SQLite file. With it the bundle writer links a
/// repeated file to its first copy without holding a record per file in memory.
///
/// Each daily snapshot of the benchmark's small account (`bench/run.py`) adds about 400
/// distinct files. Kept in Swift dictionaries, the records took about 500 bytes of heap each,
/// and peak memory grew by about 180 KB per snapshot. In the file, memory is bounded by
/// SQLite's page cache (`cacheKibibytes`) and the recent objects (`recentObjectLimit`),
/// whatever the period's length.
final class PayloadContentIndex {
    /// The first file with some content: what a later identical file links to and lists.
    struct Record: Equatable {
        /// The path relative to the bag, without the bag folder, which every entry shares.
        let payloadPath: String
        let size: Int
        let sha256: PackedSHA256
        let sha512: PackedSHA512
    }

    /// The page cache limit of the index database, in KiB.
    static let cacheKibibytes = 2048
    /// The number of object records `recentObjects` keeps.
    static let recentObjectLimit = 8192

    private let database: SQLiteDatabase
    /// The records of the objects looked up most recently, so that most files repeated from
    /// the snapshot before are found without a query. Each snapshot of a period repeats most
    /// objects of the one before. Without this cache, queries that missed SQLite's page cache
    /// took about 16% more CPU time over a 90-day bundle of the small account.
    private var recentObjects = RecentValues<PackedSHA256, Record>(
        maximumCount: recentObjectLimit, maximumCost: recentObjectLimit
    ) { _ in 1 }

    /// Creates an empty index in a new database file at `path`, which the caller removes.
    /// - Throws: `SQLiteError` when the file cannot be created.
    init(path: URL) throws {
        database = try SQLiteDatabase(path: path.path, create: true)
        // Nothing here needs to survive a crash, so there is no journal and no sync, and the
        // whole index is one transaction that is never committed.
        try database.execute(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            PRAGMA locking_mode = EXCLUSIVE;
            PRAGMA cache_size = -\(Self.cacheKibibytes);
            CREATE TABLE content (
                sha256 BLOB PRIMARY KEY, sha512 BLOB NOT NULL, size INTEGER NOT NULL, path TEXT NOT NULL
            ) WITHOUT ROWID;
            CREATE TABLE object (digest BLOB PRIMARY KEY, content BLOB NOT NULL) WITHOUT ROWID;
            BEGIN;
            """)
    }

    /// Returns the first file with the content `sha256`, or nil when none was added.
    func record(content sha256: PackedSHA256) throws -> Record? {
        let rows = try database.query(
            "SELECT sha256, sha512, size, path FROM content WHERE sha256 = ?", [.blob(sha256.bytes)])
        return try rows.first.map(Self.record)
    }

    /// Returns the first file with the content that the store object `digest` rendered to,
    /// or nil when that object was not added.
    func record(object digest: PackedSHA256) throws -> Record? {
        if let record = recentObjects[digest] {
            return record
        }
        let rows = try database.query(
            """
            SELECT content.sha256, content.sha512, content.size, content.path
            FROM object JOIN content ON content.sha256 = object.content WHERE object.digest = ?
            """, [.blob(digest.bytes)])
        guard let record = try rows.first.map(Self.record) else { return nil }
        recentObjects.insert(record, for: digest)
        return record
    }

    /// Adds the first file with its content. The content must not have been added before.
    func add(_ record: Record) throws {
        try database.query(
            "INSERT INTO content (sha256, sha512, size, path) VALUES (?, ?, ?, ?)",
            [.blob(record.sha256.bytes), .blob(record.sha512.bytes), .integer(Int64(record.size)), .text(record.payloadPath)])
    }

    /// Records that the store object `digest` renders to the content `sha256`.
    func add(object digest: PackedSHA256, content sha256: PackedSHA256) throws {
        recentObjects.removeValue(for: digest)
        try database.query(
            "INSERT OR REPLACE INTO object (digest, content) VALUES (?, ?)", [.blob(digest.bytes), .blob(sha256.bytes)])
    }

    private static func record(_ row: SQLiteRow) throws -> Record {
        guard let sha256 = row.bytes(0).flatMap(PackedSHA256.init(bytes:)), let sha512 = row.bytes(1).flatMap(PackedSHA512.init(bytes:)),
            let size = row.int(2), let path = row.string(3)
        else {
            throw DocketError(.failure, "invalid row in the temporary payload index. Run the bundle again.")
        }
        return Record(payloadPath: path, size: Int(size), sha256: sha256, sha512: sha512)
    }
}
