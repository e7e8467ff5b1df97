import Foundation
import Testing

@testable import DocketKit

/// Each test alters exactly one thing in a valid store and expects exactly that thing named.
@Suite("store check")
struct StoreCheckerTests {
    /// A store with three snapshots and a changed resource, and the snapshots.
    static func makeValidStore() throws -> (SnapshotStore, [SnapshotInfo]) {
        let (store, _) = try StoreFixtures.makeStore()
        let one = try StoreFixtures.commit(
            store, [StoreFixtures.app(id: "a1", name: "acme-api"), StoreFixtures.domain(id: "d1", appID: "a1", hostname: "api.acme.example")],
            at: "2026-03-25T06:00:00Z")
        let two = try StoreFixtures.commit(
            store, [StoreFixtures.app(id: "a1", name: "acme-api", stack: "heroku-22"), StoreFixtures.domain(id: "d1", appID: "a1", hostname: "api.acme.example")],
            at: "2026-03-26T06:00:00Z")
        let three = try StoreFixtures.commit(store, [StoreFixtures.app(id: "a1", name: "acme-api", stack: "heroku-22")], at: "2026-03-27T06:00:00Z")
        return (store, [one, two, three])
    }

    /// Returns the first domain of the first snapshot, which the second snapshot lists too.
    static func domainEntry(_ store: SnapshotStore, _ snapshots: [SnapshotInfo]) throws -> ResourceEntry {
        try #require(try store.entries(of: snapshots[0], kind: ResourceKind.domain).first)
    }

    /// Replaces `text` in the stored app tree of `snapshot`, as damage to the file would, and
    /// returns the tree's digest.
    static func alterAppTree(of snapshot: SnapshotInfo, in store: SnapshotStore, replacing text: String, with replacement: String) throws -> String {
        let tree = try #require(try store.kindTrees(of: snapshot)[ResourceKind.app])
        let body = String(decoding: try #require(try store.objectBytes(tree)), as: UTF8.self)
        try store.overwriteBody(of: tree, with: Array(body.replacingOccurrences(of: text, with: replacement).utf8))
        return tree
    }

    @Test("valid store has no problems")
    func validStore() throws {
        let (store, snapshots) = try Self.makeValidStore()
        let report = try StoreChecker(store: store).run()
        #expect(report.problems == [])
        #expect(report.snapshotsChecked == snapshots.count)
    }

    @Test("altered resource object is named")
    func alteredObject() throws {
        let (store, snapshots) = try Self.makeValidStore()
        let entry = try Self.domainEntry(store, snapshots)
        try store.overwriteBody(of: entry.digest, with: Array(#"{"hostname":"evil.example"}"#.utf8))
        let report = try StoreChecker(store: store).run()
        #expect(report.problems.count == 1)
        #expect(report.problems.first?.subject == "object \(entry.digest)")
    }

    @Test("altered tree is named as a tree")
    func alteredTree() throws {
        let (store, snapshots) = try Self.makeValidStore()
        let tree = try Self.alterAppTree(of: snapshots[2], in: store, replacing: "acme-api", with: "acme-apx")
        let report = try StoreChecker(store: store).run()
        #expect(report.problems.count == 1)
        #expect(report.problems.first?.subject == "tree \(tree)")
    }

    @Test("altered snapshot header is named")
    func alteredSnapshot() throws {
        let (store, snapshots) = try Self.makeValidStore()
        let header = try #require(try store.snapshotHeader(digest: snapshots[1].digest))
        let altered = String(decoding: header, as: UTF8.self).replacingOccurrences(of: "2026-03-26T06:00:00Z", with: "2026-03-26T07:00:00Z")
        try store.database.query("UPDATE snapshots SET header = ? WHERE digest = ?", [.blob(Array(altered.utf8)), .text(snapshots[1].digest)])
        let report = try StoreChecker(store: store).run()
        #expect(report.problems.count == 1)
        #expect(report.problems.first?.subject == "snapshot \(snapshots[1].digest)")
    }

    @Test("altered capture time column is named")
    func alteredCaptureTime() throws {
        let (store, snapshots) = try Self.makeValidStore()
        try store.database.query("UPDATE snapshots SET captured_at = ? WHERE digest = ?", ["2026-03-26T07:00:00Z", .text(snapshots[1].digest)])
        let report = try StoreChecker(store: store).run()
        #expect(report.problems.count == 1)
        #expect(report.problems.first?.subject == "snapshot \(snapshots[1].digest)")
        #expect(report.problems.first?.message.contains("captured_at column") == true)
    }

    @Test("deleted snapshot breaks the chain at its child")
    func brokenChain() throws {
        let (store, snapshots) = try Self.makeValidStore()
        try store.database.query("DELETE FROM snapshots WHERE digest = ?", [.text(snapshots[1].digest)])
        let report = try StoreChecker(store: store).run()
        #expect(report.problems.count == 1)
        #expect(report.problems.first?.subject == "snapshot \(snapshots[2].digest)")
        #expect(report.problems.first?.message.contains("chain is broken") == true)
    }

    @Test("index key of a missing row is named")
    func indexNamesMissingRow() throws {
        let (store, snapshots) = try Self.makeValidStore()
        let entry = try Self.domainEntry(store, snapshots)
        let row = try #require(try store.rowID(of: entry.digest))
        try store.database.execute("PRAGMA foreign_keys = OFF")
        try store.database.query("DELETE FROM objects WHERE id = ?", [.integer(row)])
        let report = try StoreChecker(store: store).run()
        let subjects = report.problems.map(\.subject)
        #expect(subjects == ["object \(entry.digest)", "database"])
        #expect(report.problems.last?.message.contains(String(entry.digest.prefix(16))) == true)
    }

    @Test("damaged object nothing refers to is named by row")
    func unreferencedDamage() throws {
        let (store, _) = try Self.makeValidStore()
        try store.putJSON(["note": "kept by no snapshot"])
        let id = try #require(try store.database.query("SELECT max(id) FROM objects").first?.int(0))
        try store.database.query("UPDATE objects SET body = ? WHERE id = ?", [.blob(Array(#"{"note":"altered"}"#.utf8)), .integer(id)])
        let report = try StoreChecker(store: store).run()
        #expect(report.problems.map(\.subject) == ["object row \(id)"])
        #expect(report.problems.first?.message.contains("altered") == true)
    }

    @Test("object lost from the index is not called altered")
    func objectLostFromIndex() throws {
        let (store, snapshots) = try Self.makeValidStore()
        let entry = try Self.domainEntry(store, snapshots)
        try store.database.query("DELETE FROM object_keys WHERE prefix = ?", [.objectKey(entry.digest)])
        let report = try StoreChecker(store: store).run()
        #expect(report.problems.map(\.subject) == ["object \(entry.digest)"])
        #expect(report.problems.first?.message.contains("intact, but the index does not list it") == true)
    }

    @Test("altered tree's references are not followed")
    func alteredTreeNotFollowed() throws {
        let (store, snapshots) = try Self.makeValidStore()
        let entry = try #require(try store.entries(of: snapshots[2], kind: ResourceKind.app).first)
        let tree = try Self.alterAppTree(of: snapshots[2], in: store, replacing: entry.digest, with: Digest.sha256("never stored"))
        let report = try StoreChecker(store: store).run()
        #expect(report.problems.map(\.subject) == ["tree \(tree)"])
        #expect(report.problems.first?.message.contains("altered") == true)
    }

    @Test("missing object is named with the resource")
    func missingObject() throws {
        let (store, snapshots) = try Self.makeValidStore()
        let entry = try Self.domainEntry(store, snapshots)
        let row = try #require(try store.rowID(of: entry.digest))
        try store.database.query("DELETE FROM object_keys WHERE prefix = ?", [.objectKey(entry.digest)])
        try store.database.query("DELETE FROM objects WHERE id = ?", [.integer(row)])
        let report = try StoreChecker(store: store).run()
        #expect(!report.problems.isEmpty)
        #expect(report.problems.allSatisfy { $0.subject == "object \(entry.digest)" })
        #expect(report.problems.first?.message.contains("api.acme.example") == true)
    }

    /// Points `snapshot` at a new anchors object listing `anchors`, recorded under `policy`.
    static func recordAnchors(_ anchors: [String: [String: String]], policy: String, of snapshot: SnapshotInfo, in store: SnapshotStore) throws {
        let digest = try store.putJSON(VolatileAnchors(policy: policy, anchors: anchors).jsonValue)
        try store.database.query("UPDATE snapshots SET anchors = ? WHERE id = ?", [.text(digest), .integer(snapshot.id)])
    }

    @Test("true anchors and other policies pass")
    func trueAnchors() throws {
        let (store, snapshots) = try Self.makeValidStore()
        var app = StoreFixtures.app(id: "a1", name: "acme-api", stack: "heroku-22")
        app.body = ["id": "a1", "name": "acme-api", "stack": ["name": "heroku-22"], "updated_at": "2026-03-28T06:00:00Z"]
        let four = try StoreFixtures.commit(store, [app], at: "2026-03-28T06:00:00Z")
        let anchors = try #require(try store.volatileAnchors(of: four, fingerprint: VolatilityPolicy.default.anchorFingerprint))
        #expect(anchors.anchors[ResourceKind.app]?["a1"] != nil)
        let first = try #require(try store.entry(kind: ResourceKind.app, key: "a1", in: snapshots[0]))
        try Self.recordAnchors([ResourceKind.app: ["a1": first.digest]], policy: "another policy", of: snapshots[1], in: store)
        #expect(try StoreChecker(store: store).run().problems == [])
    }

    @Test("false anchors named with snapshot")
    func falseAnchor() throws {
        let (store, snapshots) = try Self.makeValidStore()
        // The app's stack changed between the first two snapshots, which the policy shows.
        let first = try #require(try store.entry(kind: ResourceKind.app, key: "a1", in: snapshots[0]))
        try Self.recordAnchors(
            [ResourceKind.app: ["a1": first.digest], ResourceKind.domain: ["d9": first.digest]],
            policy: VolatilityPolicy.default.anchorFingerprint, of: snapshots[1], in: store)
        let missing = String(repeating: "0", count: 64)
        try Self.recordAnchors([ResourceKind.app: ["a1": missing]], policy: VolatilityPolicy.default.anchorFingerprint, of: snapshots[2], in: store)
        let report = try StoreChecker(store: store).run()
        #expect(report.problems.map(\.subject) == ["snapshot \(snapshots[1].digest)", "snapshot \(snapshots[1].digest)", "snapshot \(snapshots[2].digest)"])
        #expect(report.problems.map(\.message) == [
            "app/acme-api differs from its volatile anchor \(first.digest) in fields the volatility policy shows",
            "its volatile anchors list domain d9, which it does not hold",
            "the volatile anchor \(missing) of app/acme-api is missing or damaged",
        ])
    }

    @Test("missing anchors object named")
    func missingAnchors() throws {
        let (store, snapshots) = try Self.makeValidStore()
        let missing = String(repeating: "0", count: 64)
        try store.database.query("UPDATE snapshots SET anchors = ? WHERE id = ?", [.text(missing), .integer(snapshots[2].id)])
        let report = try StoreChecker(store: store).run()
        #expect(report.problems == [
            CheckProblem(subject: "object \(missing)", message: "missing, but snapshot \(snapshots[2].digest) names it as its volatile anchors")
        ])
    }
}
