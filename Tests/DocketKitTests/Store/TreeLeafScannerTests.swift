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
