/// Snapshot tree digests computed from indexes read one after another, reusing what
/// consecutive snapshots share: index objects with the same bytes (`IndexScanner`), a kind's
/// digest when its resources are the previous snapshot's, and leaves (`TreeDigestCache`).
struct IndexTreeHasher {
    private var previousIndex: IndexScanner.Reading?
    /// How many indexes `read` has read, which numbers the readings.
    private var readCount = 0
    /// Each kind's digest in the last tree computed, with the positions of its resources in
    /// that snapshot's index, and which reading that index was.
    private var previousKinds: (reading: Int, kinds: [String: (digest: String, positions: [Int])])?
    private var cache = TreeDigestCache()

    /// Reads an index with `IndexScanner`, after the index read before. Returns nil when the
    /// bytes are not in the scanner's form, which the caller then parses.
    mutating func read(_ bytes: [UInt8]) -> IndexScanner.Reading? {
        readCount += 1
        previousIndex = IndexScanner.read(bytes, after: previousIndex)
        return previousIndex
    }

    /// Computes the tree digest of the index `read` read last. A kind keeps its digest from
    /// the index read before when its resources are that index's resources of the kind, in
    /// order and with the same bytes. The other kinds are hashed through the leaf cache.
    /// - Throws: `StoreError.corrupt` when two entries of a kind share a key.
    mutating func treeDigest(_ index: IndexEntries) throws -> String {
        // The origins point into the index read just before, so only its kinds can be kept.
        var previous: [String: (digest: String, positions: [Int])] = [:]
        if let kept = previousKinds, kept.reading == readCount - 1 {
            previous = kept.kinds
        }
        previousKinds = nil
        var kinds: [String: (digest: String, positions: [Int])] = [:]
        for (kind, entries) in index.byKind {
            let positions = index.positions[kind] ?? []
            let origins = index.origins[kind] ?? []
            if let known = previous[kind], known.positions == origins, !origins.contains(-1) {
                kinds[kind] = (known.digest, positions)
            } else {
                kinds[kind] = (try SnapshotTree.kindDigest(entries, kind: kind, cache: &cache), positions)
            }
        }
        previousKinds = (readCount, kinds)
        return SnapshotTree.rootDigest(kindDigests: kinds.mapValues(\.digest))
    }

    /// Reads an index and computes its tree digest, or a failure's message. Returns nil when
    /// the bytes are not in `IndexScanner`'s form.
    mutating func outcome(of bytes: [UInt8]) -> IndexTreeOutcome? {
        guard let reading = read(bytes) else { return nil }
        return outcome(of: IndexEntries(reading.contents, origins: reading.origins))
    }

    /// Computes the tree digest of the entries of the index `read` read last, or a failure's message.
    mutating func outcome(of entries: IndexEntries) -> IndexTreeOutcome {
        do {
            return .digest(try treeDigest(entries))
        } catch {
            return .failure("\(error)")
        }
    }
}

/// A snapshot tree digest computed from an index, or why it could not be.
enum IndexTreeOutcome: Sendable {
    case digest(String)
    case failure(String)
}

/// A snapshot index's well-formed entries (see `IndexedResource.entry`) by kind. For each
/// entry of a kind, its positions are where it is in the index, and its origins where the
/// previous index had the same bytes (`IndexScanner`'s `origins`), or -1.
struct IndexEntries {
    var byKind: [String: [ResourceEntry]] = [:]
    var positions: [String: [Int]] = [:]
    var origins: [String: [Int]] = [:]

    init(_ index: IndexScanner.Contents, origins: [Int?]?) {
        for kind in index.kinds {
            byKind[kind] = []
        }
        for (position, fields) in index.resources.enumerated() {
            guard let entry = fields.entry else { continue }
            byKind[entry.kind, default: []].append(entry)
            self.positions[entry.kind, default: []].append(position)
            self.origins[entry.kind, default: []].append(origins?[position] ?? -1)
        }
    }
}

/// Snapshot indexes whose tree digests a second thread computes while the scan reads on, in
/// archive order, so that consecutive snapshots share the work as they do after the scan.
/// One index at most is out: adding the next waits for it. The outcomes are keyed by the
/// SHA-256 of the index's bytes, as the spool keeps them.
///
/// NOTE: verify's peak memory rose by 26 MB with this work in the benchmark. That it is this
/// state (the indexes in flight, the last one parsed and the leaf cache) is an estimate from
/// their sizes, not a profile.
struct IndexTreeWork {
    private typealias Done = (hasher: IndexTreeHasher, digest: String, outcome: IndexTreeOutcome?)

    /// The hasher, nil while the work has it. It moves to the work and back rather than being
    /// shared, so its caches are never copied.
    private var hasher: IndexTreeHasher? = IndexTreeHasher()
    private var running: BackgroundWork<Lent<Done>>?
    private var outcomes: [String: IndexTreeOutcome] = [:]

    /// Starts on the index whose bytes hash to `digest` (SHA-256, lowercase hex).
    mutating func add(digest: String, bytes: [UInt8]) {
        collect()
        guard let hasher else { return }
        self.hasher = nil
        let lent = Lent(hasher)
        let work: @Sendable () -> Lent<Done> = {
            var hasher = lent.value
            let outcome = hasher.outcome(of: bytes)
            return Lent((hasher, digest, outcome))
        }
        running = BackgroundWork(work)
    }

    /// Waits for the index still out and returns every outcome, after which no work is left
    /// running. An index not in `IndexScanner`'s form has none.
    mutating func finish() -> [String: IndexTreeOutcome] {
        collect()
        return outcomes
    }

    private mutating func collect() {
        guard let running else { return }
        self.running = nil
        // The work's type is non-throwing, so waiting for it cannot fail.
        let done = try! running.wait().value
        hasher = done.hasher
        if let outcome = done.outcome {
            outcomes[done.digest] = outcome
        }
    }
}
