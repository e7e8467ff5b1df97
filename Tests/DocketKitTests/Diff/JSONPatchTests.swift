import Foundation
import Testing

@testable import DocketKit

/// Generator round trips: a patch made from `doc` to `expected`, applied by the PyPI
/// `jsonpatch` package, must give back exactly `expected`.
@Suite("JSON Patch generation")
struct JSONPatchTests {
    /// The cases of the shared RFC 6902 suite that fit a generator: those with `doc` and
    /// `expected`. Skipped: cases with `error` (they test rejection of bad patches, which a
    /// generator never writes), `disabled` cases, and records without `doc` or `expected`.
    /// Cases whose documents are not objects are kept, because the generator handles any JSON.
    static func suiteCases() throws -> [(name: String, doc: JSONValue, expected: JSONValue)] {
        var cases: [(String, JSONValue, JSONValue)] = []
        for file in ["tests.json", "spec_tests.json"] {
            let url = TestPaths.sharedTestdata.appendingPathComponent("json-patch/\(file)")
            let records = try PythonJSONPatch.load(url).arrayValue ?? []
            for (index, record) in records.enumerated() {
                guard record["error"] == nil, record["disabled"]?.boolValue != true, let doc = record["doc"],
                    let expected = record["expected"]
                else { continue }
                cases.append(("\(file) #\(index): \(record["comment"]?.stringValue ?? "")", doc, expected))
            }
        }
        return cases
    }

    @Test("shared suite is present")
    func suitePresent() throws {
        #expect(try Self.suiteCases().count >= 70)
    }

    @Test("shared suite cases round-trip through jsonpatch")
    func sharedSuite() throws {
        try expectRoundTrips(try Self.suiteCases())
    }

    @Test("hand-written cases round-trip through jsonpatch")
    func handWritten() throws {
        let cases: [(String, JSONValue, JSONValue)] = [
            ("keyed reorder with add and remove",
             ["list": [["id": "a", "v": 1], ["id": "b", "v": 2], ["id": "c", "v": 3], ["id": "d", "v": 4]]],
             ["list": [["id": "d", "v": 4], ["id": "e", "v": 5], ["id": "b", "v": 20], ["id": "a", "v": 1]]]),
            ("escaped member names", ["a/b": 1, "m~n": ["x/y~": 2]], ["a/b": 2, "m~n": ["x/y~": 3, "~1": 4]]),
            ("empty member name", ["": 1], ["": 2, "x": ""]),
            ("scalar list edits", ["l": [1, 2, 3, 4, 5, 6]], ["l": [0, 2, 4, 4, 7, 6, 8]]),
            ("duplicates", ["l": ["a", "a", "b", "a"]], ["l": ["b", "a", "a", "a", "a"]]),
            ("nested arrays", [[1, [2, 3]], [4]], [[4, 5], [1, [3, 2]]]),
            ("type changes", ["a": [1], "b": ["x": 1], "c": nil], ["a": ["x": 1], "b": [1], "c": false]),
            ("root scalar to object", 1, ["a": 1]),
            ("all elements replaced", ["l": [["id": 1], ["id": 2]]], ["l": [["id": 3]]]),
            ("to empty and from empty", ["a": [1, 2], "b": []], ["a": [], "b": [1, 2]]),
            ("number and boolean are distinct", ["a": 1, "b": true], ["a": true, "b": 1]),
        ]
        try expectRoundTrips(cases)
    }

    @Test("random edits round-trip through jsonpatch")
    func randomEdits() throws {
        var generator = SeededGenerator(seed: 20260325)
        var cases: [(String, JSONValue, JSONValue)] = []
        for index in 0..<300 {
            let doc = generator.document(depth: 3)
            cases.append(("random #\(index)", doc, generator.mutate(doc, depth: 3)))
        }
        try expectRoundTrips(cases)
    }

    @Test("equal documents give an empty patch")
    func emptyPatch() {
        #expect(JSONPatch.make(from: ["a": [1, 2]], to: ["a": [1, 2]]).isEmpty)
    }

    @Test("pointer tokens are escaped")
    func escaping() {
        #expect(JSONPatch.escape("a/b~c") == "a~1b~0c")
        #expect(JSONPatch.make(from: ["a/b": 1], to: ["a/b": 2]) == [["op": "replace", "path": "/a~1b", "value": 2]])
    }

    private func expectRoundTrips(_ cases: [(name: String, doc: JSONValue, expected: JSONValue)]) throws {
        let patches = cases.map { JSONPatch.make(from: $0.doc, to: $0.expected) }
        let outcomes = try PythonJSONPatch.apply(zip(cases, patches).map { ($0.doc, $1) })
        #expect(outcomes.count == cases.count)
        for (testCase, (patch, outcome)) in zip(cases, zip(patches, outcomes)) {
            #expect(
                outcome == .applied(testCase.expected),
                "\(testCase.name): patch \(CanonicalJSON.encodeString(.array(patch))) gave \(outcome)")
        }
    }
}

/// A small deterministic generator of JSON documents and edits, so failures reproduce.
struct SeededGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next(_ bound: Int) -> Int {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Int((state >> 33) % UInt64(bound))
    }

    mutating func scalar() -> JSONValue {
        switch next(5) {
        case 0: return .null
        case 1: return .bool(next(2) == 0)
        case 2: return .number(Double(next(5)))
        case 3: return .string(["a", "b", "c/d", "e~f"][next(4)])
        default: return .string("s\(next(3))")
        }
    }

    mutating func document(depth: Int) -> JSONValue {
        if depth <= 0 { return scalar() }
        switch next(4) {
        case 0: return scalar()
        case 1:
            return .array((0..<next(5)).map { _ in document(depth: depth - 1) })
        case 2:
            let ids = (0..<next(5)).map { "k\($0 * 2)" }
            return .array(ids.map { ["id": .string($0), "v": document(depth: depth - 1)] })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<next(4) { members[["x", "y", "z/1", "w~"][next(4)]] = document(depth: depth - 1) }
            return .object(members)
        }
    }

    mutating func mutate(_ value: JSONValue, depth: Int) -> JSONValue {
        if next(6) == 0 { return document(depth: depth) }
        switch value {
        case .object(var members):
            for name in members.keys.sorted() {
                switch next(4) {
                case 0: members[name] = nil
                case 1: members[name] = mutate(members[name]!, depth: depth - 1)
                default: break
                }
            }
            if next(3) == 0 { members["new"] = document(depth: depth - 1) }
            return .object(members)
        case .array(var elements):
            elements = elements.compactMap { next(4) == 0 ? nil : mutate($0, depth: depth - 1) }
            if next(2) == 0, elements.count > 1 { elements.swapAt(0, elements.count - 1) }
            if next(2) == 0 {
                let added: JSONValue = elements.first?["id"] != nil ? ["id": .string("k\(next(9) * 2 + 1)"), "v": scalar()] : scalar()
                elements.insert(added, at: next(elements.count + 1))
            }
            return .array(elements)
        default:
            return next(2) == 0 ? scalar() : value
        }
    }
}
