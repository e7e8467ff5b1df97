import Foundation
import Testing

@testable import DocketKit

@Suite("index scanner")
struct IndexScannerTests {
    static let index: JSONValue = [
        "kinds": ["app", "domain"],
        "resources": [
            ["app": "app-1", "digest": .string(Digest.sha256("one")), "file": "app/acme-api.json", "key": "app-1", "kind": "app",
             "name": "acme-api"],
            ["digest": .string(Digest.sha256("two")), "file": "domain/café.example.json", "key": "d-2", "kind": "domain",
             "name": "café.example", "parent": "app-1"],
        ],
        "tree": .string(Digest.sha256("tree")),
    ]

    /// Reads `bytes` with the JSON parser, as verify did before the scanner. Returns nil for
    /// bytes that are not JSON.
    static func parsedContents(_ bytes: [UInt8]) -> IndexScanner.Contents? {
        guard let index = try? JSONParser.parse(bytes: bytes) else { return nil }
        return IndexScanner.Contents(
            kinds: index["kinds"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            resources: (index["resources"]?.arrayValue ?? []).map(IndexedResource.init))
    }

    @Test("Docket's index read as parsed")
    func docketIndex() throws {
        for bytes in [PrettyJSON.encodeBytes(Self.index), CanonicalJSON.encode(Self.index)] {
            let scanned = try #require(IndexScanner.contents(of: bytes))
            #expect(scanned == Self.parsedContents(bytes))
            #expect(scanned.kinds == ["app", "domain"])
            #expect(scanned.resources.count == 2)
            #expect(scanned.resources[1].name == "café.example")
            #expect(scanned.resources[1].parent == "app-1")
            #expect(scanned.resources[1].app == nil)
            #expect(DocketBagChecks.indexContents(bytes) == scanned)
        }
    }

    /// The scanner reads these as the parser does: empty or missing members, whitespace
    /// anywhere JSON allows it, and members verify does not read.
    @Test(
        "plain variants read as parsed",
        arguments: [
            #"{}"#,
            #" { "kinds" : [ ] , "resources" : [ ] } "#,
            "{\n\t\"resources\":[{}],\r\n\"tree\":\"t\"}\n",
            #"{"a":"x","kinds":["app"],"resources":[{"digest":"d","extra":"e","key":"k","kind":"app","name":"n"}],"zz":"y"}"#,
        ])
    func plainVariants(text: String) throws {
        let bytes = Array(text.utf8)
        let scanned = try #require(IndexScanner.contents(of: bytes))
        #expect(scanned == Self.parsedContents(bytes))
    }

    /// None of these texts is in the scanner's subset, so it must leave each to the parser,
    /// which reads the valid ones and rejects the others.
    @Test(
        "other shapes left to the parser",
        arguments: [
            #"{"kinds":["app"],"resources":[{"key":"k","name":"a \"quoted\" name"}]}"#,
            #"{"kinds":["app"],"resources":[{"key":"k","name":"n\u00e9"}]}"#,
            #"{"resources":[{"key":"k","name":"n","digest":"d"}]}"#,
            #"{"resources":[{"digest":1,"key":"k"}]}"#,
            #"{"resources":[{"key":"k","key":"k2"}]}"#,
            #"{"resources":["not an object"]}"#,
            #"{"kinds":["app",2]}"#,
            #"{"tree":{"kinds":{}},"kinds":[]}"#,
            #"{"kinds":[],"tree":{"kinds":{}}}"#,
            #"{"kinds":[],"kinds":["app"]}"#,
            #"{"resources":[],"kinds":["app"]}"#,
            #"["kinds"]"#,
            #"{"kinds":["app"]"#,
            #"{"kinds":["app"]} x"#,
            #"{"kinds":["app",]}"#,
        ])
    func otherShapes(text: String) {
        let bytes = Array(text.utf8)
        #expect(IndexScanner.contents(of: bytes) == nil)
    }

    @Test("escaped name read by the parser")
    func escapedNameParsed() throws {
        let bytes = Array(#"{"kinds":["app"],"resources":[{"key":"k","name":"a \"quoted\" name"}]}"#.utf8)
        let contents = try #require(DocketBagChecks.indexContents(bytes))
        #expect(contents.kinds == ["app"])
        #expect(contents.resources.map(\.name) == [#"a "quoted" name"#])
        #expect(contents.resources.map(\.key) == ["k"])
    }

    @Test("duplicate member rejected")
    func duplicateMemberRejected() {
        #expect(DocketBagChecks.indexContents(Array(#"{"kinds":[],"kinds":["app"]}"#.utf8)) == nil)
    }

    @Test("invalid UTF-8 rejected")
    func invalidUTF8() {
        let bytes = Array(#"{"kinds":[""#.utf8) + [0xC3, 0x28] + Array(#""]}"#.utf8)
        #expect(IndexScanner.contents(of: bytes) == nil)
        #expect(DocketBagChecks.indexContents(bytes) == nil)
    }
}
