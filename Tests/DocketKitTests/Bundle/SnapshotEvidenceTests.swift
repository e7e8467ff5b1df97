import Testing

@testable import DocketKit

/// The files of a snapshot folder, checked against the same files built the slow way: a
/// `JSONValue` rendered by `PrettyJSON`, and file names made scalar by scalar.
@Suite("snapshot folder files")
struct SnapshotEvidenceTests {
    /// `safeFileStem` as first written, one Unicode scalar at a time.
    static func referenceStem(_ name: String) -> String {
        var stem = ""
        for scalar in name.unicodeScalars {
            let isSafe = scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "._-@+".unicodeScalars.contains(scalar))
            stem.unicodeScalars.append(isSafe ? scalar : "_")
        }
        while stem.hasPrefix(".") {
            stem = "_" + stem.dropFirst()
        }
        if stem.isEmpty { stem = "_" }
        return String(stem.prefix(80))
    }

    @Test("file stems match reference", arguments: [
        "", ".", "..", ".hidden", "..twice", "a/b", "api.example.com", "ünïcode", "e\u{301}", "😀 app", "x@y+z_w-v",
        "UPPER lower", "tab\there", "nul\u{0}byte", String(repeating: "a", count: 100), String(repeating: "é", count: 100),
        String(repeating: ".", count: 90),
    ])
    func stems(name: String) {
        #expect(BagLayout.safeFileStem(name) == Self.referenceStem(name))
    }

    @Test("resources.json matches PrettyJSON")
    func index() throws {
        let entries = [
            ResourceEntry(kind: "addon", key: "a1", name: "db \"main\"", parentKey: "app-1", appKey: "app-1", digest: String(repeating: "1", count: 64)),
            ResourceEntry(kind: "addon", key: "a2", name: "cache\\x", parentKey: nil, appKey: nil, digest: String(repeating: "2", count: 64)),
            ResourceEntry(kind: "app", key: "app-1", name: "ünï\ncode", parentKey: nil, appKey: nil, digest: String(repeating: "3", count: 64)),
            ResourceEntry(kind: "domain", key: "d1", name: "www", parentKey: "app-1", appKey: "app-1", digest: String(repeating: "4", count: 64)),
        ]
        let names = Dictionary(grouping: entries, by: \.kind).mapValues(BagLayout.resourceFileNames)
        let kinds = ["addon", "app", "domain", "team"]
        let tree = String(repeating: "f", count: 64)
        #expect(SnapshotEvidence.indexText(entries: entries, names: names, kinds: kinds, treeDigest: tree, reusing: nil).bytes == Self.referenceIndex(entries, names, kinds, tree))
        #expect(SnapshotEvidence.indexText(entries: [], names: [:], kinds: [], treeDigest: tree, reusing: nil).bytes == Self.referenceIndex([], [:], [], tree))
    }

    @Test("index reuses unchanged entries exactly")
    func indexReuse() {
        func entry(_ kind: String, _ key: String, _ name: String, digest: Character = "a", app: String? = nil) -> ResourceEntry {
            ResourceEntry(kind: kind, key: key, name: name, parentKey: app, appKey: app, digest: String(repeating: digest, count: 64))
        }
        let tree = String(repeating: "f", count: 64)
        let earlier = [
            entry("addon", "a1", "db"), entry("addon", "a2", "cache", app: "app-1"), entry("app", "app-1", "web"),
            entry("app", "app-2", "api"), entry("domain", "d1", "www.example.com", app: "app-1"),
        ]
        // A new digest, a new entry between two, one gone, a new name, and a new kind at the end.
        let later = [
            entry("addon", "a1", "db", digest: "b"), entry("addon", "a15", "queue"), entry("addon", "a2", "cache", app: "app-1"),
            entry("app", "app-1", "web-2"), entry("domain", "d1", "www.example.com", app: "app-1"), entry("team", "t1", "acme"),
        ]
        func names(_ entries: [ResourceEntry]) -> [String: [String]] {
            Dictionary(grouping: entries, by: \.kind).mapValues(BagLayout.resourceFileNames)
        }
        let kinds = ["addon", "app", "domain", "team"]
        let first = SnapshotEvidence.indexText(entries: earlier, names: names(earlier), kinds: kinds, treeDigest: tree, reusing: nil)
        #expect(first.bytes == Self.referenceIndex(earlier, names(earlier), kinds, tree))
        let second = SnapshotEvidence.indexText(entries: later, names: names(later), kinds: kinds, treeDigest: tree, reusing: first)
        #expect(second.bytes == Self.referenceIndex(later, names(later), kinds, tree))
        #expect(second.ranges.count == later.count)
        // The unchanged entries' objects are the earlier ones, byte for byte.
        #expect(second.bytes[second.ranges[2]] == first.bytes[first.ranges[1]])
        #expect(second.bytes[second.ranges[4]] == first.bytes[first.ranges[4]])
    }

    @Test("kind layout reused only when unchanged")
    func carriedLayout() {
        func entry(_ key: String, _ name: String) -> ResourceEntry {
            ResourceEntry(kind: "domain", key: key, name: name, parentKey: nil, appKey: nil, digest: String(repeating: "a", count: 64))
        }
        let first = [entry("k1", "www.example.com"), entry("k2", "api.example.com"), entry("k3", "b.example.com")]
        let earlier = SnapshotEvidence.KindLayout.of(first, reusing: nil)
        #expect(earlier.fileNames == BagLayout.resourceFileNames(first))
        #expect(earlier.order == [1, 2, 0])

        // The same keys and names with other digests take the earlier layout.
        #expect(SnapshotEvidence.KindLayout.of(first.map { entry($0.key, $0.name) }, reusing: earlier) == earlier)
        // A renamed resource, two that now share a name, one more or one fewer: laid out again.
        let changed = [
            [entry("k1", "www.example.com"), entry("k2", "a.example.com"), entry("k3", "b.example.com")],
            [entry("k1", "www.example.com"), entry("k2", "B.example.com"), entry("k3", "b.example.com")],
            first + [entry("k4", "c.example.com")], Array(first.dropLast()),
            [entry("k1", "www.example.com"), entry("k2b", "api.example.com"), entry("k3", "b.example.com")],
        ]
        for entries in changed {
            #expect(SnapshotEvidence.KindLayout.of(entries, reusing: earlier) == SnapshotEvidence.KindLayout.of(entries, reusing: nil))
        }
    }

    /// Renders the index as a `JSONValue` through `PrettyJSON`.
    static func referenceIndex(_ entries: [ResourceEntry], _ names: [String: [String]], _ kinds: [String], _ tree: String) -> [UInt8] {
        var seen: [String: Int] = [:]
        let list: [JSONValue] = entries.map { entry in
            let position = seen[entry.kind, default: 0]
            seen[entry.kind] = position + 1
            var value = entry.treeValue.objectValue ?? [:]
            value["kind"] = .string(entry.kind)
            value["file"] = .string("\(entry.kind)/\(names[entry.kind]![position])")
            return .object(value)
        }
        return PrettyJSON.encodeBytes(["tree": .string(tree), "kinds": .array(kinds.map { .string($0) }), "resources": .array(list)])
    }
}
