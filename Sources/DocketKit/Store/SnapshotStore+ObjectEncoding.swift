/// The storage form of objects. `object_keys` maps the first bytes of each digest to a row
/// of `objects` (see `ObjectIndex`), which contains the body. A body is either the canonical
/// bytes themselves, a deflate stream of them, or a copy delta (see `ObjectCompression`). A
/// stream is standalone, or deflated against the canonical bytes of the object in the `base`
/// column, an earlier version of the same resource or tree. A copy delta always has a base.
/// The digest always covers the canonical bytes, and every read decodes, so callers only see
/// those bytes.
///
/// A daily capture changes a few fields of a few thousand resources, and the tree leaves
/// and kind trees that list them. Stored against an earlier version, each costs about the
/// bytes that changed since then. Versions form a chain back to the chain's start, and
/// `depth` numbers each version from that start (the start is 0). The start is stored alone,
/// or for a resource against another of its kind (see `KindBase`), and is still the start:
/// no later version is stored against an object beyond it. How a version picks its base
/// depends on the chain's `ChainShape`:
/// - `.consecutive` (trees): against the version before it, so a read decodes every version
///   from the start, at most `maximumChainDepth` bodies plus one. A leaf changes a few
///   entries a day, and against a leaf a week older it would carry a week's changes.
/// - `.skipping` (resources): version n against version n with its lowest set bit cleared:
///   7 against 6, 6 against 4, 4 against 0, the start. A read of version n decodes the start
///   and one body for each set bit of n, so at most 6 bodies below 32. Subversion
///   picks its delta bases the same way (notes/skip-deltas in its repository). Most changes
///   to a resource are fields that move every day, which differ from a version a week older
///   by about as many bytes as from the day before.
///
/// A version is also stored against the chain's start, numbered 1, when that costs at
/// most `startDeltaAllowance` bytes more, and when the previous version is the last its
/// chain may hold. So the chain needs no new standalone copy until the resource drifts.
/// git packs objects in chains the same way, and its chains branch too: several versions
/// may share one base.
///
/// Stores written before skipping chains have consecutive chains only, where the number of
/// a version is its count of steps, so both shapes read the same way and a new version
/// finds its base on either.
///
/// An object that serves as a base must never be deleted while another refers to it; the
/// `base` column's foreign key makes SQLite refuse that.
extension SnapshotStore {
    /// The highest number a version of a consecutive chain gets. A longer chain makes every
    /// read of a tree that changes often decode more bodies. git's default is 50. On the
    /// benchmark's quick account, kind trees took 15 kB a day in chains, against 20 kB on day
    /// 3 and 31 kB on day 12 as deltas against one fixed base, which grew with every day
    /// since the base. Chains of 8 made `docket diff` faster on the benchmark's large account
    /// (see BENCHMARKS.md), but the store then grew about as much a day as git's.
    static let maximumChainDepth = 16

    /// The highest number a version of a skipping chain gets. A simulation replayed the
    /// `estate` account's 90 days (bench/run.py) with deflate deltas and trees in
    /// consecutive chains of 16. Against consecutive chains of 16 for resources too,
    /// skipping chains of 32 cut the resource bodies that `docket diff` decodes for day 90
    /// against day 60 from 74,207 to 37,787, and for day 31 against day 1 from 50,063 to
    /// 25,487. The bodies took 0.8 % more bytes, and with skipping chains of 16, 1.2 % more.
    static let maximumSkippingDepth = 32

    /// How many bytes more a delta against the start of a chain may take than the delta
    /// against the version its chain picks, and still be the one stored. `docket diff` reads
    /// two versions of each changed resource, usually on different days of a chain. These
    /// figures are from consecutive chains of deflate deltas. On the
    /// benchmark's small account over 90 days, diffing day 90 against day 60 took 5 % fewer
    /// instructions with 0 bytes than with chains only, and the store grew 0.7 % less a day.
    /// 16 bytes took 11 % fewer there but grew the large account's store 3.3 % more a day,
    /// with no diff time gain measurable on that account.
    static let startDeltaAllowance = 0

    /// The maximum chain a read follows before it reports the store as damaged, so that a
    /// damaged store cannot make a read loop.
    static let maximumBaseDepth = 64

    /// A standalone object that the new resources of one kind in a commit may be stored
    /// against: the first of that kind that the commit stored alone, which is the one most
    /// like the others when the kind has new resources (see `placingKindBasesFirst`).
    /// Resources of one kind share their field names and many values. On the benchmark's
    /// `estate` account, a Python prototype stored each of day 1's 59,145 other resources
    /// against the first of its kind, and they took 41 % fewer bytes than deflated alone
    /// (12.9 against 22.0 MB).
    struct KindBase {
        var id: Int64
        var bytes: [UInt8]
        /// The bytes packed as a dictionary, once for all the resources stored against them.
        var packed: [UInt8]

        init(id: Int64, bytes: [UInt8]) {
            self.id = id
            self.bytes = bytes
            packed = DigestPacking.packDictionary(bytes)
        }
    }

    /// A body as stored, the row id of the base it was deflated against, and its chain depth.
    struct EncodedObject {
        var body: [UInt8]
        var base: Int64?
        var depth: Int
    }

    /// One row of `objects`, and the digest it was looked up by, if any.
    struct StoredObject {
        var id: Int64
        var digest: String?
        var body: [UInt8]
        var base: Int64?

        /// The object's name in messages: `object <digest>`, or its row when the digest is
        /// not at hand. Built only for a message, since a read decodes many rows.
        var name: String {
            digest.map { "object \($0)" } ?? "the object in row \(id)"
        }
    }

    /// Chooses the smallest of three forms of `bytes`: as is, deflated, or deflated against
    /// an earlier version in the chain of the object `hint` names (see
    /// `delta(of:against:chain:)`). The delta is taken only when it is at most half the
    /// deflated size. Otherwise the object starts a new chain, because a larger delta means
    /// the resource has drifted from its past.
    func encodeObject(_ bytes: [UInt8], similarTo hint: String?, chain: ChainShape = .consecutive, kindBase: KindBase? = nil) throws -> EncodedObject {
        // Bytes that start like a compressed body are never stored as is, or a read would
        // take them for one.
        var best = EncodedObject(body: bytes, base: nil, depth: 0)
        let standalone = try ObjectCompression.compress(bytes)
        if standalone.count < best.body.count || ObjectCompression.isCompressed(bytes) {
            best = EncodedObject(body: standalone, base: nil, depth: 0)
        }
        if let hint, let delta = try delta(of: bytes, against: hint, chain: chain),
            delta.body.count * 2 <= standalone.count && delta.body.count < best.body.count
        {
            return delta
        }
        // A new chain starts here. Against another object of its kind it is still numbered 0,
        // so its later versions never pick that object as a base.
        if let kindBase {
            let body = try ObjectCompression.delta(bytes, against: kindBase.bytes, packedBase: kindBase.packed)
            if body.count < best.body.count {
                best = EncodedObject(body: body, base: kindBase.id, depth: 0)
            }
        }
        return best
    }

    /// Deflates `bytes` as the next version in the chain of the object `hint` names, against
    /// the base `chain` picks, unless that chain is full, and against the chain's start.
    /// Returns the first delta when it is smaller than the other by more than
    /// `startDeltaAllowance` bytes, else the delta against the start. Returns nil when the
    /// store has no object `hint` or its chain is longer than a read follows.
    private func delta(of bytes: [UInt8], against hint: String, chain: ChainShape) throws -> EncodedObject? {
        guard let version = try locateObject(hint).match, let earlier = try chainRows(from: version.id) else { return nil }
        let start = earlier[earlier.count - 1].id
        var onVersion: EncodedObject?
        let number = version.depth + 1
        if number <= chain.maximumDepth {
            // The first row numbered at most the number the chain picks. Every chain holds one,
            // because numbers fall along it to the start's 0.
            let picked = chain.baseNumber(of: number).flatMap { pick in earlier.first { $0.number <= pick } }
            let base = picked?.id ?? version.id
            let body = try self.delta(of: bytes, againstRow: base)
            onVersion = EncodedObject(body: body, base: base, depth: number)
        }
        guard version.depth > 0, onVersion?.base != start else { return onVersion }
        let onStart = try self.delta(of: bytes, againstRow: start)
        if let onVersion, onVersion.body.count + Self.startDeltaAllowance < onStart.count {
            return onVersion
        }
        return EncodedObject(body: onStart, base: start, depth: 1)
    }

    /// Encodes `bytes` as a delta against the object in row `id` (see
    /// `ObjectCompression.delta`), with its bytes packed when a read has kept them so.
    private func delta(of bytes: [UInt8], againstRow id: Int64) throws -> [UInt8] {
        guard let base = try decodedObject(id: id, depth: 0) else {
            throw StoreError.corrupt("the object in row \(id) is missing, though a delta chain names it")
        }
        return try ObjectCompression.delta(bytes, against: base.bytes, packedBase: base.packed)
    }

    /// Returns the row ids and numbers on the chain from row `id` back to its start, the
    /// first row numbered 0 or stored alone, or nil when the chain is longer than a read
    /// follows, which only happens in a damaged store, and `docket check` reports it.
    private func chainRows(from id: Int64) throws -> [(id: Int64, number: Int)]? {
        var rows: [(id: Int64, number: Int)] = []
        var current: Int64? = id
        while let row = current, rows.count <= Self.maximumBaseDepth {
            guard let stored = try database.query("SELECT base, depth FROM objects WHERE id = ?", [.integer(row)]).first else {
                throw StoreError.corrupt("the object in row \(row) is missing, though a delta chain names it")
            }
            let number = Int(stored.int(1) ?? 0)
            rows.append((row, number))
            current = number > 0 ? stored.int(0) : nil
        }
        return current == nil ? rows : nil
    }

    /// One row read through the index: its id, chain depth and canonical bytes.
    struct LocatedObject {
        var id: Int64
        var depth: Int
        var bytes: [UInt8]
    }

    /// Reads every row under the key of `digest` and returns the one whose canonical bytes
    /// hash to `digest`, if any, and how many rows did not. Usually one row is under a key.
    /// When none matches, the others are either an altered object or, rarely, other objects
    /// whose digests start with the same bytes.
    /// - Throws: `StoreError.corrupt` naming the object when no row matches and a row under
    ///   the key cannot be decompressed. A damaged row does not hide another that matches.
    func locateObject(_ digest: String) throws -> (match: LocatedObject?, mismatches: Int) {
        guard let key = objectIndex.key(digest) else { return (nil, 0) }
        var mismatches = 0
        var damage: Error?
        var rows: [(stored: StoredObject, depth: Int)] = []
        try database.forEachRow(objectIndex.rowsQuery, [key]) { row in
            rows.append((StoredObject(id: row.int(0) ?? 0, digest: digest, body: row.bytes(1), base: row.int(2)), Int(row.int(3) ?? 0)))
        }
        for (stored, depth) in rows {
            let id = stored.id
            let bytes: [UInt8]
            do {
                bytes = try decode(stored)
            } catch let error as StoreError {
                damage = damage ?? error
                continue
            }
            if Digest.sha256(bytes) == digest {
                return (LocatedObject(id: id, depth: depth, bytes: bytes), mismatches)
            }
            mismatches += 1
        }
        if let damage { throw damage }
        return (nil, mismatches)
    }

    private func decodedObject(id: Int64, depth: Int) throws -> ObjectCompression.Inflater.Output? {
        if let cached = recentBases[id] { return cached }
        var found: StoredObject?
        try database.forEachRow("SELECT body, base FROM objects WHERE id = ?", [.integer(id)]) { row in
            found = StoredObject(id: id, digest: nil, body: row.bytes(0), base: row.int(1))
        }
        guard let stored = found else { return nil }
        let decoded = try decodeKeepingPacked(stored, depth: depth)
        recentBases.insert(decoded, for: id)
        return decoded
    }

    /// Returns the canonical bytes of a stored body: the body itself, or the body inflated
    /// (against its base's canonical bytes when it has a base) and, for a
    /// `digestPackedMarker` body, unpacked.
    /// - Throws: `StoreError.corrupt` naming the object when the stream is damaged, or its
    ///   base is missing, damaged or too deep.
    func decode(_ stored: StoredObject, depth: Int = 0) throws -> [UInt8] {
        try decodeKeepingPacked(stored, depth: depth).bytes
    }

    /// Decodes a stored body as `decode` does, keeping the packed bytes of a
    /// `digestPackedMarker` body for the versions stored against it.
    private func decodeKeepingPacked(_ stored: StoredObject, depth: Int) throws -> ObjectCompression.Inflater.Output {
        guard ObjectCompression.isCompressed(stored.body) else { return .init(bytes: stored.body, packed: nil) }
        var dictionary: ObjectCompression.Inflater.Output?
        if let base = stored.base {
            guard depth < Self.maximumBaseDepth else {
                throw StoreError.corrupt("\(stored.name) lies behind more than \(Self.maximumBaseDepth) delta bases")
            }
            guard let baseOutput = try decodedObject(id: base, depth: depth + 1) else {
                throw StoreError.corrupt("\(stored.name) is stored as a delta against the object in row \(base), which is missing")
            }
            dictionary = baseOutput
        }
        do {
            let inflater = try self.inflater ?? ObjectCompression.Inflater()
            self.inflater = inflater
            return try inflater.decompressKeepingPacked(stored.body, dictionary: dictionary?.bytes, packedDictionary: dictionary?.packed)
        } catch let error where error is ZlibError || error is DigestPacking.TruncatedDigest || error is CopyDelta.Malformed {
            let against = stored.base == nil ? "" : " against its base"
            throw StoreError.corrupt("\(stored.name), stored compressed\(against), cannot be decompressed: \(error)")
        }
    }
}

/// The rule by which each version in a chain of objects picks the earlier version it is
/// stored against (see the storage form above `SnapshotStore.encodeObject`).
public enum ChainShape: Sendable {
    /// Each version against the one before it, as tree objects are stored.
    case consecutive
    /// Version n against version n with its lowest set bit cleared, as resources are stored.
    case skipping

    /// The highest number a version of the chain gets.
    var maximumDepth: Int {
        switch self {
        case .consecutive: SnapshotStore.maximumChainDepth
        case .skipping: SnapshotStore.maximumSkippingDepth
        }
    }

    /// The number of the version that version `number` is stored against, or nil for the
    /// version just before it.
    func baseNumber(of number: Int) -> Int? {
        switch self {
        case .consecutive: nil
        case .skipping: number & (number - 1)
        }
    }
}

extension SnapshotStore {
    /// The size of the page cache for a read of many objects, in KiB. Each step of a delta
    /// chain is a row written on another day, so it lies on another page. With SQLite's
    /// default cache of about 2 MB, `docket diff` of day 90 against day 60 of the large
    /// account that bench/run.py builds (59,360 resources) read 25,000 objects with 73,000
    /// reads of 16 KiB pages from the file. With 16 MiB it made 23,000 reads.
    static let readCacheKibibytes = 16384

    /// Raises the connection's page cache to `readCacheKibibytes` for a command that reads
    /// many objects once, such as `docket diff`. The cache fills only as pages are read and
    /// stays at that bound, however many snapshots the store has. A bundle does not use it:
    /// it diffs each snapshot against the one before, whose objects its own caches hold.
    public func reservePageCacheForReading() throws {
        try database.execute("PRAGMA cache_size = -\(Self.readCacheKibibytes)")
    }
}

extension SnapshotStore {
    /// Creates the cache of the canonical bytes of the bases a store inflated most recently,
    /// by row id. Reading a version inflates its chain. The snapshot after it needs the same
    /// chain plus one step, and the two versions a diff compares usually share most of theirs.
    static func makeBaseCache() -> RecentValues<Int64, ObjectCompression.Inflater.Output> {
        RecentValues(maximumCount: 4096, maximumCost: 8 << 20) { $0.bytes.count + ($0.packed?.count ?? 0) }
    }
}

extension SnapshotStore {
    /// How many new resources of one kind a commit compares to pick the kind's base.
    static let kindBaseCandidates = 8

    /// Returns `sorted`, resources sorted by kind and key, with the new resource of each kind
    /// that is most like the others moved to the front of its kind, so that it is stored
    /// alone and becomes the kind base. Among the first `kindBaseCandidates` new resources of
    /// a kind, that is the one the others deflate smallest against, the first on a tie.
    ///
    /// The first by key is as good a base as any other only on average. Take day 1 of the
    /// benchmark's `estate` account: stored against the first of each kind by key, the
    /// resources with a kind base took 13.70 MB. Against the first listed they took
    /// 13.00 MB, and against the most alike of 8, 12.38 MB (12.35 MB of 16).
    static func placingKindBasesFirst(
        _ sorted: [CapturedResource], previousDigests: [String: [String: String]]
    ) throws -> [CapturedResource] {
        var result = sorted
        var start = 0
        while start < result.count {
            let kind = result[start].kind
            var end = start
            while end < result.count && result[end].kind == kind { end += 1 }
            let candidates = (start..<end).lazy.filter { previousDigests[kind]?[result[$0].key] == nil }.prefix(kindBaseCandidates)
            if let chosen = try bestKindBase(Array(candidates), in: result), chosen != start {
                let resource = result.remove(at: chosen)
                result.insert(resource, at: start)
            }
            start = end
        }
        return result
    }

    /// Returns the position among `positions` of the resource the others deflate smallest
    /// against, or nil for fewer than three, where any is as good.
    /// NOTE: the score is the deflate stream's size; a resource stored against the pick may
    /// be a copy delta, so the pick is the best base only as an estimate.
    private static func bestKindBase(_ positions: [Int], in resources: [CapturedResource]) throws -> Int? {
        guard positions.count >= 3 else { return nil }
        let bodies = positions.map { CanonicalJSON.encode(resources[$0].body) }
        var best: (position: Int, bytes: Int)?
        for (index, base) in bodies.enumerated() {
            var total = 0
            for (other, body) in bodies.enumerated() where other != index {
                total += try ObjectCompression.compress(body, dictionary: base).count
            }
            if total < best?.bytes ?? .max {
                best = (positions[index], total)
            }
        }
        return best?.position
    }
}
