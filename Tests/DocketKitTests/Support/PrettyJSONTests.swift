import Foundation
import Testing

@testable import DocketKit

/// `PrettyJSON.reindent` lays out canonical bytes without parsing them. Its output must be
/// byte for byte what rendering the parsed value gives, which is what bundles held before.
@Suite("Pretty JSON")
struct PrettyJSONTests {
    static let vectorNames = CanonicalJSONTests.vectorNames

    /// Every JSON file of the shipped sample account, relative to `Fixtures/sample`.
    static let sampleFiles: [String] = {
        let root = TestPaths.repository.appendingPathComponent("Fixtures/sample")
        let paths = FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String } ?? []
        return paths.filter { $0.hasSuffix(".json") }.sorted()
    }()

    static func expectSameLayout(_ value: JSONValue) {
        let canonical = CanonicalJSON.encode(value)
        #expect(PrettyJSON.reindent(canonical: canonical) == PrettyJSON.encodeBytes(value))
    }

    @Test("RFC 8785 vectors reindent exactly", arguments: vectorNames)
    func vector(name: String) throws {
        let input = try Data(contentsOf: TestPaths.sharedTestdata.appendingPathComponent("jcs/input/\(name)"))
        Self.expectSameLayout(try JSONParser.parse(input))
    }

    @Test("sample account reindents exactly")
    func sampleAccount() throws {
        #expect(Self.sampleFiles.count > 100)
        let root = TestPaths.repository.appendingPathComponent("Fixtures/sample")
        for file in Self.sampleFiles {
            Self.expectSameLayout(try JSONParser.parse(Data(contentsOf: root.appendingPathComponent(file))))
        }
    }

    @Test("edge cases reindent exactly", arguments: [
        #"{}"#, #"[]"#, #"{"a":{},"b":[]}"#, #"[[],[{}],[[1]]]"#, #"{"a":"x\"}{,:[]\\","b":"\\"}"#,
        #""top""#, #"5"#, #"-0.5"#, #"null"#, #"{"k":[1,-2.5e-7,true,false,null,"",1e+21]}"#, #"{"é":"☕ \n\t"}"#,
        #"{"deep":{"deeper":{"deepest":[{"a":1},{"b":[2,3]}]}}}"#,
    ])
    func edgeCases(text: String) throws {
        Self.expectSameLayout(try JSONParser.parse(text))
    }

    @Test("non-canonical bytes give nil", arguments: [
        #"{"a": 1}"#, "{\"a\":1}\n", #"{}{}"#, #"{"a":1"#, #"{"a":1}}"#, "x", #""open"#, #"[1]2"#, #"5"x""#, #"5{}"#, "",
    ])
    func notCanonical(text: String) {
        #expect(PrettyJSON.reindent(canonical: Array(text.utf8)) == nil)
    }

    @Test("store objects render as parsed")
    func storeObject() throws {
        let (store, _) = try StoreFixtures.makeStore()
        let value: JSONValue = ["name": "app", "stack": ["name": "heroku-24"], "features": ["a", "b"], "size": 1.5]
        let digest = try store.putJSON(value)
        #expect(try store.prettyObjectBytes(digest) == PrettyJSON.encodeBytes(value))

        let notJSON = try store.putObject(Array("not JSON".utf8))
        #expect(throws: StoreError.self) { try store.prettyObjectBytes(notJSON) }
    }
}
