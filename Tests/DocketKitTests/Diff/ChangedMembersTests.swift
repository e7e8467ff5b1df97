import Testing

@testable import DocketKit

@Suite("Changed members")
struct ChangedMembersTests {
    private let differ = SnapshotDiffer(store: try! DiffTestStore().store)

    /// Checks that the field changes between the parsed changed members are those between the
    /// whole bodies, volatility flags included.
    private func expectSameChanges(
        kind: String = ResourceKind.app, _ old: JSONValue, _ new: JSONValue, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let members = try ChangedMembers.parse(old: CanonicalJSON.encode(old), new: CanonicalJSON.encode(new))
        let whole = differ.fieldChanges(kind: kind, old: old, new: new)
        let partial = differ.fieldChanges(kind: kind, old: members.old, new: members.new)
        #expect(partial == whole, sourceLocation: sourceLocation)
    }

    @Test("equal members are left out")
    func equalMembersLeftOut() throws {
        let old: JSONValue = ["id": "app-1", "name": "web", "region": ["id": "r-1", "name": "us"], "stack": "heroku-22"]
        let new: JSONValue = ["id": "app-1", "name": "web", "region": ["id": "r-1", "name": "us"], "stack": "heroku-24"]
        let members = try ChangedMembers.parse(old: CanonicalJSON.encode(old), new: CanonicalJSON.encode(new))
        #expect(members.old == ["stack": "heroku-22"])
        #expect(members.new == ["stack": "heroku-24"])
    }

    @Test("added and removed members")
    func addedAndRemoved() throws {
        let old: JSONValue = ["a": 1, "b": ["x": true], "c": "same"]
        let new: JSONValue = ["b": ["x": true], "c": "same", "d": .null]
        let members = try ChangedMembers.parse(old: CanonicalJSON.encode(old), new: CanonicalJSON.encode(new))
        #expect(members.old == ["a": 1])
        #expect(members.new == ["d": .null])
        try expectSameChanges(old, new)
    }

    @Test("strings that look like JSON syntax")
    func syntaxInStrings() throws {
        let tricky = ["\"}", "a\\", "],[", "{\"x\":1}", "\\\"", "é ✓ 𝄞", "\u{1}", ""]
        for (index, text) in tricky.enumerated() {
            let old: JSONValue = ["id": "r-1", "note": .string(text), "tail": ["v": .string(text), "n": 1]]
            let new: JSONValue = ["id": "r-1", "note": .string(text + "!"), "tail": ["v": .string(text), "n": 2]]
            let members = try ChangedMembers.parse(old: CanonicalJSON.encode(old), new: CanonicalJSON.encode(new))
            #expect(members.old == ["note": .string(text), "tail": ["v": .string(text), "n": 1]], "case \(index)")
            try expectSameChanges(old, new)
        }
    }

    @Test("a reference rename stays hidden")
    func referenceRename() throws {
        let old: JSONValue = ["id": "d-1", "app": ["id": "app-1", "name": "web"], "hostname": "a.example.com"]
        let new: JSONValue = ["id": "d-1", "app": ["id": "app-1", "name": "storefront"], "hostname": "b.example.com"]
        let members = try ChangedMembers.parse(old: CanonicalJSON.encode(old), new: CanonicalJSON.encode(new))
        let changes = differ.fieldChanges(kind: ResourceKind.domain, old: members.old, new: members.new)
        #expect(changes.map(\.path.description) == ["app.name", "hostname"])
        #expect(changes.map(\.isVolatile) == [true, false])
        try expectSameChanges(kind: ResourceKind.domain, old, new)
    }

    @Test("random objects and edits")
    func randomEdits() throws {
        var generator = SeededGenerator(seed: 20261205)
        for _ in 0..<500 {
            var members: [String: JSONValue] = [:]
            for name in ["id", "name", "config", "list", "z/1", "w~"] where generator.next(4) > 0 {
                members[name] = generator.document(depth: 3)
            }
            let old = JSONValue.object(members)
            let new = generator.mutate(old, depth: 4)
            guard case .object = new else { continue }
            try expectSameChanges(old, new)
        }
    }

    @Test("other texts are parsed whole")
    func otherTexts() throws {
        let spaced = Array(#"{ "a": 1 }"#.utf8)
        let members = try ChangedMembers.parse(old: spaced, new: Array(#"{"a":2}"#.utf8))
        #expect(members.old == ["a": 1])
        #expect(members.new == ["a": 2])
        let arrays = try ChangedMembers.parse(old: Array("[1,2]".utf8), new: Array("[2]".utf8))
        #expect(arrays.old == [1, 2])
        #expect(arrays.new == [2])
    }

    @Test("invalid JSON is an error")
    func invalid() {
        let texts = [#"{"a":1,}"#, #"{"a":}"#, #"{"a":1"#, #"{"a":[1}"#, #"{"a":"x}"#, #"{"a":tru}"#]
        for text in texts {
            #expect(throws: JSONParseError.self, "\(text)") {
                try ChangedMembers.parse(old: Array(text.utf8), new: Array(#"{"a":2}"#.utf8))
            }
        }
    }

    @Test("member ranges")
    func memberRanges() throws {
        let bytes = Array(#"{"a":{"b":[1,"]"]},"c":"d\"","e":-1.5e3}"#.utf8)
        let members = try #require(MemberScanner.members(of: bytes))
        let texts = members.map { (String(decoding: bytes[$0.name], as: UTF8.self), String(decoding: bytes[$0.value], as: UTF8.self)) }
        #expect(texts.map(\.0) == [#""a""#, #""c""#, #""e""#])
        #expect(texts.map(\.1) == [#"{"b":[1,"]"]}"#, #""d\"""#, "-1.5e3"])
        #expect(MemberScanner.members(of: Array("{}".utf8))?.isEmpty == true)
        #expect(MemberScanner.members(of: Array(#"{"a":1}x"#.utf8)) == nil)
        #expect(MemberScanner.members(of: Array(#"{"a":{"b":1}"#.utf8)) == nil)
    }
}
