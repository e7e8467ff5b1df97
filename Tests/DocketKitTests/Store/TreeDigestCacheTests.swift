import Foundation
import Testing

@testable import DocketKit

/// The tree digests `verify` computes for a chain of snapshots with one cache must equal
/// those computed from scratch, whatever changed between two snapshots.
@Suite("Tree digest cache")
struct TreeDigestCacheTests {
    /// Returns a snapshot's entries: a kind split into buckets (more than `leafLimit` entries)
    /// and a small kind in one leaf.
    static func snapshot(appNames: [String: String] = [:], appKeys: [String: String] = [:], parent: String? = "team-1") -> [String: [ResourceEntry]] {
        var apps: [ResourceEntry] = []
        for index in 0..<(SnapshotTree.leafLimit + 40) {
            let key = String(format: "app-%04d", index)
            apps.append(
                ResourceEntry(
                    kind: ResourceKind.app, key: appKeys[key] ?? key, name: appNames[key] ?? "acme-\(index)", parentKey: nil, appKey: key,
                    digest: Digest.sha256("app \(index)")))
        }
        let domains = [
            ResourceEntry(kind: ResourceKind.domain, key: "dom-1", name: "www.acme.example", parentKey: parent, appKey: "app-0001", digest: Digest.sha256("dom"))
        ]
        return [ResourceKind.app: apps, ResourceKind.domain: domains]
    }

    /// Returns the cached digest of `next` after `first`, and `next`'s digest from scratch.
    func digests(first: [String: [ResourceEntry]], next: [String: [ResourceEntry]]) throws -> (cached: String, fresh: String) {
        var cache = TreeDigestCache()
        _ = try SnapshotTree.rootDigest(first, cache: &cache)
        return (try SnapshotTree.rootDigest(next, cache: &cache), try SnapshotTree.rootDigest(next))
    }

    @Test("unchanged snapshot keeps its digest")
    func unchanged() throws {
        let (cached, fresh) = try digests(first: Self.snapshot(), next: Self.snapshot())
        #expect(cached == fresh)
    }

    @Test("one byte in a bucketed name is seen")
    func bucketedName() throws {
        let first = Self.snapshot()
        let next = Self.snapshot(appNames: ["app-0007": "acme-8"])
        let (cached, fresh) = try digests(first: first, next: next)
        #expect(cached == fresh)
        #expect(try cached != SnapshotTree.rootDigest(first))
    }

    @Test("another normalization form of a name is seen")
    func normalizationOfName() throws {
        let composed = Self.snapshot(appNames: ["app-0007": "caf\u{E9}"])
        let decomposed = Self.snapshot(appNames: ["app-0007": "cafe\u{301}"])
        // Swift's == holds for the two forms, but their canonical JSON differs.
        #expect("caf\u{E9}" == "cafe\u{301}")
        let (cached, fresh) = try digests(first: composed, next: decomposed)
        #expect(cached == fresh)
        #expect(try cached != SnapshotTree.rootDigest(composed))
    }

    @Test("another normalization form of a key gets its own bucket")
    func normalizationOfKey() throws {
        let composed = Self.snapshot(appKeys: ["app-0007": "caf\u{E9}-key"])
        let decomposed = Self.snapshot(appKeys: ["app-0007": "cafe\u{301}-key"])
        #expect(SnapshotTree.bucket(of: "caf\u{E9}-key") != SnapshotTree.bucket(of: "cafe\u{301}-key"))
        let (cached, fresh) = try digests(first: composed, next: decomposed)
        #expect(cached == fresh)
    }

    @Test("leaf bytes match canonical JSON")
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

    @Test("a removed optional member in a small kind is seen")
    func removedParent() throws {
        let (cached, fresh) = try digests(first: Self.snapshot(), next: Self.snapshot(parent: nil))
        #expect(cached == fresh)
        #expect(try cached != SnapshotTree.rootDigest(Self.snapshot()))
    }

    @Test("an entry moved between kinds is seen")
    func movedEntry() throws {
        let first = Self.snapshot()
        var next = first
        var apps = try #require(next[ResourceKind.app])
        let moved = apps.removeLast()
        next[ResourceKind.app] = apps
        next[ResourceKind.domain, default: []].append(
            ResourceEntry(kind: ResourceKind.domain, key: moved.key, name: moved.name, parentKey: nil, appKey: moved.appKey, digest: moved.digest))
        let (cached, fresh) = try digests(first: first, next: next)
        #expect(cached == fresh)
    }

    @Test("chain of changes matches scratch digests")
    func chain() throws {
        var cache = TreeDigestCache()
        for day in 0..<6 {
            let next = Self.snapshot(appNames: ["app-00\(10 + day % 3)": "day-\(day)"], parent: day % 2 == 0 ? "team-1" : nil)
            let cached = try SnapshotTree.rootDigest(next, cache: &cache)
            #expect(try cached == SnapshotTree.rootDigest(next), "day \(day)")
        }
    }
}
