import Foundation
import Testing

@testable import DocketKit

@Suite("tree leaf scanner")
struct TreeLeafScannerTests {
    static let entries = [
        ResourceEntry(kind: "domain", key: "d-1", name: "www.acme.example", parentKey: "app-1", appKey: "app-1", digest: Digest.sha256("one")),
        ResourceEntry(kind: "domain", key: "d-2", name: "café.example", parentKey: nil, appKey: nil, digest: Digest.sha256("two")),
        ResourceEntry(kind: "domain", key: "d-3", name: "api.acme.example", parentKey: "app-2", appKey: nil, digest: Digest.sha256("three")),
    ]

    /// Reads the entries of `text` with the JSON parser, as `SnapshotTree.entries` does for a
    /// leaf the scanner rejects. Returns nil where it reports the leaf as damaged.
    static func parsedEntries(_ text: [UInt8]) -> [ResourceEntry]? {
        guard let list = (try? JSONParser.parse(bytes: text))?["entries"]?.arrayValue else { return nil }
        let entries = list.compactMap { ResourceEntry(kind: "domain", treeValue: $0) }
        return entries.count == list.count ? entries : nil
    }

    @Test("canonical leaf read as parsed")
    func canonicalLeaf() throws {
        let text = CanonicalJSON.encode(["entries": .array(Self.entries.map(\.treeValue))])
        let scanned = try #require(TreeLeafScanner.entries(kind: "domain", bytes: text))
        #expect(scanned == Self.entries)
        #expect(scanned == Self.parsedEntries(text))
    }

    @Test("reads an empty leaf")
    func emptyLeaf() {
        #expect(TreeLeafScanner.entries(kind: "domain", bytes: Array(#"{"entries":[]}"#.utf8)) == [])
    }

    /// None of these texts is a plain canonical leaf, so the scanner must leave each to the
    /// parser. The parser reads the valid ones and reports the others as damaged.
    @Test(
        "other shapes left to the parser",
        arguments: [
            #"{"buckets":{"00":"abc"}}"#,
            #"{"entries":[{"digest":"d","key":"k","name":"a \"quoted\" name"}]}"#,
            #"{"entries":[{"digest":"d","key":"k","name":"n","extra":"x"}]}"#,
            #"{"entries":[{"app":1,"digest":"d","key":"k","name":"n"}]}"#,
            #"{"entries":[{"digest":"d","key":"k","key":"k2","name":"n"}]}"#,
            #"{"entries":[{"digest":"d","name":"n"}]}"#,
            #"{"entries": [{"digest":"d","key":"k","name":"n"}]}"#,
            #"{"entries":[{"digest":"d","key":"k","name":"n"}]} "#,
            #"{"entries":[{"digest":"d","key":"k","name":"n"}]"#,
            #"{"entries":[{"digest":"d","key":"k","name":"n"},]}"#,
            #"{"entries":[{"digest":"d","key":"k","name":"n"}],"other":1}"#,
            #"{"entries":[{"digest":"d","key":"k","name":"tab\tname"}]}"#,
            #"{"entries":[{"digest":"d","key":"k\\","name":"n"}]}"#,
            #"{"entries":[{"digest":"d","key":"k","name":"n}]}"#,
            "{\"entries\":[{\"digest\":\"d\",\"key\":\"k\",\"name\":\"a\u{1}b\"}]}",
        ])
    func otherShapes(text: String) {
        #expect(TreeLeafScanner.entries(kind: "domain", bytes: Array(text.utf8)) == nil)
    }

    @Test("invalid UTF-8 left to the parser")
    func invalidUTF8() {
        let text = Array(#"{"entries":[{"digest":"d","key":"k","name":""#.utf8) + [0xC3, 0x28] + Array(#""}]}"#.utf8)
        #expect(TreeLeafScanner.entries(kind: "domain", bytes: text) == nil)
        #expect(Self.parsedEntries(text) == nil)
    }

    /// Docket writes members in canonical order only, and the parser reads any order.
    @Test("other member orders left to the parser")
    func memberOrder() throws {
        let text = Array(#"{"entries":[{"name":"n","key":"k","digest":"d","parent":"p"}]}"#.utf8)
        #expect(TreeLeafScanner.entries(kind: "domain", bytes: text) == nil)
        let parsed = try #require(Self.parsedEntries(text))
        #expect(parsed.first?.parentKey == "p")
        #expect(parsed.first?.appKey == nil)
    }

    @Test("optional members present or absent")
    func optionalMembers() throws {
        let text = Array(
            (#"{"entries":[{"app":"a","digest":"d","key":"k1","name":"n"},{"digest":"d","key":"k2","name":"n","parent":"p"},"#
                + #"{"app":"a","digest":"d","key":"k3","name":"n","parent":"p"}]}"#).utf8)
        let scanned = try #require(TreeLeafScanner.entries(kind: "domain", bytes: text))
        #expect(scanned == Self.parsedEntries(text))
        #expect(scanned.map(\.appKey) == ["a", nil, "a"])
        #expect(scanned.map(\.parentKey) == [nil, "p", "p"])
    }
}

@Suite("entries that differ between two leaves")
struct DifferingEntriesTests {
    static func leaf(_ entries: [ResourceEntry]) -> [UInt8] {
        CanonicalJSON.encode(["entries": .array(entries.map(\.treeValue))])
    }

    static func entry(_ key: String, _ digest: String, name: String? = nil, app: String? = nil, parent: String? = nil) -> ResourceEntry {
        ResourceEntry(kind: "domain", key: key, name: name ?? key + ".example", parentKey: parent, appKey: app, digest: Digest.sha256(digest))
    }

    /// Returns the entries of each side that are not equal to the other side's entry with the same key.
    static func expected(_ old: [ResourceEntry], _ new: [ResourceEntry]) -> (old: [ResourceEntry], new: [ResourceEntry]) {
        let oldByKey = Dictionary(uniqueKeysWithValues: old.map { ($0.key, $0) })
        let newByKey = Dictionary(uniqueKeysWithValues: new.map { ($0.key, $0) })
        return (old.filter { newByKey[$0.key] != $0 }, new.filter { oldByKey[$0.key] != $0 })
    }

    @Test("equal entries left out, order kept")
    func mixedChanges() throws {
        let old = [
            Self.entry("a", "1"), Self.entry("b", "2", app: "app-1"), Self.entry("c", "3", parent: "p"),
            Self.entry("d", "4"), Self.entry("f", "6", app: "app-1", parent: "p"),
        ]
        let new = [
            Self.entry("a", "1"), Self.entry("b", "2b", app: "app-1"), Self.entry("c", "3", name: "renamed", parent: "p"),
            Self.entry("e", "5"), Self.entry("f", "6", app: "app-1", parent: "p"), Self.entry("g", "7", app: "app-2"),
        ]
        let result = try #require(TreeLeafScanner.differingEntries(kind: "domain", old: Self.leaf(old), new: Self.leaf(new)))
        let expected = Self.expected(old, new)
        #expect(result.old == expected.old)
        #expect(result.new == expected.new)
        #expect(result.old.map(\.key) == ["b", "c", "d"])
        #expect(result.new.map(\.key) == ["b", "c", "e", "g"])
    }

    @Test("random leaves")
    func randomLeaves() throws {
        var generator = SeededGenerator(seed: 4096)
        for _ in 0..<200 {
            let keys = (0..<40).filter { _ in generator.next(3) > 0 }.map { String(format: "k%03d", $0) }
            let old = keys.map { Self.entry($0, "v\(generator.next(3))", app: generator.next(2) == 0 ? "app" : nil) }
            let new = old.filter { _ in generator.next(8) > 0 }.map { entry in
                generator.next(4) == 0 ? Self.entry(entry.key, "w\(generator.next(3))", app: entry.appKey) : entry
            } + (40..<(40 + generator.next(4))).map { Self.entry(String(format: "k%03d", $0), "n") }
            let result = try #require(TreeLeafScanner.differingEntries(kind: "domain", old: Self.leaf(old), new: Self.leaf(new)))
            let expected = Self.expected(old, new)
            #expect(result.old == expected.old)
            #expect(result.new == expected.new)
        }
    }

    @Test("empty leaves")
    func emptyLeaves() throws {
        let single = [Self.entry("a", "1")]
        let added = try #require(TreeLeafScanner.differingEntries(kind: "domain", old: Self.leaf([]), new: Self.leaf(single)))
        #expect(added.old.isEmpty)
        #expect(added.new == single)
        let removed = try #require(TreeLeafScanner.differingEntries(kind: "domain", old: Self.leaf(single), new: Self.leaf([])))
        #expect(removed.old == single)
        #expect(removed.new.isEmpty)
    }

    /// Byte order and the order of Swift strings agree on ASCII keys only, and the other
    /// shapes are read by the parser.
    @Test("other leaves left to the full read")
    func otherLeaves() {
        let plain = Self.leaf([Self.entry("a", "1")])
        let others: [[UInt8]] = [
            Self.leaf([Self.entry("é", "1")]),
            Array(#"{"entries":[{"digest":"d","key":"b","name":"n"},{"digest":"d","key":"a","name":"n"}]}"#.utf8),
            Array(#"{"entries":[{"digest":"d","key":"a","name":"n"},{"digest":"d","key":"a","name":"n"}]}"#.utf8),
            Array(#"{"entries":[{"digest":"d","key":"a","name":"a \"quoted\" name"}]}"#.utf8),
            Array(#"{"buckets":{"00":"abc"}}"#.utf8),
            Array(#"{"entries":[{"digest":"d","key":"a","name":"n"}]"#.utf8),
        ]
        for other in others {
            #expect(TreeLeafScanner.differingEntries(kind: "domain", old: plain, new: other) == nil, "\(String(decoding: other, as: UTF8.self))")
            #expect(TreeLeafScanner.differingEntries(kind: "domain", old: other, new: plain) == nil)
        }
    }
}
