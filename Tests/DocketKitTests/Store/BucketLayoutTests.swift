import Foundation
import Testing

@testable import DocketKit

/// How kind trees split their entries into buckets (schema 8), and stores and bundles whose
/// older snapshots have the 256 buckets of every split kind that a Docket before it wrote.
@Suite("Bucket layout")
struct BucketLayoutTests {
    static func apps(_ count: Int, renaming renamed: Int? = nil) -> [CapturedResource] {
        (0..<count).map { index in
            StoreFixtures.app(id: String(format: "app-%04d", index), name: index == renamed ? "renamed" : "app\(index)")
        }
    }

    @Test("bucket bits bring the average leaf to at most the leaf limit, up to 8")
    func bucketBits() {
        let cases: [(count: Int, bits: Int)] = [
            (0, 0), (128, 0), (129, 1), (256, 1), (257, 2), (600, 3), (2000, 4), (8173, 6), (32768, 8), (100_000, 8),
        ]
        for (count, bits) in cases {
            #expect(SnapshotTree.bucketBits(forCount: count) == bits, "\(count) entries")
        }
        #expect(SnapshotTree.bucketBits(forCount: 128, layout: .legacy) == 0)
        #expect(SnapshotTree.bucketBits(forCount: 129, layout: .legacy) == 8)
    }

    @Test("a key's bucket is the first byte of its hash with the trailing bits cleared")
    func bucketNames() throws {
        for key in ["app-0001", "app-0002", "caf\u{E9}", "d5a0bd3c-5f0e-4b0e-9e3e-2f1d2c3b4a59"] {
            let firstByte = try #require(UInt8(Digest.sha256(key).prefix(2), radix: 16))
            for bits in 1...8 {
                let kept = (Int(firstByte) >> (8 - bits)) << (8 - bits)
                #expect(SnapshotTree.bucket(of: key, bits: bits) == String(format: "%02x", kept), "\(key), \(bits) bits")
            }
            #expect(SnapshotTree.bucket(of: key, bits: 8) == String(Digest.sha256(key).prefix(2)))
        }
    }

    @Test("a split kind records its bits, and each leaf holds the keys of its bucket")
    func writtenTree() throws {
        let (store, _) = try StoreFixtures.makeStore()
        let snapshot = try StoreFixtures.commit(store, Self.apps(600), at: "2026-03-25T06:00:00Z")
        let kindTree = try #require(try store.kindTrees(of: snapshot)[ResourceKind.app])
        #expect(try store.object(kindTree)["bucket_bits"] == .number(3))
        let leaves = try SnapshotTree.leaves(treeDigest: kindTree, in: store)
        #expect(leaves.bucketBits == 3)
        #expect(leaves.byBucket.count == 8)
        var listed = 0
        for (bucket, leaf) in leaves.byBucket {
            let entries = try SnapshotTree.entries(kind: ResourceKind.app, treeDigest: leaf, in: store)
            #expect(entries.allSatisfy { SnapshotTree.bucket(of: $0.key, bits: 3) == bucket })
            listed += entries.count
        }
        #expect(listed == 600)
        #expect(try store.entry(kind: ResourceKind.app, key: "app-0421", in: snapshot)?.name == "app421")
        #expect(try store.entry(kind: ResourceKind.app, key: "app-9999", in: snapshot) == nil)

        let entries = Dictionary(grouping: try store.entries(of: snapshot), by: \.kind)
        #expect(try SnapshotTree.rootDigest(entries) == snapshot.treeDigest)
        #expect(try SnapshotTree.rootDigest(entries, layout: .legacy) != snapshot.treeDigest)
    }

    @Test("leaf bytes are the canonical JSON of the entries' tree values")
    func leafBytes() {
        let names = ["acme", "quote \" and \\ backslash", "tab\tand\u{1}control", "caf\u{E9}", "cafe\u{301}", "\u{1F680} launch", "<&>", ""]
        var entries: [ResourceEntry] = []
        for (index, name) in names.enumerated() {
            entries.append(
                ResourceEntry(
                    kind: ResourceKind.domain, key: "key-\(index)-\(name)", name: name, parentKey: index % 2 == 0 ? "parent-\(name)" : nil,
                    appKey: index % 3 == 0 ? nil : "app-\(name)", digest: Digest.sha256(name)))
        }
        for count in [0, 1, entries.count] {
            let listed = Array(entries.prefix(count))
            let expected = CanonicalJSON.encode(["entries": .array(listed.map(\.treeValue))])
            #expect(SnapshotTree.leafBytes(listed) == expected, "\(count) entries")
        }
    }

    @Test("a kind tree of 256 buckets has no bits member, as before schema 8")
    func fullTree() {
        let leaves: [String: JSONValue] = ["00": .string(Digest.sha256("leaf"))]
        #expect(SnapshotTree.bucketTree(leaves, bits: 8) == ["buckets": .object(leaves)])
        #expect(SnapshotTree.bucketTree(leaves, bits: 2) == ["bucket_bits": .number(2), "buckets": .object(leaves)])
    }

    @Test("bucket bits other than a whole number from 1 to 8 are named as damage", arguments: ["0", "9", "2.5", "\"4\""])
    func invalidBits(_ bits: String) throws {
        let (store, _) = try StoreFixtures.makeStore()
        let leaf = try store.putJSON(["entries": []], similarTo: nil)
        let tree = try store.putJSON(try JSONParser.parse(bytes: Array(#"{"bucket_bits":\#(bits),"buckets":{"00":"\#(leaf)"}}"#.utf8)), similarTo: nil)
        #expect {
            try SnapshotTree.leaves(treeDigest: tree, in: store)
        } throws: { error in
            "\(error)".contains("tree \(tree) has bucket bits \(bits)")
        }
    }

    /// Returns a store whose first snapshot has the legacy layout and whose second, with one
    /// app renamed, the current one.
    static func upgradedStore() throws -> (store: SnapshotStore, old: SnapshotInfo, new: SnapshotInfo) {
        let (store, _) = try StoreFixtures.makeStore()
        store.treeLayout = .legacy
        let old = try StoreFixtures.commit(store, Self.apps(600), at: "2026-03-25T06:00:00Z")
        store.treeLayout = .current
        let new = try StoreFixtures.commit(store, Self.apps(600, renaming: 7), at: "2026-03-26T06:00:00Z")
        return (store, old, new)
    }

    @Test("a snapshot written before schema 8 reads, looks keys up and hashes as it was written")
    func legacySnapshot() throws {
        let (store, old, _) = try Self.upgradedStore()
        let kindTree = try #require(try store.kindTrees(of: old)[ResourceKind.app])
        #expect(try store.object(kindTree)["bucket_bits"] == nil)
        let leaves = try SnapshotTree.leaves(treeDigest: kindTree, in: store)
        #expect(leaves.bucketBits == 8)
        #expect(leaves.byBucket.count > 200)
        #expect(try store.entry(kind: ResourceKind.app, key: "app-0421", in: old)?.name == "app421")
        let entries = Dictionary(grouping: try store.entries(of: old), by: \.kind)
        #expect(try SnapshotTree.rootDigest(entries, layout: .legacy) == old.treeDigest)
    }

    @Test("a diff across the change of layout compares the whole kind and finds the one change")
    func diffAcrossLayouts() throws {
        let (store, old, new) = try Self.upgradedStore()
        let oldTree = try store.kindTrees(of: old)[ResourceKind.app]
        let newTree = try store.kindTrees(of: new)[ResourceKind.app]
        let pairs = try store.differingLeaves(kind: ResourceKind.app, oldTree: oldTree, newTree: newTree)
        #expect(pairs.count == 1)
        #expect(pairs.first?.old == oldTree && pairs.first?.new == newTree)

        let diff = try SnapshotDiffer(store: store).diff(from: old, to: new)
        #expect(diff.changes.map(\.key) == ["app-0007"])
        #expect(diff.changes.first?.fieldChanges.map(\.path.description) == ["name"])
        let backwards = try SnapshotDiffer(store: store).diff(from: new, to: old)
        #expect(backwards.changes.map(\.key) == ["app-0007"])
    }

    @Test("docket check finds a store with both layouts sound")
    func checkAcrossLayouts() throws {
        let (store, _, _) = try Self.upgradedStore()
        let report = try StoreChecker(store: store).run()
        #expect(report.problems == [])
        #expect(report.snapshotsChecked == 2)
    }

    @Test("a bundle of snapshots from before and after the change of layout verifies")
    func bundleAcrossLayouts() throws {
        let fixture = try BundleFixture.make(days: 0)
        fixture.store.treeLayout = .legacy
        for day in 25...26 {
            try fixture.capture(at: "2026-03-\(day)T06:00:00Z", resources: BundleFixture.resources(dayIndex: day - 25, extraApps: 300))
        }
        fixture.store.treeLayout = .current
        for day in 27...28 {
            try fixture.capture(at: "2026-03-\(day)T06:00:00Z", resources: BundleFixture.resources(dayIndex: day - 25, extraApps: 300))
        }
        let trees = try fixture.store.snapshots().map { try fixture.store.kindTrees(of: $0)[ResourceKind.app] }
        let bits = try trees.map { try SnapshotTree.leaves(treeDigest: try #require($0), in: fixture.store).bucketBits }
        #expect(bits == [8, 8, 2, 2])

        let result = try fixture.writeBundle()
        let verification = try BagVerifier().verify(archiveAt: result.path)
        #expect(verification.problems.isEmpty, "\(verification.problems)")
    }
}
