import Foundation

/// The local SQLite store: content-addressed objects, snapshots chained by digest, and the
/// run ledger.
///
/// One object per distinct content: resource bodies, per-kind trees and root trees are all
/// RFC 8785 canonical JSON, addressed by the SHA-256 of those exact bytes. They are stored
/// compressed, often as a delta against an earlier version (see `SnapshotStore+ObjectEncoding`),
/// and every read returns the canonical bytes.
public final class SnapshotStore {
    public let path: String
    let database: SQLiteDatabase
    /// Bases inflated most recently; see `SnapshotStore+ObjectEncoding`.
    var recentBases = SnapshotStore.makeBaseCache()
    /// The inflate stream that every read of a compressed object reuses, made on first use.
    var inflater: ObjectCompression.Inflater?
    /// Tree leaves read most recently, parsed; see `SnapshotTree.entries`.
    var recentLeaves = SnapshotStore.makeLeafCache()
    /// The index from digests to rows, by the store's schema; see `ObjectIndex`.
    let objectIndex: ObjectIndex
    /// The store's schema version once opened.
    let schema: Int

    /// The newest schema version this Docket can read and write.
    public static let schemaVersion = StoreSchema.migrations.count

    /// The schema the store had when this connection upgraded it, or nil when it was new or
    /// already current. A Docket that reads only that schema can no longer open the store.
    public private(set) var upgradedFromSchema: Int?

    /// Opens the store at `path`. With `create`, a missing store file is created with mode 0600
    /// (its folder must exist); otherwise a missing file is `StoreError.missing`.
    /// - Throws: `StoreError` naming the path and the fix.
    public init(path: String, create: Bool = false, readOnly: Bool = false) throws {
        self.path = path
        let manager = FileManager.default
        let folder = (path as NSString).deletingLastPathComponent
        let folderPath = folder.isEmpty ? "." : folder
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: folderPath, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw create ? StoreError.folderMissing(path: folderPath) : StoreError.missing(path: path)
        }
        if manager.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw StoreError.notAStore(path: path, reason: "it is a folder")
        }
        if !manager.fileExists(atPath: path) {
            guard create else { throw StoreError.missing(path: path) }
            try Self.createFile(path: path, folder: folderPath)
        }
        do {
            if readOnly {
                try Self.upgradeIfBehind(path: path, folder: folderPath)
            }
            database = try Self.openDatabase(path: path, readOnly: readOnly, folder: folderPath)
            try database.execute("PRAGMA foreign_keys = ON")
            // The schema is checked before WAL is switched on, so that a database that is not
            // a store is rejected without being changed.
            let found = try StoreSchema.migrate(database, path: path, readOnly: readOnly)
            let schema = Int(try database.query("PRAGMA user_version").first?.int(0) ?? 0)
            if found > 0 && found < schema {
                upgradedFromSchema = found
            }
            objectIndex = ObjectIndex.forSchema(schema)
            self.schema = schema
            if !readOnly {
                try database.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL")
            }
        } catch let error as SQLiteError {
            if error.code & 0xFF == 26 {  // SQLITE_NOTADB
                throw StoreError.notAStore(path: path, reason: error.message)
            }
            if error.code & 0xFF == 8 {  // SQLITE_READONLY
                throw StoreError.notWritable(path: path, reason: error.message)
            }
            throw StoreError.sqlite(error)
        }
    }

    /// Opens the database. A WAL database needs its `-shm` file even to be read; when the
    /// folder is not writable and that file is absent, a read-only open falls back to
    /// SQLite's immutable mode.
    private static func openDatabase(path: String, readOnly: Bool, folder: String) throws -> SQLiteDatabase {
        let database = try SQLiteDatabase(path: path, readOnly: readOnly)
        guard readOnly, access(folder, W_OK) != 0 else { return database }
        do {
            _ = try database.query("SELECT count(*) FROM sqlite_master")
            return database
        } catch let error as SQLiteError where [8, 14].contains(error.code & 0xFF) {
            // NOTE: immutable mode assumes no capture writes the store meanwhile; a user who
            // cannot write the folder cannot run one, but another user could.
            return try SQLiteDatabase(path: path, readOnly: true, immutable: true)
        }
    }

    /// Brings a store from an older Docket up to the current schema through a writable
    /// connection, so that read-only commands can read it. A store at the current or a newer
    /// schema, or a file that is not a store, is left for the read-only open to judge.
    private static func upgradeIfBehind(path: String, folder: String) throws {
        let version: Int
        do {
            let probe = try openDatabase(path: path, readOnly: true, folder: folder)
            version = Int(try probe.query("PRAGMA user_version").first?.int(0) ?? 0)
            try probe.close()
        } catch is SQLiteError {
            return
        }
        guard version > 0, version < StoreSchema.oldestReadableSchema else { return }
        do {
            _ = try SnapshotStore(path: path)
        } catch StoreError.notWritable(_, let reason) {
            throw StoreError.upgradeNeedsWriteAccess(path: path, found: version, supported: StoreSchema.migrations.count, reason: reason)
        } catch StoreError.sqlite(let error) where error.code & 0xFF == 8 || error.code & 0xFF == 14 {
            throw StoreError.upgradeNeedsWriteAccess(
                path: path, found: version, supported: StoreSchema.migrations.count, reason: error.message)
        }
    }

    private static func createFile(path: String, folder: String) throws {
        let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            throw StoreError.notWritable(path: path, reason: reason)
        }
        close(descriptor)
    }

    /// The default store path: `$DOCKET_STORE`, else `$STATE_DIRECTORY/store.sqlite` (systemd),
    /// else `$XDG_STATE_HOME/docket/store.sqlite`, else `~/.local/state/docket/store.sqlite`.
    public static func defaultPath(environment: [String: String]) -> (path: String, isImplicitFolder: Bool) {
        if let explicit = environment["DOCKET_STORE"], !explicit.isEmpty {
            return (explicit, false)
        }
        if let state = environment["STATE_DIRECTORY"], !state.isEmpty {
            // systemd may pass several colon-separated folders; the first is ours.
            let first = state.split(separator: ":").first.map(String.init) ?? state
            return (first + "/store.sqlite", false)
        }
        if let xdg = environment["XDG_STATE_HOME"], !xdg.isEmpty {
            return (xdg + "/docket/store.sqlite", true)
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return (home + "/.local/state/docket/store.sqlite", true)
    }

    // MARK: - Objects

    /// Empties the caches of inflated bases and parsed leaves, so the next reads come from
    /// the file: after a rollback, whose row ids will be reused, and before a check.
    func forgetRecentObjects() {
        recentBases = Self.makeBaseCache()
        recentLeaves = Self.makeLeafCache()
    }

    /// Stores `bytes` under their SHA-256 unless already present, and returns the digest.
    ///
    /// `similarTo` names a stored object with similar content, such as the previous version
    /// of the same resource. The new object is then stored as the next version in its
    /// chain, as a delta against the version `chain` picks, when that is smaller. A hint
    /// that names no stored object is ignored.
    @discardableResult
    public func putObject(_ bytes: [UInt8], similarTo hint: String? = nil, chain: ChainShape = .consecutive) throws -> String {
        try storeObject(bytes, similarTo: hint, chain: chain, kindBase: nil).digest
    }

    /// Stores `bytes` as `putObject` does and returns the digest. A new object that starts a
    /// chain is stored against `kindBase` when that is smaller than deflating it alone. When
    /// the object is new and stored standalone, it is also returned as a kind base for the
    /// objects after it.
    func storeObject(_ bytes: [UInt8], similarTo hint: String?, chain: ChainShape, kindBase: KindBase?) throws -> (digest: String, standalone: KindBase?) {
        let digest = Digest.sha256(bytes)
        guard let key = objectIndex.key(digest) else { return (digest, nil) }
        // An unchanged resource or leaf has the digest of its previous version, which came
        // from a stored tree, so checking that its key is recorded spares reading it again.
        if digest == hint, try !database.query(objectIndex.keyQuery, [key]).isEmpty {
            return (digest, nil)
        }
        guard try !objectExists(digest) else { return (digest, nil) }
        let encoded = try encodeObject(bytes, similarTo: hint, chain: chain, kindBase: kindBase)
        // Both rows or neither.
        let id = try database.withinTransaction {
            try database.query(
                "INSERT INTO objects (base, depth, body) VALUES (?, ?, ?)",
                [SQLiteValue(encoded.base), .integer(Int64(encoded.depth)), .blob(encoded.body)])
            let id = database.lastInsertRowID
            try database.query("INSERT INTO \(objectIndex.table) (\(objectIndex.column), id) VALUES (?, ?)", [key, .integer(id)])
            return id
        }
        return (digest, encoded.base == nil ? KindBase(id: id, bytes: bytes) : nil)
    }

    /// Stores `value` in canonical form and returns its digest; see `putObject` for `similarTo`
    /// and `chain`.
    @discardableResult
    public func putJSON(_ value: JSONValue, similarTo hint: String? = nil, chain: ChainShape = .consecutive) throws -> String {
        try putObject(CanonicalJSON.encode(value), similarTo: hint, chain: chain)
    }

    /// The canonical bytes of object `digest`, or nil when the store has no such object,
    /// after checking that they still hash to `digest`, so that no command shows altered
    /// evidence as if it were genuine.
    /// - Throws: `StoreError.corrupt` when the stored body cannot be decompressed or no
    ///   longer matches its digest.
    public func objectBytes(_ digest: String) throws -> [UInt8]? {
        let found = try locateObject(digest)
        if let match = found.match {
            return match.bytes
        }
        guard found.mismatches == 0 else {
            throw StoreError.corrupt("object \(digest) no longer matches its digest, so it was altered after it was stored")
        }
        return nil
    }

    /// Returns whether the store has object `digest`: a row under its key whose bytes hash
    /// to it.
    public func objectExists(_ digest: String) throws -> Bool {
        try locateObject(digest).match != nil
    }

    /// The object `digest` parsed as JSON, checked as `objectBytes` checks it.
    /// - Throws: `StoreError.corrupt` when the object is missing, altered or not JSON.
    public func object(_ digest: String) throws -> JSONValue {
        guard let bytes = try objectBytes(digest) else {
            throw StoreError.corrupt("object \(digest) is missing")
        }
        return try Self.parseObject(bytes, digest: digest)
    }

    /// Returns the object `digest` as `PrettyJSON.encodeBytes` renders it, checked as
    /// `objectBytes` checks it, laid out from its canonical bytes without parsing them.
    /// - Throws: `StoreError.corrupt` when the object is missing, altered or not JSON.
    public func prettyObjectBytes(_ digest: String) throws -> [UInt8] {
        guard let bytes = try objectBytes(digest) else {
            throw StoreError.corrupt("object \(digest) is missing")
        }
        return try PrettyJSON.reindent(canonical: bytes) ?? PrettyJSON.encodeBytes(Self.parseObject(bytes, digest: digest))
    }

    /// Parses the canonical bytes of object `digest` as JSON.
    /// - Throws: `StoreError.corrupt` when they are not JSON.
    static func parseObject(_ bytes: [UInt8], digest: String) throws -> JSONValue {
        do {
            return try JSONParser.parse(bytes: bytes)
        } catch {
            throw StoreError.corrupt("object \(digest) is not JSON: \(error)")
        }
    }

    public func objectCount() throws -> Int {
        Int(try database.query("SELECT count(*) FROM objects").first?.int(0) ?? 0)
    }

    // MARK: - Snapshots

    /// Every snapshot, oldest first.
    public func snapshots() throws -> [SnapshotInfo] {
        try database.query("SELECT id, digest, header, run_id FROM snapshots ORDER BY captured_at, id").map(Self.snapshotInfo)
    }

    public func snapshot(digest: String) throws -> SnapshotInfo? {
        try database.query("SELECT id, digest, header, run_id FROM snapshots WHERE digest = ?", [.text(digest)])
            .first.map(Self.snapshotInfo)
    }

    public func latestSnapshot() throws -> SnapshotInfo? {
        try database.query("SELECT id, digest, header, run_id FROM snapshots ORDER BY captured_at DESC, id DESC LIMIT 1")
            .first.map(Self.snapshotInfo)
    }

    public func parent(of snapshot: SnapshotInfo) throws -> SnapshotInfo? {
        guard let parentDigest = snapshot.parentDigest else { return nil }
        return try self.snapshot(digest: parentDigest)
    }

    /// The canonical header bytes of a snapshot, as hashed into its digest.
    public func snapshotHeader(digest: String) throws -> [UInt8]? {
        try database.query("SELECT header FROM snapshots WHERE digest = ?", [.text(digest)]).first?.bytes(0)
    }

    static func snapshotInfo(_ row: SQLiteRow) -> SnapshotInfo {
        let header = (try? JSONParser.parse(bytes: row.bytes(2) ?? [])) ?? .null
        return SnapshotInfo(
            id: row.int(0) ?? 0,
            digest: row.string(1) ?? "",
            parentDigest: header["parent"]?.stringValue,
            capturedAt: header["captured_at"]?.stringValue ?? "",
            runID: row.int(3),
            isComplete: header["complete"]?.boolValue ?? false,
            treeDigest: header["tree"]?.stringValue ?? "",
            resourceCount: header["resources"]?.intValue ?? 0,
            accountID: header["account"]?["id"]?.stringValue,
            accountEmail: header["account"]?["email"]?.stringValue,
            notRecorded: (header["not_recorded"]?.arrayValue ?? []).compactMap(NotRecordedListing.init(jsonValue:)))
    }

    /// Writes the resources as objects and trees and commits one snapshot whose parent is the
    /// latest snapshot, all in one transaction. Each new object is stored against its
    /// counterpart in the parent snapshot when that is smaller.
    ///
    /// The snapshot's volatile anchors (see `VolatileAnchors`) are recorded under `volatility`.
    public func commitSnapshot(
        resources: [CapturedResource], notRecorded: [NotRecordedListing], capturedAt: String, runID: Int64?,
        account: JSONValue, volatility: VolatilityPolicy = .default
    ) throws -> SnapshotInfo {
        do {
            return try writeSnapshot(
                resources: resources, notRecorded: notRecorded, capturedAt: capturedAt, runID: runID, account: account,
                volatility: volatility)
        } catch {
            // The rolled-back rows' ids will be given to other objects.
            forgetRecentObjects()
            throw error
        }
    }

    private func writeSnapshot(
        resources: [CapturedResource], notRecorded: [NotRecordedListing], capturedAt: String, runID: Int64?,
        account: JSONValue, volatility: VolatilityPolicy
    ) throws -> SnapshotInfo {
        try database.inTransaction {
            let parent = try latestSnapshot()
            let previousDigests = try parent.map { try SnapshotTree.digestsByKey(of: $0, in: self) } ?? [:]
            let fingerprint = volatility.anchorFingerprint
            let previousAnchors = try parent.flatMap { try volatileAnchors(of: $0, fingerprint: fingerprint) }
            var anchors = VolatileAnchors(policy: fingerprint)
            var entriesByKind: [String: [ResourceEntry]] = [:]
            var kindBases: [String: KindBase] = [:]
            // Concurrent listings finish in any order. Sorted, the same resources pick the same
            // kind bases, so the same captures store every object in the same form.
            let sorted = resources.sorted { ($0.kind, $0.key) < ($1.kind, $1.key) }
            for resource in try Self.placingKindBasesFirst(sorted, previousDigests: previousDigests) {
                let bytes = CanonicalJSON.encode(resource.body)
                let (digest, standalone) = try storeObject(
                    bytes, similarTo: previousDigests[resource.kind]?[resource.key], chain: .skipping, kindBase: kindBases[resource.kind])
                if kindBases[resource.kind] == nil, let standalone {
                    kindBases[resource.kind] = standalone
                }
                let entry = ResourceEntry(
                    kind: resource.kind, key: resource.key, name: resource.name, parentKey: resource.parentKey,
                    appKey: resource.appKey, digest: digest)
                entriesByKind[resource.kind, default: []].append(entry)
                if let previous = previousDigests[resource.kind]?[resource.key],
                    let anchor = try anchor(of: resource, bytes: bytes, digest: digest, previous: previous, previousAnchors: previousAnchors, volatility: volatility)
                {
                    anchors.anchors[resource.kind, default: [:]][resource.key] = anchor
                }
            }
            let treeDigest = try SnapshotTree.write(entriesByKind, to: self, previousRoot: parent?.treeDigest)
            // Stored in consecutive chains, like trees. On the benchmark's large account,
            // skipping chains took 2.43 MB over 90 days against 1.52 MB, for the same diff times.
            let anchorsObject = try putJSON(anchors.jsonValue, similarTo: try parent.flatMap { try anchorsDigest(of: $0) })
            let header: JSONValue = [
                "format": 1,
                "parent": parent.map { .string($0.digest) } ?? .null,
                "captured_at": .string(capturedAt),
                "complete": .bool(notRecorded.isEmpty),
                "tree": .string(treeDigest),
                "resources": .number(Double(resources.count)),
                "account": account,
                "not_recorded": .array(notRecorded.sorted { ($0.kind, $0.parentKey ?? "") < ($1.kind, $1.parentKey ?? "") }.map(\.jsonValue)),
            ]
            let headerBytes = CanonicalJSON.encode(header)
            let digest = Digest.sha256(headerBytes)
            try database.query(
                "INSERT INTO snapshots (digest, captured_at, run_id, tree_digest, header, anchors) VALUES (?, ?, ?, ?, ?, ?)",
                [.text(digest), .text(capturedAt), SQLiteValue(runID), .text(treeDigest), .blob(headerBytes), .text(anchorsObject)])
            guard let info = try snapshot(digest: digest) else {
                throw StoreError.corrupt("snapshot \(digest) vanished after insert")
            }
            return info
        }
    }

    /// Returns the anchor of `resource`, stored as `digest` with the canonical `bytes`, whose
    /// version in the parent snapshot is `previous`. When the two versions are the same or
    /// differ only in volatile fields, that is the parent's anchor, or `previous` when the
    /// parent has none. Otherwise it is nil.
    private func anchor(
        of resource: CapturedResource, bytes: [UInt8], digest: String, previous: String, previousAnchors: VolatileAnchors?,
        volatility: VolatilityPolicy
    ) throws -> String? {
        let previousAnchor = previousAnchors?.anchors[resource.kind]?[resource.key]
        if previous == digest {
            return previousAnchor
        }
        guard let previousBytes = try objectBytes(previous) else {
            throw StoreError.corrupt("object \(previous) is missing, though the parent snapshot lists it")
        }
        let isVolatileOnly: Bool
        do {
            isVolatileOnly = try volatility.differsOnlyInVolatileFields(kind: resource.kind, oldBytes: previousBytes, newBytes: bytes)
        } catch {
            throw StoreError.corrupt("object \(previous) is not JSON: \(error)")
        }
        return isVolatileOnly ? previousAnchor ?? previous : nil
    }

    /// Returns the digest of the object that lists the volatile anchors of `snapshot`, or nil
    /// when it has none because it was captured before schema 7.
    func anchorsDigest(of snapshot: SnapshotInfo) throws -> String? {
        guard schema >= StoreSchema.anchorsSchema else { return nil }
        return try database.query("SELECT anchors FROM snapshots WHERE id = ?", [.integer(snapshot.id)]).first?.string(0)
    }

    /// Returns the volatile anchors of `snapshot` when they were recorded under the policy
    /// with `fingerprint`, or nil.
    /// NOTE: the object is parsed whole on every call, about 3 % of the CPU time of a diff of
    /// two snapshots a month apart on the benchmark's large account.
    /// - Throws: `StoreError.corrupt` when the snapshot names an object that is missing or
    ///   is not a list of anchors.
    public func volatileAnchors(of snapshot: SnapshotInfo, fingerprint: String) throws -> VolatileAnchors? {
        guard let digest = try anchorsDigest(of: snapshot) else { return nil }
        guard let anchors = VolatileAnchors(jsonValue: try object(digest)) else {
            throw StoreError.corrupt("object \(digest), the volatile anchors of snapshot \(snapshot.digest), is not a list of anchors")
        }
        return anchors.policy == fingerprint ? anchors : nil
    }

    // MARK: - Resources

    /// Digest of each kind's tree in a snapshot.
    public func kindTrees(of snapshot: SnapshotInfo) throws -> [String: String] {
        try SnapshotTree.kindDigests(root: snapshot.treeDigest, in: self)
    }

    /// Every resource entry of `snapshot`, or only those of `kind`, sorted by kind then key.
    public func entries(of snapshot: SnapshotInfo, kind: String? = nil) throws -> [ResourceEntry] {
        let trees = try kindTrees(of: snapshot)
        var result: [ResourceEntry] = []
        for (treeKind, digest) in trees.sorted(by: { $0.key < $1.key }) where kind == nil || kind == treeKind {
            result += try SnapshotTree.entries(kind: treeKind, treeDigest: digest, in: self)
        }
        return result
    }

    /// The stored body of one resource.
    public func body(of entry: ResourceEntry) throws -> JSONValue {
        try object(entry.digest)
    }
}
