import DocketTestSupport
import Foundation
import Testing

@testable import DocketKit

@Suite("copy deltas")
struct CopyDeltaTests {
    /// A small seeded generator (SplitMix64), so a failing case can be run again.
    struct Generator: RandomNumberGenerator {
        var state: UInt64

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var mixed = state
            mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
            mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
            return mixed ^ (mixed >> 31)
        }
    }

    static func apply(_ instructions: [UInt8], to base: [UInt8]) throws -> [UInt8] {
        try instructions.withUnsafeBufferPointer { instructions in
            try base.withUnsafeBufferPointer { try CopyDelta.apply(instructions, to: $0) }
        }
    }

    /// Returns `base` with a few edits: bytes replaced, inserted or removed at random places.
    static func edited(_ base: [UInt8], using generator: inout Generator) -> [UInt8] {
        var bytes = base
        for _ in 0..<Int.random(in: 0...6, using: &generator) {
            let place = Int.random(in: 0...bytes.count, using: &generator)
            let new = (0..<Int.random(in: 0...300, using: &generator)).map { _ in UInt8.random(in: 32...126, using: &generator) }
            let removed = min(Int.random(in: 0...40, using: &generator), bytes.count - place)
            bytes.replaceSubrange(place..<(place + removed), with: new)
        }
        return bytes
    }

    @Test("round trip of random edits")
    func randomEdits() throws {
        var generator = Generator(state: 7)
        for round in 0..<500 {
            let length = Int.random(in: 0...4000, using: &generator)
            // Text from a small alphabet repeats 4-byte runs, as JSON does.
            let base = (0..<length).map { _ in UInt8.random(in: 97...104, using: &generator) }
            let target = Self.edited(base, using: &generator)
            let instructions = CopyDelta.encode(target, from: base)
            #expect(try Self.apply(instructions, to: base) == target, "round \(round)")
        }
    }

    @Test("round trip of edge cases")
    func edgeCases() throws {
        let text = Array(#"{"name":"acme-api","updated_at":"2026-03-05T05:30:38Z"}"#.utf8)
        let cases: [(String, base: [UInt8], target: [UInt8])] = [
            ("both empty", [], []),
            ("empty base", [], text),
            ("empty target", text, []),
            ("base shorter than a match", [1, 2, 3], [1, 2, 3, 1, 2, 3]),
            ("same bytes", text, text),
            ("insert longer than one instruction", [], Array(repeating: 120, count: 1000)),
            ("run of one byte", Array(repeating: 48, count: 5000), Array(repeating: 48, count: 7000)),
            ("timestamp moved", text, Array(#"{"name":"acme-api","updated_at":"2026-04-04T05:30:10Z"}"#.utf8)),
        ]
        for (name, base, target) in cases {
            #expect(try Self.apply(CopyDelta.encode(target, from: base), to: base) == target, "\(name)")
        }
    }

    @Test("unchanged object is one copy")
    func unchangedIsOneCopy() {
        let base = Array(String(repeating: #"{"key":"value"}"#, count: 100).utf8)
        // 0x80, the offset 0, and the length 1,500 in two bytes.
        #expect(CopyDelta.encode(base, from: base) == [0x80, 0x00, 0xDC, 0x0B])
    }

    @Test("changed field costs about its bytes")
    func changedFieldIsSmall() {
        let base = Array(String(repeating: #"{"id":"01234567","size":1024,"state":"up"},"#, count: 40).utf8)
        var target = base
        target.replaceSubrange(500..<504, with: Array("2048".utf8))
        #expect(CopyDelta.encode(target, from: base).count <= 20)
    }

    @Test("malformed instructions rejected", arguments: [
        ([0x80], "ends inside a number"),
        ([0x80, 0x00], "ends inside a number"),
        ([0x80, 0x00, 0x80], "ends inside a number"),
        ([0x80, 0x00, 0x00], "lies outside"),
        ([0x80, 0x08, 0x01], "lies outside"),
        ([0x80, 0x04, 0x05], "lies outside"),
        ([0x80, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x01], "ends inside a number"),
        ([0x05, 0x61, 0x62], "runs past the end"),
        ([0x00], "invalid instruction byte 0"),
        ([0x81, 0x00, 0x01], "invalid instruction byte 129"),
        ([0xFF], "invalid instruction byte 255"),
    ] as [([UInt8], String)])
    func malformed(instructions: [UInt8], message: String) {
        let base = Array("abcdefgh".utf8)
        #expect {
            try Self.apply(instructions, to: base)
        } throws: { error in
            (error as? CopyDelta.Malformed)?.description.contains(message) == true
        }
    }

    @Test("delta form chosen by size")
    func deltaFormChosen() throws {
        let base = Array(String(repeating: #"{"id":"01234567","size":1024,"state":"up"},"#, count: 40).utf8)
        var small = base
        small.replaceSubrange(500..<504, with: Array("2048".utf8))
        let copy = try ObjectCompression.delta(small, against: base)
        #expect(copy.first == ObjectCompression.copyDeltaMarker)
        #expect(try ObjectCompression.decompress(copy, dictionary: base) == small)

        // Two kilobytes of new text that repeats: deflate codes it in a few bytes, and a copy
        // delta has to insert it whole.
        let repetitive = base + Array(String(repeating: "abc", count: 700).utf8)
        let deflated = try ObjectCompression.delta(repetitive, against: base)
        #expect(deflated.first != ObjectCompression.copyDeltaMarker)
        #expect(try ObjectCompression.decompress(deflated, dictionary: base) == repetitive)
    }

    @Test("copy delta of digests is packed")
    func packedDigests() throws {
        let digests = (0..<20).map { Digest.sha256("leaf \($0)") }
        let base = CanonicalJSON.encode(["entries": .array(digests.map { .string($0) })])
        var changed = digests
        changed[7] = Digest.sha256("changed")
        let target = CanonicalJSON.encode(["entries": .array(changed.map { .string($0) })])
        let body = try ObjectCompression.delta(target, against: base)
        #expect(body.first == ObjectCompression.copyDeltaMarker)
        // The changed digest is inserted as its 33 packed bytes, not 64 hex digits.
        #expect(body.count < 64)
        #expect(try ObjectCompression.decompress(body, dictionary: base) == target)
    }

    @Test("copy delta without base rejected")
    func missingBase() {
        #expect(throws: CopyDelta.Malformed.self) {
            try ObjectCompression.decompress([ObjectCompression.copyDeltaMarker, 0x01, 0x7B])
        }
    }
}

@Suite("copy deltas in the store")
struct StoredCopyDeltaTests {
    /// Commits `days` daily versions of a database whose check time and size move each day,
    /// and returns the digest of each version.
    static func commitDays(_ days: Int, to store: SnapshotStore) throws -> [String] {
        try ObjectEncodingTests.commitDays(days, to: store) { day in
            var resource = ObjectEncodingTests.stamped(day: day)
            resource.body = ["addon_id": "6e1b7b1c-38a2-4a34-8d3a-1ba1a1f0b0c1", "checked_at": .string("2026-03-\(10 + day)T06:00:00Z"),
                             "info": ObjectEncodingTests.database(day: day).body["info"]!]
            return resource
        }
    }

    @Test("damaged copy delta is named")
    func damagedCopyDelta() throws {
        let (store, _) = try StoreFixtures.makeStore()
        let digests = try Self.commitDays(2, to: store)
        #expect(try ObjectEncodingTests.row(store, digests[1]).body.first == ObjectCompression.copyDeltaMarker)
        // A copy from far past the end of the base.
        try store.overwriteBody(of: digests[1], with: [ObjectCompression.copyDeltaMarker, 0x80, 0xFF, 0x7F, 0x01])
        store.forgetRecentObjects()

        let error = try #require(throws: StoreError.self) { try store.object(digests[1]) }
        #expect("\(error)".contains("object \(digests[1]), stored compressed against its base, cannot be decompressed"))
        #expect("\(error)".contains("lies outside its"))
        let report = try StoreChecker(store: store).run()
        #expect(report.problems.map(\.subject).contains("object \(digests[1])"))
        #expect(try store.objectBytes(digests[0]) != nil)
    }

    /// The benchmark exports each snapshot with its own reader of the store, in Python, which
    /// must apply copy deltas as Docket does.
    @Test("benchmark's reader applies copy deltas")
    func pythonReaderAgrees() throws {
        let (store, path) = try StoreFixtures.makeStore()
        var apps = (0..<150).map { StoreFixtures.app(id: "app-\($0)", name: "acme-\($0)") }
        for day in 1...6 {
            apps[day * 7] = StoreFixtures.app(id: "app-\(day * 7)", name: "renamed-\(day)")
            try StoreFixtures.commit(store, apps, at: "2026-03-\(10 + day)T06:00:00Z")
        }
        _ = try Self.commitDays(6, to: store)
        let rows = try store.database.query("SELECT count(*) FROM objects WHERE substr(body, 1, 1) = x'03'")
        #expect((rows.first?.int(0) ?? 0) > 10)

        let digests = try store.database.query("SELECT id FROM objects").compactMap { row -> String? in
            let id = row.int(0) ?? 0
            let body = try store.database.query("SELECT body, base FROM objects WHERE id = ?", [.integer(id)]).first
            let stored = SnapshotStore.StoredObject(id: id, digest: nil, body: body?.bytes(0) ?? [], base: body?.int(1))
            return Digest.sha256(try store.decode(stored))
        }
        let script = """
            import sys
            sys.path.insert(0, sys.argv[1])
            from docket_store import DocketStore
            store = DocketStore(sys.argv[2])
            digests = sys.stdin.read().split()
            for digest in digests:
                store.object_bytes(digest)
            print(len(digests))
            """
        let input = TestPaths.temporaryDirectory().appendingPathComponent("digests.txt")
        try digests.joined(separator: "\n").write(to: input, atomically: true, encoding: .utf8)
        let python = try ToolRunner.python()
        let result = try ToolRunner.run(
            [python, "-c", script, TestPaths.repository.appendingPathComponent("bench").path, path], input: input)
        #expect(result.status == 0, "\(result.errorOutput)")
        #expect(result.output == "\(digests.count)\n")
    }
}
