import Testing

@testable import DocketKit

@Suite("Field diff")
struct FieldDiffTests {
    let differ = FieldDiff()

    @Test("nested member change has a dotted path")
    func nestedMember() {
        let changes = differ.changes(old: ["stack": ["name": "heroku-22", "id": "s1"]], new: ["stack": ["name": "heroku-24", "id": "s1"]])
        #expect(changes == [FieldChange(path: FieldPath([.member("stack"), .member("name")]), old: "heroku-22", new: "heroku-24")])
        #expect(changes.first?.path.description == "stack.name")
    }

    @Test("absent and null are different")
    func absentAndNull() {
        let changes = differ.changes(old: ["a": nil, "b": 1], new: ["b": 1, "c": 2])
        #expect(changes.count == 2)
        #expect(changes[0] == FieldChange(path: FieldPath([.member("a")]), old: .null, new: nil))
        #expect(changes[0].operation == "removed")
        #expect(changes[1] == FieldChange(path: FieldPath([.member("c")]), old: nil, new: 2))
        #expect(changes[1].operation == "added")
    }

    @Test("reordered keyed array is no change")
    func reorderedKeyed() {
        let old: JSONValue = ["permissions": [["name": "view"], ["name": "deploy"], ["name": "operate"]]]
        let new: JSONValue = ["permissions": [["name": "operate"], ["name": "view"], ["name": "deploy"]]]
        #expect(differ.changes(old: old, new: new).isEmpty)
    }

    @Test("keyed array element added, removed and changed")
    func keyedElements() {
        let old: JSONValue = ["permissions": [["name": "view", "description": "v"], ["name": "manage", "description": "m"]]]
        let new: JSONValue = ["permissions": [["name": "deploy", "description": "d"], ["name": "view", "description": "V"]]]
        let changes = differ.changes(old: old, new: new)
        #expect(changes.map(\.path.description) == ["permissions[name=deploy]", "permissions[name=view].description", "permissions[name=manage]"])
        #expect(changes[0].old == nil)
        #expect(changes[0].new == ["name": "deploy", "description": "d"])
        #expect(changes[1].old == "v")
        #expect(changes[1].new == "V")
        #expect(changes[2].new == nil)
    }

    @Test("id wins over name as the key")
    func idKey() {
        let old: JSONValue = [["id": "1", "name": "a"], ["id": "2", "name": "b"]]
        let new: JSONValue = [["id": "2", "name": "b"], ["id": "1", "name": "renamed"]]
        let changes = differ.changes(old: old, new: new)
        #expect(changes.map(\.path.description) == ["[id=1].name"])
    }

    @Test("scalar array compares as a set")
    func scalarSet() {
        #expect(differ.changes(old: ["include": ["api:release", "api:build"]], new: ["include": ["api:build", "api:release"]]).isEmpty)
        let changes = differ.changes(old: ["include": ["api:release"]], new: ["include": ["api:build", "api:release"]])
        #expect(changes == [FieldChange(path: FieldPath([.member("include")]), old: ["api:release"], new: ["api:build", "api:release"])])
    }

    @Test("duplicates count in a multiset")
    func multiset() {
        #expect(differ.changes(old: ["a", "a", "b"], new: ["a", "b", "b"]).count == 1)
    }

    @Test("keyless objects compare as a multiset, nested order ignored")
    func keylessObjects() {
        let old: JSONValue = ["rules": [["action": "allow", "source": "10.0.0.0/8"], ["action": "deny", "source": ["b", "a"]]]]
        let new: JSONValue = ["rules": [["action": "deny", "source": ["a", "b"]], ["action": "allow", "source": "10.0.0.0/8"]]]
        #expect(differ.changes(old: old, new: new).isEmpty)
    }

    @Test("ordered array reports a reorder")
    func orderedArray() {
        let ordered = FieldDiff(isOrdered: { $0.description == "buildpacks" })
        let changes = ordered.changes(old: ["buildpacks": ["ruby", "node"]], new: ["buildpacks": ["node", "ruby"]])
        #expect(changes.map(\.path.description) == ["buildpacks"])
    }

    @Test("type change is one change")
    func typeChange() {
        let changes = differ.changes(old: ["plan": "mini"], new: ["plan": ["name": "standard-0"]])
        #expect(changes == [FieldChange(path: FieldPath([.member("plan")]), old: "mini", new: ["name": "standard-0"])])
    }

    @Test("equal numbers in different spellings are no change")
    func numbers() throws {
        #expect(differ.changes(old: try JSONParser.parse("{\"a\":1}"), new: try JSONParser.parse("{\"a\":1.0}")).isEmpty)
    }
}

@Suite("Field paths and patterns")
struct FieldPathTests {
    @Test("text form quotes members with special characters")
    func textForm() {
        let path = FieldPath([.member("settings"), .member("auto_explain.log_analyze"), .member("value")])
        #expect(path.description == "settings[\"auto_explain.log_analyze\"].value")
        let element = FieldPath([.member("info"), .element(key: "name", value: "Data Size"), .member("values")])
        #expect(element.description == "info[name=Data Size].values")
        #expect(FieldPath([.member("quotas"), .element(key: "id", value: 3)]).description == "quotas[id=3]")
    }

    @Test("each special character quotes a member", arguments: [".", "[", "]", "=", "\"", " "])
    func specialCharacters(character: String) {
        let name = "a" + character + "é"
        let path = FieldPath([.member("config"), .member(name)])
        #expect(path.description == "config[" + CanonicalJSON.encodeString(.string(name)) + "]")
    }

    @Test("names outside ASCII stay bare")
    func nonASCIINames() {
        #expect(FieldPath([.member("café"), .member("名前"), .member("e\u{301}")]).description == "café.名前.e\u{301}")
        #expect(FieldPath([.member("")]).description == "[\"\"]")
    }

    @Test("patterns match their field and what lies inside")
    func matching() throws {
        let pattern = try PathPattern("info[name=Data Size]")
        #expect(pattern.matches(FieldPath([.member("info"), .element(key: "name", value: "Data Size")])))
        #expect(pattern.matches(FieldPath([.member("info"), .element(key: "name", value: "Data Size"), .member("values")])))
        #expect(!pattern.matches(FieldPath([.member("info"), .element(key: "name", value: "Plan")])))
        #expect(!pattern.matches(FieldPath([.member("info")])))
    }

    @Test("wildcards match any member or element")
    func wildcards() throws {
        let pattern = try PathPattern("pools[*].compute_instances[*].updated_at")
        let path = FieldPath([
            .member("pools"), .element(key: "id", value: "p1"), .member("compute_instances"), .element(key: "id", value: "c1"),
            .member("updated_at"),
        ])
        #expect(pattern.matches(path))
        #expect(try PathPattern("*.updated_at").matches(FieldPath([.member("stack"), .member("updated_at")])))
        #expect(try PathPattern("[\"auto_explain.log_analyze\"]").matches(FieldPath([.member("auto_explain.log_analyze")])))
    }

    @Test("malformed patterns are rejected", arguments: ["", "a..b", "a[", "a[x]", "[\"unterminated", ".a"])
    func malformed(text: String) {
        #expect(throws: DocketError.self) { try PathPattern(text) }
    }
}

@Suite("Diff value text")
struct DiffValueTextTests {
    /// Shortens a value by walking its characters, as `valueText` does for text that is not ASCII.
    static func walkedText(_ value: JSONValue, limit: Int) -> String {
        let text = CanonicalJSON.encodeString(value)
        guard text.count > limit else { return text }
        return String(text.prefix(limit)) + "… (\(text.count) characters)"
    }

    @Test(
        "long values shortened by characters",
        arguments: [
            "-----BEGIN CERTIFICATE-----\n" + String(repeating: "MIIB+abc/", count: 40) + "\r\n-----END CERTIFICATE-----",
            String(repeating: "café ", count: 60),
            String(repeating: "e\u{301}", count: 200),
            String(repeating: "a", count: 158),
            String(repeating: "a", count: 159),
        ])
    func shortened(text: String) {
        #expect(DiffRenderer.valueText(.string(text)) == Self.walkedText(.string(text), limit: DiffRenderer.valueLimit))
    }

    @Test("value at the limit kept whole")
    func atLimit() {
        let text = String(repeating: "a", count: DiffRenderer.valueLimit - 2)
        #expect(DiffRenderer.valueText(.string(text)) == "\"\(text)\"")
    }
}
