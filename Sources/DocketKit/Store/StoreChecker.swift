/// One problem found by `docket check`, named by the object, tree or snapshot it concerns.
public struct CheckProblem: Sendable, Hashable, CustomStringConvertible {
    /// What is damaged: `object <digest>`, `tree <digest>`, `snapshot <digest>` or `database`.
    public let subject: String
    public let message: String

    public var description: String { "\(subject): \(message)" }
}

/// Recomputes every digest in the store, walks every snapshot's tree and follows the chain.
/// It collects every problem instead of stopping at the first, as `restic check` does.
public struct StoreChecker {
    public struct Report: Sendable {
        public var problems: [CheckProblem]
        public var objectsChecked: Int
        public var snapshotsChecked: Int

        public var isValid: Bool { problems.isEmpty }
    }

    let store: SnapshotStore
    /// Whether `run` checks the volatile anchors (see `VolatileAnchors`). They are not
    /// evidence, so the evidence checks that bundles and controls run leave them to
    /// `docket check`.
    public let checksVolatileAnchors: Bool

    public init(store: SnapshotStore, checksVolatileAnchors: Bool = true) {
        self.store = store
        self.checksVolatileAnchors = checksVolatileAnchors
    }

    public func run() throws -> Report {
        // Every object is read from the file, not from what this process inflated before.
        store.forgetRecentObjects()
        var problems: [CheckProblem] = []
        problems += try checkSQLite()
        let snapshots = try loadSnapshots()
        defer { try? store.database.execute("DROP TABLE IF EXISTS temp.checked_digests") }
        var objects = try checkObjects()
        try walkTrees(snapshots.map(\.info), objects: &objects, problems: &problems)
        if checksVolatileAnchors {
            try checkAnchors(snapshots.map(\.info), objects: &objects, problems: &problems)
        }
        problems += namedDamage(objects: objects)
        problems += snapshots.flatMap(checkHeader)
        problems += checkChain(snapshots.map(\.info))
        return Report(problems: problems, objectsChecked: objects.count, snapshotsChecked: snapshots.count)
    }

    private func checkSQLite() throws -> [CheckProblem] {
        let rows = try store.database.query("PRAGMA integrity_check")
        let messages = rows.compactMap { $0.string(0) }.filter { $0 != "ok" }
        return messages.map { CheckProblem(subject: "database", message: "SQLite integrity check: \($0)") }
    }

    private func loadSnapshots() throws -> [(info: SnapshotInfo, header: [UInt8], capturedAtColumn: String)] {
        let rows = try store.database.query("SELECT id, digest, header, run_id, captured_at FROM snapshots ORDER BY captured_at, id")
        return rows.map { (SnapshotStore.snapshotInfo($0), $0.bytes(2) ?? [], $0.string(4) ?? "") }
    }

    private func checkHeader(_ snapshot: (info: SnapshotInfo, header: [UInt8], capturedAtColumn: String)) -> [CheckProblem] {
        let actual = Digest.sha256(snapshot.header)
        if actual != snapshot.info.digest {
            return [
                CheckProblem(
                    subject: "snapshot \(snapshot.info.digest)",
                    message: "its header hashes to \(actual), so the header was altered after it was committed")
            ]
        }
        // Snapshots are listed and resolved by the captured_at column, so it must agree with
        // the hashed header.
        guard snapshot.capturedAtColumn == snapshot.info.capturedAt else {
            return [
                CheckProblem(
                    subject: "snapshot \(snapshot.info.digest)",
                    message: "its captured_at column says \(snapshot.capturedAtColumn) but its header says \(snapshot.info.capturedAt), so the column was altered")
            ]
        }
        return []
    }

    private func checkChain(_ snapshots: [SnapshotInfo]) -> [CheckProblem] {
        var problems: [CheckProblem] = []
        var previous: SnapshotInfo?
        for snapshot in snapshots {
            if snapshot.parentDigest != previous?.digest {
                let expected = previous?.digest ?? "none (the first snapshot)"
                problems.append(
                    CheckProblem(
                        subject: "snapshot \(snapshot.digest)",
                        message: "its parent is \(snapshot.parentDigest ?? "none") but the snapshot before it is \(expected), so the chain is broken"))
            }
            previous = snapshot
        }
        return problems
    }

    /// The findings of `checkObjects` and of the walk that names them. Each damaged row's
    /// problem is kept until a digest that refers to it names it.
    struct ObjectFindings {
        var count = 0
        var damage: [Int64: String] = [:]
        /// Rows by the digest their content hashes to, where the index does not list them
        /// under it. Such a row is intact but lost from the index when a tree refers to that
        /// digest, and altered otherwise.
        var unlisted: [String: Int64] = [:]
        var named: Set<String> = []
        var unindexedKeys: [(key: [UInt8], id: Int64)] = []
    }

    /// Walks each snapshot's trees, reporting missing, altered or malformed trees and
    /// entries. It reads only tree objects that `checkObjects` found intact, so an altered
    /// tree is named once and its altered contents are not taken for references.
    ///
    /// Consecutive snapshots share most kind trees and objects. A kind tree found whole and
    /// without problem in the snapshot walked before is not walked again, and an object found
    /// intact there is not looked up again. Both are remembered for one snapshot only, so
    /// memory does not grow with the store.
    private func walkTrees(_ snapshots: [SnapshotInfo], objects: inout ObjectFindings, problems: inout [CheckProblem]) throws {
        var walked: Set<String> = []
        /// The objects each sound kind tree of the last walked snapshot names, by tree digest.
        var previousKinds: [String: [String]] = [:]
        var previousObjects: Set<String> = []
        for snapshot in snapshots where walked.insert(snapshot.treeDigest).inserted {
            guard try isIntactTree(snapshot.treeDigest, in: snapshot, objects: &objects, problems: &problems) else { continue }
            var count = 0
            var isWhole = true
            var soundKinds: [String: [String]] = [:]
            var intactObjects: Set<String> = []
            defer {
                previousKinds = soundKinds
                previousObjects = intactObjects
            }
            do {
                for (kind, tree) in try SnapshotTree.kindDigests(root: snapshot.treeDigest, in: store).sorted(by: { $0.key < $1.key }) {
                    if let digests = previousKinds[tree] {
                        count += digests.count
                        soundKinds[tree] = digests
                        intactObjects.formUnion(digests)
                        continue
                    }
                    guard try isIntactTree(tree, in: snapshot, objects: &objects, problems: &problems) else {
                        isWhole = false
                        continue
                    }
                    var leavesIntact = true
                    for leaf in try SnapshotTree.leaves(treeDigest: tree, in: store).values.sorted() where leaf != tree {
                        leavesIntact = try isIntactTree(leaf, in: snapshot, objects: &objects, problems: &problems) && leavesIntact
                    }
                    guard leavesIntact else {
                        isWhole = false
                        continue
                    }
                    let entries = try SnapshotTree.entries(kind: kind, treeDigest: tree, in: store)
                    count += entries.count
                    let found = try checkEntries(entries, kind: kind, tree: tree, objects: &objects, known: previousObjects, intact: &intactObjects)
                    problems += found
                    if found.isEmpty {
                        soundKinds[tree] = entries.map(\.digest)
                    }
                }
                if isWhole && count != snapshot.resourceCount {
                    problems.append(
                        CheckProblem(
                            subject: "snapshot \(snapshot.digest)",
                            message: "its header counts \(snapshot.resourceCount) resources but its tree lists \(count)"))
                }
            } catch let error as StoreError {
                problems.append(CheckProblem(subject: "snapshot \(snapshot.digest)", message: "its tree cannot be read: \(Self.detail(of: error))"))
            }
        }
    }

    /// Checks each snapshot's volatile anchors (see `VolatileAnchors`): the object that lists
    /// them is intact, and, for anchors recorded under the default policy, each resource
    /// listed has the same stable form as its anchor. A claim that the snapshot before made
    /// for the same version was checked there.
    /// NOTE: each version checked here is read a second time after `checkObjects` hashed it,
    /// which made `docket check` about 45 % slower on the benchmark's large account.
    private func checkAnchors(_ snapshots: [SnapshotInfo], objects: inout ObjectFindings, problems: inout [CheckProblem]) throws {
        var claims = AnchorClaims(policy: .default)
        var previousTrees: [String: String] = [:]
        for snapshot in snapshots {
            claims.startSnapshot()
            guard let digest = try store.anchorsDigest(of: snapshot), try isIntactAnchors(digest, of: snapshot, objects: &objects, problems: &problems),
                try isChecked(snapshot.treeDigest)
            else {
                previousTrees = [:]
                continue
            }
            let subject = "snapshot \(snapshot.digest)"
            do {
                guard let anchors = VolatileAnchors(jsonValue: try store.object(digest)) else {
                    problems.append(CheckProblem(subject: subject, message: "its volatile anchors, object \(digest), are not a list of anchors"))
                    previousTrees = [:]
                    continue
                }
                let trees = try store.kindTrees(of: snapshot)
                defer { previousTrees = trees }
                guard anchors.policy == claims.fingerprint else { continue }
                for (kind, keys) in anchors.anchors.sorted(by: { $0.key < $1.key }) {
                    let isTreeUnchanged = trees[kind] != nil && previousTrees[kind] == trees[kind]
                    let leaves = try kindLeaves(trees[kind])
                    for (key, anchor) in keys.sorted(by: { $0.key < $1.key }) {
                        // The same claim in an unchanged tree names the same version as before.
                        if isTreeUnchanged, let version = claims.previousVersion(kind: kind, key: key), version.anchor == anchor {
                            claims.record(version, kind: kind, key: key)
                            continue
                        }
                        if let problem = try problem(ofAnchor: anchor, kind: kind, key: key, leaves: leaves, objects: objects, claims: &claims) {
                            problems.append(CheckProblem(subject: subject, message: problem))
                        }
                    }
                }
            } catch let error as StoreError {
                problems.append(CheckProblem(subject: subject, message: "its volatile anchors cannot be checked: \(Self.detail(of: error))"))
                previousTrees = [:]
            }
        }
    }

    /// The policy anchors are checked under, and the versions and anchors that the claims of
    /// the last snapshot named, so that the next snapshot checks only the claims that differ.
    /// Its memory is that of one snapshot's claims, whatever the number of snapshots.
    private struct AnchorClaims {
        /// The version a claim named and the anchor it gave that version.
        struct Version: Equatable {
            var digest: String
            var anchor: String
        }

        let policy: VolatilityPolicy
        let fingerprint: String
        private var previous: [String: [String: Version]] = [:]
        private var current: [String: [String: Version]] = [:]

        init(policy: VolatilityPolicy) {
            self.policy = policy
            fingerprint = policy.anchorFingerprint
        }

        /// Makes the claims recorded so far those of the snapshot before.
        mutating func startSnapshot() {
            previous = current
            current = [:]
        }

        func previousVersion(kind: String, key: String) -> Version? {
            previous[kind]?[key]
        }

        mutating func record(_ version: Version, kind: String, key: String) {
            current[kind, default: [:]][key] = version
        }

        /// Returns true when the objects `digest` and `anchor` have the same stable form, as a
        /// capture compares them.
        func sharesStableForm(_ digest: String, anchor: String, kind: String, in store: SnapshotStore) throws -> Bool {
            guard let bytes = try store.objectBytes(digest) else {
                throw StoreError.corrupt("object \(digest) is missing")
            }
            guard let anchorBytes = try store.objectBytes(anchor) else {
                throw StoreError.corrupt("object \(anchor) is missing, though it is named as a volatile anchor")
            }
            do {
                return try policy.differsOnlyInVolatileFields(kind: kind, oldBytes: anchorBytes, newBytes: bytes)
            } catch {
                throw StoreError.corrupt("object \(digest) or its volatile anchor \(anchor) is not JSON: \(error)")
            }
        }
    }

    /// The leaves of one kind tree of a snapshot, read once for all the claims of that kind.
    private enum KindLeaves {
        case absent
        case damaged
        case leaves([String: String])
    }

    /// Returns the leaves of the kind tree `tree`: absent when the snapshot has no such tree,
    /// damaged when the tree walk found it damaged.
    private func kindLeaves(_ tree: String?) throws -> KindLeaves {
        guard let tree else { return .absent }
        guard try isChecked(tree) else { return .damaged }
        return .leaves(try SnapshotTree.leaves(treeDigest: tree, in: store))
    }

    /// Returns what is wrong with the claim that `anchor` is the volatile anchor of the
    /// resource `kind` `key` in a snapshot whose tree of that kind has `kindLeaves`, or nil.
    /// A claim whose tree, leaf or version is damaged is passed over, because the tree walk
    /// names those.
    private func problem(
        ofAnchor anchor: String, kind: String, key: String, leaves kindLeaves: KindLeaves, objects: ObjectFindings, claims: inout AnchorClaims
    ) throws -> String? {
        let absent = "its volatile anchors list \(kind) \(key), which it does not hold"
        let leaves: [String: String]
        switch kindLeaves {
        case .absent: return absent
        case .damaged: return nil
        case .leaves(let found): leaves = found
        }
        guard let leaf = leaves[""] ?? leaves[SnapshotTree.bucket(of: key)] else { return absent }
        guard try isChecked(leaf) else { return nil }
        guard let entry = try SnapshotTree.entries(kind: kind, treeDigest: leaf, in: store).first(where: { $0.key == key }) else { return absent }
        // A claim the snapshot before made for the same version was checked there.
        let version = AnchorClaims.Version(digest: entry.digest, anchor: anchor)
        defer { claims.record(version, kind: kind, key: key) }
        guard claims.previousVersion(kind: kind, key: key) != version, try isChecked(entry.digest) else { return nil }
        guard try isChecked(anchor) else {
            return objects.named.contains(anchor) ? nil : "the volatile anchor \(anchor) of \(kind)/\(entry.name) is missing or damaged"
        }
        let isSame = try claims.sharesStableForm(entry.digest, anchor: anchor, kind: kind, in: store)
        return isSame ? nil : "\(kind)/\(entry.name) differs from its volatile anchor \(anchor) in fields the volatility policy shows"
    }

    /// Returns whether the anchors object `digest` is intact and listed. Otherwise names it
    /// once and returns false.
    private func isIntactAnchors(
        _ digest: String, of snapshot: SnapshotInfo, objects: inout ObjectFindings, problems: inout [CheckProblem]
    ) throws -> Bool {
        try isIntact(
            digest, subject: "object \(digest)", missing: "missing, but snapshot \(snapshot.digest) names it as its volatile anchors",
            objects: &objects, problems: &problems)
    }

    /// Returns whether the tree object `digest` is intact and listed. Otherwise names it once,
    /// as lost from the index, damaged or missing, and returns false.
    private func isIntactTree(
        _ digest: String, in snapshot: SnapshotInfo, objects: inout ObjectFindings, problems: inout [CheckProblem]
    ) throws -> Bool {
        try isIntact(
            digest, subject: "tree \(digest)", missing: "missing, but snapshot \(snapshot.digest) refers to it", objects: &objects,
            problems: &problems)
    }

    /// Returns whether the object `digest` is intact and listed. Otherwise names it once as
    /// `subject`, with its damage or else `missing`, and returns false.
    private func isIntact(
        _ digest: String, subject: @autoclosure () -> String, missing: @autoclosure () -> String, objects: inout ObjectFindings,
        problems: inout [CheckProblem]
    ) throws -> Bool {
        guard try !isChecked(digest) else { return true }
        guard objects.named.insert(digest).inserted else { return false }
        let damage = try damage(of: digest, from: &objects) ?? missing()
        problems.append(CheckProblem(subject: subject(), message: damage))
        return false
    }

    /// Checks a kind's entries: no key twice, and every object they name intact. Objects in
    /// `known` are intact already, and each object found intact is added to `intact`.
    private func checkEntries(
        _ entries: [ResourceEntry], kind: String, tree: String, objects: inout ObjectFindings, known: Set<String>, intact: inout Set<String>
    ) throws -> [CheckProblem] {
        var problems: [CheckProblem] = []
        for (previous, next) in zip(entries, entries.dropFirst()) where previous.key == next.key {
            problems.append(CheckProblem(subject: "tree \(tree)", message: "\(kind) key \(next.key) is listed twice"))
        }
        for entry in entries {
            if known.contains(entry.digest) {
                intact.insert(entry.digest)
                continue
            }
            guard !objects.named.contains(entry.digest) else { continue }
            if try isChecked(entry.digest) {
                intact.insert(entry.digest)
                continue
            }
            objects.named.insert(entry.digest)
            let damage = try damage(of: entry.digest, from: &objects) ?? "missing, but \(kind)/\(entry.name) in tree \(tree) refers to it"
            problems.append(CheckProblem(subject: "object \(entry.digest)", message: damage))
        }
        return problems
    }

    /// Decompresses and re-hashes every stored object, reading them one at a time so memory
    /// stays flat. Each digest goes into a temporary table, so that a later lookup finds
    /// exactly the objects whose bytes hash to it, and each row must be in the index under
    /// its digest's key. A damaged row is kept until a digest that refers to it names it. An
    /// object stored against a damaged base is damaged too, because it can no longer be read.
    private func checkObjects() throws -> ObjectFindings {
        let index = store.objectIndex
        try store.database.execute("""
            DROP TABLE IF EXISTS temp.checked_digests;
            CREATE TEMP TABLE checked_digests (digest BLOB PRIMARY KEY) WITHOUT ROWID;
            """)
        var findings = ObjectFindings()
        // In id order every base comes before the versions stored against it, so each read
        // finds its base among the recently inflated ones.
        let statement = try store.database.prepare("SELECT id, body, base FROM objects ORDER BY id")
        let indexed = try store.database.prepare("SELECT 1 FROM \(index.table) WHERE \(index.column) = ? AND id = ?")
        let record = try store.database.prepare("INSERT OR IGNORE INTO temp.checked_digests (digest) VALUES (?)")
        try statement.bind([])
        while let row = try statement.step() {
            findings.count += 1
            let id = row.int(0) ?? 0
            let bytes: [UInt8]
            do {
                let stored = SnapshotStore.StoredObject(id: id, digest: nil, body: row.bytes(1) ?? [], base: row.int(2))
                bytes = try store.decode(stored)
            } catch let error as StoreError {
                findings.damage[id] = "its stored body cannot be read: \(Self.detail(of: error))"
                continue
            }
            let actual = Digest.sha256(bytes)
            try indexed.bind([index.key(actual) ?? .null, .integer(id)])
            guard try indexed.step() != nil else {
                findings.damage[id] = "its content hashes to \(actual), so it was altered after it was stored"
                findings.unlisted[actual] = id
                continue
            }
            try record.run([ObjectIndex.fullDigests.key(actual) ?? .null])
        }
        let bodiless = try store.database.query(
            "SELECT k.\(index.column), k.id FROM \(index.table) k LEFT JOIN objects o ON o.id = k.id WHERE o.id IS NULL")
        findings.unindexedKeys = bodiless.map { ($0.bytes(0) ?? [], $0.int(1) ?? 0) }
        return findings
    }

    /// Returns whether `checkObjects` read an object whose bytes hash to `digest`.
    private func isChecked(_ digest: String) throws -> Bool {
        guard let key = ObjectIndex.fullDigests.key(digest) else { return false }
        return try !store.database.query("SELECT 1 FROM temp.checked_digests WHERE digest = ?", [key]).isEmpty
    }

    /// Returns the damage a store error describes, without the advice to run `docket check`
    /// that other commands add.
    private static func detail(of error: StoreError) -> String {
        if case .corrupt(let detail) = error { return detail }
        return "\(error)"
    }

    /// Removes and returns the problem of the row that should hold object `digest`: a row
    /// whose content hashes to it but which the index does not list, or a damaged row under
    /// its key. Returns nil when there is no such row, so the object is missing.
    private func damage(of digest: String, from objects: inout ObjectFindings) throws -> String? {
        if let id = objects.unlisted.removeValue(forKey: digest) {
            objects.damage[id] = nil
            return "row \(id) contains it intact, but the index does not list it, so commands cannot find it"
        }
        let index = store.objectIndex
        guard let key = index.key(digest) else { return nil }
        let rows = try store.database.query("SELECT id FROM \(index.table) WHERE \(index.column) = ?", [key])
        for id in rows.compactMap({ $0.int(0) }) {
            if let damage = objects.damage.removeValue(forKey: id) {
                return damage
            }
        }
        return nil
    }

    /// Names the damaged rows that no tree or entry named, by row, and the index keys whose
    /// row is missing.
    private func namedDamage(objects: ObjectFindings) -> [CheckProblem] {
        var problems: [CheckProblem] = []
        for (id, damage) in objects.damage.sorted(by: { $0.key < $1.key }) {
            problems.append(CheckProblem(subject: "object row \(id)", message: damage))
        }
        for (key, id) in objects.unindexedKeys {
            problems.append(
                CheckProblem(
                    subject: "database",
                    message: "the index names row \(id) for digests that start \(hexString(key)), but that row is missing"))
        }
        return problems
    }
}
