/// The storage form of objects. A body is either the canonical bytes themselves, or a zlib
/// stream of them. The stream is standalone, or deflated against the canonical bytes of the
/// object named in the `base` column, usually the previous version of the same resource or
/// tree leaf. The digest always
/// covers the canonical bytes, and every read decompresses, so callers only see those bytes.
///
/// A daily capture changes a few fields of a few thousand resources. Stored whole, each
/// changed resource cost its full size; stored against its previous version, it costs
/// about the bytes that changed.
///
/// Writers only choose a standalone object as base, so a read inflates at most two streams.
/// An object that serves as a base must never be deleted while another refers to it; the
/// `base` column's foreign key makes SQLite refuse that.
extension SnapshotStore {
    /// The maximum chain of bases a read follows before it reports the store as damaged.
    /// Docket writes chains of one, so the limit only stops a damaged store from looping.
    static let maximumBaseDepth = 8

    /// A body as stored, and the base it was deflated against, if any.
    struct EncodedObject {
        var body: [UInt8]
        var base: String?
    }

    /// Chooses the smaller of two forms of `bytes`, as is or deflated, unless deflating
    /// against the standalone object behind `hint` takes at most half the deflated size.
    ///
    /// A delta larger than that means the resource has drifted far from its base, so the
    /// object is stored standalone and becomes the base of the versions after it. Over 90
    /// daily snapshots of the benchmark's small account this stored 17 % fewer bytes than
    /// always taking the smallest form, because bases never go stale.
    func encodeObject(_ bytes: [UInt8], similarTo hint: String?) throws -> EncodedObject {
        // Bytes that start like a zlib stream are never stored as is, or a read would take
        // them for one.
        var best = EncodedObject(body: bytes, base: nil)
        let standalone = try ObjectCompression.compress(bytes)
        if standalone.count < best.body.count || ObjectCompression.isCompressed(bytes) {
            best = EncodedObject(body: standalone, base: nil)
        }
        guard let hint, let base = try deltaBase(for: hint) else { return best }
        let delta = try ObjectCompression.compress(bytes, dictionary: base.bytes)
        if delta.count * 2 <= standalone.count && delta.count < best.body.count {
            best = EncodedObject(body: delta, base: base.digest)
        }
        return best
    }

    /// The standalone object a delta against `hint` should use: `hint` itself, or the base
    /// `hint` was stored against. Nil when the store has no object `hint`.
    private func deltaBase(for hint: String) throws -> (digest: String, bytes: [UInt8])? {
        guard let row = try database.query("SELECT base FROM objects WHERE digest = ?", [.text(hint)]).first else {
            return nil
        }
        let digest = row.string(0) ?? hint
        guard let bytes = try objectBytes(digest) else { return nil }
        return (digest, bytes)
    }

    /// Reads the canonical bytes of object `digest`, or nil when the store has no such object.
    func decodedObject(_ digest: String, depth: Int) throws -> [UInt8]? {
        guard let row = try database.query("SELECT body, base FROM objects WHERE digest = ?", [.text(digest)]).first else {
            return nil
        }
        return try decode(digest: digest, body: row.bytes(0) ?? [], base: row.string(1), depth: depth)
    }

    /// Returns the canonical bytes of a stored body: the body itself, or the body inflated
    /// against its base's canonical bytes.
    /// - Throws: `StoreError.corrupt` naming the object when the stream is damaged, or its
    ///   base is missing, damaged or too deep.
    func decode(digest: String, body: [UInt8], base: String?, depth: Int = 0) throws -> [UInt8] {
        guard ObjectCompression.isCompressed(body) else { return body }
        var dictionary: [UInt8]?
        if let base {
            guard depth < Self.maximumBaseDepth else {
                throw StoreError.corrupt("object \(digest) lies behind more than \(Self.maximumBaseDepth) delta bases")
            }
            if let cached = recentBases.bytes(of: base) {
                dictionary = cached
            } else {
                guard let baseBytes = try decodedObject(base, depth: depth + 1) else {
                    throw StoreError.corrupt("object \(digest) is stored as a delta against object \(base), which is missing")
                }
                recentBases.insert(baseBytes, digest: base)
                dictionary = baseBytes
            }
        }
        do {
            return try ObjectCompression.decompress(body, dictionary: dictionary)
        } catch let error as ZlibError {
            let against = base.map { " against object \($0)" } ?? ""
            throw StoreError.corrupt("object \(digest), stored compressed\(against), cannot be decompressed: \(error)")
        }
    }
}

/// The canonical bytes of the bases a store inflated most recently. The two versions of a
/// resource that a diff compares usually share a base, which would otherwise be read and
/// inflated twice.
struct RecentBases {
    static let capacity = 64
    private var bytesByDigest: [String: [UInt8]] = [:]
    private var order: [String] = []

    func bytes(of digest: String) -> [UInt8]? {
        bytesByDigest[digest]
    }

    mutating func insert(_ bytes: [UInt8], digest: String) {
        guard bytesByDigest[digest] == nil else { return }
        if order.count == Self.capacity {
            bytesByDigest[order.removeFirst()] = nil
        }
        order.append(digest)
        bytesByDigest[digest] = bytes
    }
}
