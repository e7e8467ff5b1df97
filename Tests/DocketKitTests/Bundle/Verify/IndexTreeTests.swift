import Testing

@testable import DocketKit

/// Tree digests computed from indexes read one after another must equal those computed from
/// each index alone, whichever indexes had their tree computed in between.
@Suite("index tree digests")
struct IndexTreeTests {
    /// Returns an index in Docket's pretty form with one resource of `kind` per name, keyed
    /// by its name.
    static func index(_ names: [String], kind: String = "app") -> [UInt8] {
        let resources: [JSONValue] = names.map { name in
            ["digest": .string(Digest.sha256(name)), "file": .string("\(kind)/\(name).json"), "key": .string(name), "kind": .string(kind), "name": .string(name)]
        }
        return PrettyJSON.encodeBytes(["kinds": .array([.string(kind)]), "resources": .array(resources)])
    }

    /// Returns the tree digest of one index computed alone, or the failure's message.
    static func alone(_ bytes: [UInt8]) throws -> IndexTreeOutcome {
        let contents = try #require(IndexScanner.contents(of: bytes))
        do {
            return .digest(try SnapshotTree.rootDigest(IndexEntries(contents, origins: nil).byKind))
        } catch {
            return .failure("\(error)")
        }
    }

    /// Returns an outcome as text, so that one assert compares two outcomes.
    static func text(_ outcome: IndexTreeOutcome?) -> String {
        switch outcome {
        case .digest(let digest): return "digest \(digest)"
        case .failure(let message): return "failure \(message)"
        case nil: return "none"
        }
    }

    @Test("index read without its tree")
    func skippedTree() throws {
        // The third index has the second's objects where the first had its own, so a kind
        // digest kept from the first would be wrong.
        let first = Self.index(["a1", "a2"])
        let second = Self.index(["b1", "b2"])
        let third = Self.index(["b1", "b2"])
        var hasher = IndexTreeHasher()
        #expect(try Self.text(hasher.outcome(of: first)) == Self.text(Self.alone(first)))
        let reading = hasher.read(second)
        #expect(reading?.origins == [nil, nil])
        let outcome = hasher.outcome(of: third)
        #expect(try Self.text(outcome) == Self.text(Self.alone(third)))
        #expect(Self.text(outcome) != Self.text(try Self.alone(first)))
    }

    @Test("kind digest kept, same objects")
    func keptKind() throws {
        let first = Self.index(["a1", "a2", "a3"])
        let second = Self.index(["a1", "a2", "a3"])
        let third = Self.index(["a1", "a3"])
        var hasher = IndexTreeHasher()
        for bytes in [first, second, third] {
            #expect(try Self.text(hasher.outcome(of: bytes)) == Self.text(Self.alone(bytes)))
        }
    }

    @Test("failed tree not reused")
    func failedTree() throws {
        let repeated = Self.index(["a1", "a1"])
        var hasher = IndexTreeHasher()
        for _ in 0..<2 {
            let outcome = hasher.outcome(of: repeated)
            #expect(Self.text(outcome).hasPrefix("failure"))
            #expect(Self.text(outcome).contains("share the key a1"))
        }
    }

    @Test("scan computes each bundle tree")
    func scannedTrees() throws {
        let fixture = try BundleFixture.make()
        let bundle = try fixture.writeBundle()
        var scanner = BagArchiveScanner(archivePath: bundle.path)
        scanner.usesSecondCore = true
        let bag = try scanner.scan()
        let manifest = try JSONParser.parse(bytes: try #require(bag.contents(of: "data/manifest.json")))
        let snapshots = try #require(manifest["snapshots"]?.arrayValue)
        #expect(snapshots.count > 1)
        for snapshot in snapshots {
            let folder = try #require(snapshot["folder"]?.stringValue)
            let digest = try #require(bag.retainedPaths["data/\(folder)/resources.json"])
            let tree = try #require(snapshot["header"]?["tree"]?.stringValue)
            #expect(Self.text(bag.treeOutcomes[digest]) == "digest \(tree)", "\(folder)")
        }
    }

    @Test("scan's work matches the hasher")
    func scanWork() throws {
        let indexes = [Self.index(["a1", "a2"]), Self.index(["a1", "a2", "a3"]), Self.index(["a1", "a1"]), Array("not json".utf8)]
        var work = IndexTreeWork()
        for bytes in indexes {
            work.add(digest: Digest.sha256(bytes), bytes: bytes)
        }
        let outcomes = work.finish()
        #expect(outcomes.count == 3)
        for bytes in indexes.prefix(3) {
            #expect(try Self.text(outcomes[Digest.sha256(bytes)]) == Self.text(Self.alone(bytes)))
        }
        #expect(outcomes[Digest.sha256(indexes[3])] == nil)
    }
}
