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

    public init(store: SnapshotStore) {
        self.store = store
    }

    public func run() throws -> Report {
        store.verifiesObjectDigests = false
        defer { store.verifiesObjectDigests = true }
        // Every object is read from the file, not from what this process inflated before.
        store.forgetRecentObjects()
        var problems: [CheckProblem] = []
        problems += try checkSQLite()
        let snapshots = try loadSnapshots()
        let treeDigests = try reachableTrees(snapshots.map(\.info), problems: &problems)
        let (objectCount, objectProblems) = try checkObjects(treeDigests: treeDigests)
        problems += objectProblems
        problems += snapshots.flatMap(checkHeader)
        problems += checkChain(snapshots.map(\.info))
        return Report(problems: problems, objectsChecked: objectCount, snapshotsChecked: snapshots.count)
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

    /// Walks each snapshot's trees, reporting missing or malformed trees and entries, and
    /// returns the digests of every tree object seen.
    private func reachableTrees(_ snapshots: [SnapshotInfo], problems: inout [CheckProblem]) throws -> Set<String> {
        var trees: Set<String> = []
        var walked: Set<String> = []
        for snapshot in snapshots {
            trees.insert(snapshot.treeDigest)
            guard !walked.contains(snapshot.treeDigest) else { continue }
            walked.insert(snapshot.treeDigest)
            var count = 0
            do {
                let kinds = try SnapshotTree.kindDigests(root: snapshot.treeDigest, in: store)
                for (kind, digest) in kinds {
                    trees.formUnion(try SnapshotTree.leaves(treeDigest: digest, in: store).values)
                    trees.insert(digest)
                    let entries = try SnapshotTree.entries(kind: kind, treeDigest: digest, in: store)
                    count += entries.count
                    problems += try checkEntries(entries, kind: kind, tree: digest)
                }
                if count != snapshot.resourceCount {
                    problems.append(
                        CheckProblem(
                            subject: "snapshot \(snapshot.digest)",
                            message: "its header counts \(snapshot.resourceCount) resources but its tree lists \(count)"))
                }
            } catch let error as StoreError {
                problems.append(CheckProblem(subject: "snapshot \(snapshot.digest)", message: "its tree cannot be read: \(error)"))
            }
        }
        return trees
    }

    private func checkEntries(_ entries: [ResourceEntry], kind: String, tree: String) throws -> [CheckProblem] {
        var problems: [CheckProblem] = []
        for (previous, next) in zip(entries, entries.dropFirst()) where previous.key == next.key {
            problems.append(CheckProblem(subject: "tree \(tree)", message: "\(kind) key \(next.key) is listed twice"))
        }
        for entry in entries where try !store.objectExists(entry.digest) {
            problems.append(
                CheckProblem(subject: "object \(entry.digest)", message: "missing, but \(kind)/\(entry.name) in tree \(tree) refers to it"))
        }
        return problems
    }

    /// Decompresses and re-hashes every stored object, reading them one at a time so memory
    /// stays flat, and checks that its digest names its row. An object stored against a
    /// damaged base is named too, because it can no longer be read.
    private func checkObjects(treeDigests: Set<String>) throws -> (Int, [CheckProblem]) {
        var problems: [CheckProblem] = []
        var count = 0
        // In id order every base comes before the versions stored against it, so each read
        // finds its base among the recently inflated ones.
        let statement = try store.database.prepare("SELECT id, body, base FROM objects ORDER BY id")
        let lookup = try store.database.prepare("SELECT id FROM object_digests WHERE digest = ?")
        try statement.bind([])
        while let row = try statement.step() {
            count += 1
            let id = row.int(0) ?? 0
            let bytes: [UInt8]
            do {
                let stored = SnapshotStore.StoredObject(id: id, name: "the object in row \(id)", body: row.bytes(1) ?? [], base: row.int(2))
                bytes = try store.decode(stored)
            } catch let error as StoreError {
                problems.append(try problem(row: id, treeDigests: treeDigests, "its stored body cannot be read: \(error)"))
                continue
            }
            let actual = Digest.sha256(bytes)
            try lookup.bind([SnapshotStore.digestKey(actual) ?? .null])
            let named = try lookup.step()?.int(0)
            guard named != id else { continue }
            problems.append(
                try problem(row: id, treeDigests: treeDigests, "its content hashes to \(actual), so it was altered after it was stored"))
        }
        let bodiless = try store.database.query(
            "SELECT d.digest FROM object_digests d LEFT JOIN objects o ON o.id = d.id WHERE o.id IS NULL")
        for digest in bodiless.compactMap({ $0.bytes(0).map { hexString($0) } }) {
            let role = treeDigests.contains(digest) ? "tree" : "object"
            problems.append(CheckProblem(subject: "\(role) \(digest)", message: "its digest is recorded but its stored body is missing"))
        }
        return (count, problems)
    }

    /// Builds a problem with the object in row `id`, named by the digest recorded for it.
    /// Finding the digest scans the whole digest table, which only happens for a damaged store.
    private func problem(row id: Int64, treeDigests: Set<String>, _ message: String) throws -> CheckProblem {
        let recorded = try store.database.query("SELECT digest FROM object_digests WHERE id = ?", [.integer(id)])
        guard let digest = recorded.first?.bytes(0).map({ hexString($0) }) else {
            return CheckProblem(subject: "object row \(id)", message: "no digest names it, and \(message)")
        }
        let role = treeDigests.contains(digest) ? "tree" : "object"
        return CheckProblem(subject: "\(role) \(digest)", message: message)
    }
}
