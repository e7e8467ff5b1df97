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

    @Test("Docket's index read as parsed")
    func docketIndex() throws {
        for bytes in [PrettyJSON.encodeBytes(Self.index), CanonicalJSON.encode(Self.index)] {
            let scanned = try #require(IndexScanner.contents(of: bytes))
            #expect(scanned == DocketBagChecks.parsedIndexContents(bytes))
            #expect(scanned.kinds == ["app", "domain"])
            #expect(scanned.resources.count == 2)
            #expect(scanned.resources[1].name == "café.example")
            #expect(scanned.resources[1].parent == "app-1")
            #expect(scanned.resources[1].app == nil)
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
        #expect(scanned == DocketBagChecks.parsedIndexContents(bytes))
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
        #expect(IndexScanner.contents(of: bytes) == nil)
        let contents = try #require(DocketBagChecks.parsedIndexContents(bytes))
        #expect(contents.kinds == ["app"])
        #expect(contents.resources.map(\.name) == [#"a "quoted" name"#])
        #expect(contents.resources.map(\.key) == ["k"])
    }

    @Test("duplicate member rejected")
    func duplicateMemberRejected() {
        let bytes = Array(#"{"kinds":[],"kinds":["app"]}"#.utf8)
        #expect(IndexScanner.contents(of: bytes) == nil)
        #expect(DocketBagChecks.parsedIndexContents(bytes) == nil)
    }

    /// Returns an index in Docket's pretty form of the resources `numbers` lists, in that
    /// order. Those in `renamed` get another name.
    static func generatedIndex(_ numbers: [Int], renamed: Set<Int> = []) -> [UInt8] {
        let resources: [JSONValue] = numbers.map { number in
            [
                "digest": .string(Digest.sha256("\(number)")), "file": .string("app/app-\(number).json"),
                "key": .string(String(format: "k%05d", number)), "kind": number % 3 == 0 ? "domain" : "app",
                "name": .string(renamed.contains(number) ? "renamed-\(number)" : "app-\(number)"),
            ]
        }
        return PrettyJSON.encodeBytes(["kinds": ["app", "domain"], "resources": .array(resources)])
    }

    /// Each step removes, adds, renames and moves resources, including runs longer than the
    /// places the scanner looks near, and a previous index that is not in its subset.
    @Test("read after previous index")
    func readingAfterPrevious() throws {
        var numbers = Array(0..<400)
        var previous = try #require(IndexScanner.read(Self.generatedIndex(numbers), after: nil))
        #expect(previous.origins.allSatisfy { $0 == nil })
        var generator = SystemRandomNumberGenerator()
        for step in 0..<6 {
            numbers.removeAll { _ in Int.random(in: 0..<50, using: &generator) == 0 }
            numbers.insert(contentsOf: (0..<Int.random(in: 1...12, using: &generator)).map { 1000 * (step + 1) + $0 }, at: Int.random(in: 0..<numbers.count, using: &generator))
            numbers.insert(5000 + step, at: Int.random(in: 0..<numbers.count, using: &generator))
            if step == 3 { numbers.swapAt(10, numbers.count - 10) }
            let renamed = Set((0..<5).map { _ in numbers.randomElement(using: &generator)! })
            let bytes = Self.generatedIndex(numbers, renamed: renamed)
            let reading = try #require(IndexScanner.read(bytes, after: previous))
            #expect(reading.contents == IndexScanner.contents(of: bytes), "step \(step)")
            #expect(reading.contents == DocketBagChecks.parsedIndexContents(bytes), "step \(step)")
            #expect(reading.objects.count == numbers.count)
            // Each origin has the same bytes, and every object the previous index had is found.
            let previousObjects = Set(previous.objects.map { Array(previous.bytes[$0]) })
            for (position, origin) in reading.origins.enumerated() {
                let object = Array(bytes[reading.objects[position]])
                if let origin {
                    #expect(Array(previous.bytes[previous.objects[origin]]) == object, "step \(step), resource \(position)")
                } else {
                    #expect(!previousObjects.contains(object), "step \(step), resource \(position) not found")
                }
            }
            previous = reading
        }
        // An escaped name leaves the text to the parser; the next read starts afresh.
        let escaped = Array(#"{"kinds":["app"],"resources":[{"key":"k","name":"a \"quoted\" name"}]}"#.utf8)
        #expect(IndexScanner.read(escaped, after: previous) == nil)
    }

    @Test("invalid UTF-8 rejected")
    func invalidUTF8() {
        let bytes = Array(#"{"kinds":[""#.utf8) + [0xC3, 0x28] + Array(#""]}"#.utf8)
        #expect(IndexScanner.contents(of: bytes) == nil)
        #expect(DocketBagChecks.parsedIndexContents(bytes) == nil)
    }
}
