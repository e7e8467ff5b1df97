import Foundation
import Testing

@testable import DocketKit

@Suite("object compression")
struct ObjectCompressionTests {
    static let text = Array(String(repeating: #"{"name":"acme-api","stack":{"name":"heroku-24"},"region":"eu"}"#, count: 20).utf8)

    @Test("round trip without dictionary")
    func roundTrip() throws {
        let stream = try ObjectCompression.compress(Self.text)
        #expect(stream.first == ObjectCompression.rawDeflateMarker)
        #expect(stream.count < Self.text.count)
        #expect(try ObjectCompression.decompress(stream) == Self.text)
    }

    @Test("smaller body form kept")
    func smallerFormKept() throws {
        let digests = (0..<200).map { Digest.sha256("leaf \($0)") }
        let tree = CanonicalJSON.encode(["buckets": .object(Dictionary(uniqueKeysWithValues: digests.enumerated().map { (String(format: "%03d", $0.offset), JSONValue.string($0.element)) }))])
        let packed = try #require(DigestPacking.pack(tree))
        let standaloneForms = [
            try ObjectCompression.deflateRaw(tree, dictionary: nil, marker: ObjectCompression.rawDeflateMarker),
            try ObjectCompression.deflateRaw(packed, dictionary: nil, marker: ObjectCompression.digestPackedMarker),
        ]
        // The two forms differ in size, so keeping the other one fails. A delta's packed form
        // is the smaller one in "tree leaf delta is smaller with packed digests".
        #expect(standaloneForms[0].count != standaloneForms[1].count)
        let standalone = try ObjectCompression.compress(tree)
        #expect(standalone.count == standaloneForms.map(\.count).min())
        #expect(try ObjectCompression.decompress(standalone) == tree)
    }

    @Test("round trip of empty input")
    func emptyInput() throws {
        let stream = try ObjectCompression.compress([])
        #expect(try ObjectCompression.decompress(stream) == [])
    }

    @Test("dictionary shrinks a similar object")
    func dictionaryShrinks() throws {
        let previous = Array(#"{"id":"0f6c","name":"postgresql-curved-12345","info":[{"name":"Data Size","values":["1.2 GB"]}],"plan":"standard-0"}"#.utf8)
        let next = Array(#"{"id":"0f6c","name":"postgresql-curved-12345","info":[{"name":"Data Size","values":["1.3 GB"]}],"plan":"standard-0"}"#.utf8)
        let alone = try ObjectCompression.compress(next)
        let delta = try ObjectCompression.compress(next, dictionary: previous)
        #expect(delta.count < alone.count / 2)
        #expect(try ObjectCompression.decompress(delta, dictionary: previous) == next)
    }

    @Test("delta needs its own dictionary")
    func wrongDictionary() throws {
        let previous = Array(#"{"id":"0f6c","name":"postgresql-curved-12345","plan":"standard-0"}"#.utf8)
        let other = Array(#"{"id":"9a1b","name":"redis-angular-67890","plan":"premium-0"}"#.utf8)
        let next = Array(#"{"id":"0f6c","name":"postgresql-curved-12345","plan":"standard-2"}"#.utf8)
        let delta = try ObjectCompression.compress(next, dictionary: previous)
        // The stream copies from before its start, which only a dictionary provides.
        #expect(throws: ZlibError.self) { try ObjectCompression.decompress(delta) }
        // A raw stream cannot tell other bytes from its dictionary; the store's digest
        // check rejects what comes out.
        #expect((try? ObjectCompression.decompress(delta, dictionary: other)) != next)
    }

    // zlib streams as schema 3 and earlier wrote them, made with Python's zlib module:
    // zlib.compress(text, 6), and a compressobj with zdict=base.
    static let zlibText = Array(#"{"name":"acme-api","region":"eu","stack":"heroku-24"}"#.utf8)
    static let zlibBase = Array(#"{"name":"acme-api","region":"us","stack":"heroku-22"}"#.utf8)
    static let zlibStream: [UInt8] = [
        120, 156, 171, 86, 202, 75, 204, 77, 85, 178, 82, 74, 76, 206, 77, 213, 77, 44, 200, 84, 210, 81, 42, 74, 77, 207, 204,
        207, 3, 138, 165, 150, 2, 121, 197, 37, 137, 201, 217, 64, 78, 70, 106, 81, 126, 118, 169, 174, 145, 137, 82, 45, 0, 201,
        117, 16, 202,
    ]
    static let zlibDelta: [UInt8] = [120, 187, 202, 193, 16, 214, 171, 198, 167, 41, 181, 20, 139, 38, 19, 165, 90, 0, 201, 117, 16, 202]

    @Test("older zlib streams still inflate")
    func zlibStreamsRead() throws {
        #expect(ObjectCompression.isCompressed(Self.zlibStream))
        #expect(try ObjectCompression.decompress(Self.zlibStream) == Self.zlibText)
        #expect(try ObjectCompression.decompress(Self.zlibDelta, dictionary: Self.zlibBase) == Self.zlibText)
    }

    @Test("packed stream omits the zlib wrapper")
    func packedIsShorter() throws {
        let packed = try ObjectCompression.compress(Self.zlibText)
        let packedDelta = try ObjectCompression.compress(Self.zlibText, dictionary: Self.zlibBase)
        // 2 header bytes and 4 Adler-32 bytes, plus 4 for the dictionary id, less the marker.
        #expect(packed.count == Self.zlibStream.count - 5)
        #expect(packedDelta.count == Self.zlibDelta.count - 9)
        #expect(try ObjectCompression.decompress(packedDelta, dictionary: Self.zlibBase) == Self.zlibText)
    }

    @Test("truncated or trailing bytes are rejected")
    func damagedStream() throws {
        let stream = try ObjectCompression.compress(Self.text)
        #expect(throws: ZlibError.self) { try ObjectCompression.decompress(Array(stream.dropLast(3))) }
        #expect(throws: ZlibError.self) { try ObjectCompression.decompress(stream + [0]) }
    }

    @Test("one inflater reads many streams in a row")
    func inflaterReuse() throws {
        let previous = Array(#"{"id":"0f6c","plan":"standard-0","info":[{"name":"Data Size","values":["1.2 GB"]}]}"#.utf8)
        let next = Array(#"{"id":"0f6c","plan":"standard-0","info":[{"name":"Data Size","values":["1.3 GB"]}]}"#.utf8)
        // Over a megabyte of distinct lines, so the output buffer grows past the size it keeps.
        let large = Array((0..<100_000).map { "{\"line\":\($0)}\n" }.joined().utf8)
        #expect(large.count > ObjectCompression.Inflater.keptOutputCapacity)
        let delta = try ObjectCompression.compress(next, dictionary: previous)
        let standalone = try ObjectCompression.compress(Self.text)
        let largeStream = try ObjectCompression.compress(large)
        var damaged = delta
        damaged[damaged.count / 2] ^= 0xFF

        let inflater = try ObjectCompression.Inflater()
        #expect(try inflater.decompress(delta, dictionary: previous) == next)
        #expect(try inflater.decompress(standalone, dictionary: nil) == Self.text)
        #expect(try inflater.decompress(largeStream, dictionary: nil) == large)
        #expect(try inflater.decompress(Self.zlibDelta, dictionary: Self.zlibBase) == Self.zlibText)
        #expect(throws: ZlibError.self) { try inflater.decompress(damaged, dictionary: previous) }
        #expect(throws: ZlibError.self) { try inflater.decompress(delta, dictionary: nil) }
        #expect(throws: ZlibError.self) { try inflater.decompress(Array(standalone.dropLast(3)), dictionary: nil) }
        #expect(try inflater.decompress(delta, dictionary: previous) == next)
        #expect(try inflater.decompress(standalone, dictionary: nil) == Self.text)
    }

    @Test("damaged streams named as zlib names them")
    func damagedStreamMessages() throws {
        let stream = Self.zlibStream
        let last = stream.count - 1
        // Each damage, and the message zlib's own header and trailer checks give for it.
        let cases: [(damage: String, stream: [UInt8], message: String)] = [
            ("header check", [stream[0], stream[1] ^ 0x01] + stream.dropFirst(2), "incorrect header check (zlib code -3)"),
            ("method", [0x79, 0x18] + stream.dropFirst(2), "unknown compression method (zlib code -3)"),
            ("window size", [0x88, 0x1C] + stream.dropFirst(2), "invalid window size (zlib code -3)"),
            ("checksum", stream.dropLast() + [stream[last] ^ 0x01], "incorrect data check (zlib code -3)"),
            ("trailing byte", stream + [0], "1 bytes follow the end of the stream (zlib code 1)"),
            ("truncated trailer", Array(stream.dropLast(2)), "the stream ends before its end marker (zlib code -5)"),
            ("truncated header", Array(stream.prefix(1)), "the stream ends before its end marker (zlib code -5)"),
        ]
        for (damage, damaged, message) in cases {
            let error = try #require(throws: ZlibError.self, "damage: \(damage)") { try ObjectCompression.decompress(damaged) }
            #expect(error.description == "inflating: " + message, "damage: \(damage)")
        }
    }

    @Test("dictionary errors keep their messages")
    func dictionaryMessages() throws {
        let missing = try #require(throws: ZlibError.self) { try ObjectCompression.decompress(Self.zlibDelta) }
        #expect(missing.description == "inflating: the stream needs a dictionary and none was given (zlib code 2)")
        let different = try #require(throws: ZlibError.self) { try ObjectCompression.decompress(Self.zlibDelta, dictionary: Self.zlibText) }
        #expect(different.code == -3)
        #expect(different.context == "setting the inflate dictionary (Z_DATA_ERROR: not the dictionary the stream was written with)")
    }
}

@Suite("digest packing")
struct DigestPackingTests {
    static let digests = (0..<4).map { Digest.sha256("object \($0)") }

    static func quoted(_ text: String) -> String { "\"" + text + "\"" }

    /// Returns the packed form of `digest`: 0x00 and its 32 bytes.
    static func packed(_ digest: String) throws -> [UInt8] {
        [DigestPacking.digestMarker] + (try #require(bytes(fromHex: digest)))
    }

    static func roundTrip(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [UInt8] {
        let bytes = Array(text.utf8)
        let packed = try #require(DigestPacking.pack(bytes), sourceLocation: sourceLocation)
        #expect(try DigestPacking.unpack(packed) == bytes, sourceLocation: sourceLocation)
        return packed
    }

    @Test("tree objects round trip")
    func treeObjects() throws {
        let (a, b, c, d) = (Self.digests[0], Self.digests[1], Self.digests[2], Self.digests[3])
        let trees: [(text: String, digestCount: Int)] = [
            (#"{"kinds":{"app":"\#(a)","domain":"\#(b)"}}"#, 2),
            (#"{"buckets":{"0a":"\#(a)","1f":"\#(b)","e3":"\#(c)"}}"#, 3),
            (#"{"entries":[{"app":"01234567","digest":"\#(a)","key":"db1","name":"postgresql-db1"},"#
                + #"{"digest":"\#(d)","key":"db2","name":"postgresql-\#(c.prefix(8))"}]}"#, 2),
        ]
        for (text, digestCount) in trees {
            let packed = try Self.roundTrip(text)
            #expect(packed.count == text.utf8.count - digestCount * 33, "\(text)")
        }
        let packed = try Self.roundTrip(#"{"kinds":{"app":"\#(a)"}}"#)
        #expect(packed == Array(#"{"kinds":{"app":"#.utf8) + (try Self.packed(a)) + Array("}}".utf8))
    }

    @Test("hex that is not a quoted digest stays")
    func otherHexStays() throws {
        let digest = Self.digests[0]
        let cases: [(name: String, text: String)] = [
            ("63 digits", #"{"a":"\#(digest.dropLast())"}"#),
            ("65 digits", #"{"a":"\#(digest)0"}"#),
            ("uppercase", #"{"a":"\#(digest.uppercased())"}"#),
            ("one uppercase digit", #"{"a":"\#(digest.dropLast())A"}"#),
            ("not hex", #"{"a":"\#(digest.dropLast())g"}"#),
            ("unquoted", #"[\#(digest)]"#),
            ("no closing quote", #"["\#(digest)]"#),
            ("empty", ""),
        ]
        for (name, text) in cases {
            #expect(try Self.roundTrip(text) == Array(text.utf8), "\(name)")
        }
    }

    @Test("digests at the edges and side by side")
    func edgesAndAdjacent() throws {
        let (a, b) = (Self.digests[0], Self.digests[1])
        let (packedA, packedB) = (try Self.packed(a), try Self.packed(b))
        #expect(try Self.roundTrip(Self.quoted(a)) == packedA)
        #expect(try Self.roundTrip(Self.quoted(a) + "]") == packedA + Array("]".utf8))
        #expect(try Self.roundTrip("[" + Self.quoted(a)) == Array("[".utf8) + packedA)
        #expect(try Self.roundTrip(Self.quoted(a) + Self.quoted(b)) == packedA + packedB)
        #expect(try Self.roundTrip(Self.quoted(a) + "," + Self.quoted(b)) == packedA + Array(",".utf8) + packedB)
        // The scan goes left to right, so a closing quote never opens a second digest.
        #expect(try Self.roundTrip(Self.quoted(a) + b + "\"") == packedA + Array((b + "\"").utf8))
        // A quote that opens no digest is kept, and the next one may open one.
        #expect(try Self.roundTrip("\"" + Self.quoted(a)) == Array("\"".utf8) + packedA)
    }

    @Test("packed digest bytes may be 0x00 or a quote")
    func markerInsideDigest() throws {
        // A digest whose bytes include 0x00 and 0x22 unpacks as the scan skips its 32 bytes.
        let digest = "00" + "22" + String(repeating: "00", count: 29) + "ff"
        let text = "[" + Self.quoted(digest) + "," + Self.quoted(Self.digests[0]) + "]"
        let packed = try Self.roundTrip(text)
        #expect(packed.count == text.utf8.count - 2 * 33)
    }

    @Test("bytes with 0x00 are not packed")
    func markerBytesNotPacked() {
        let bytes = Array(#"{"a":""#.utf8) + [0] + Array(#""}"#.utf8)
        #expect(DigestPacking.pack(bytes) == nil)
        #expect(DigestPacking.pack(Array(Self.quoted(Self.digests[0]).utf8) + [0]) == nil)
    }

    @Test("cut-off packed digest is rejected")
    func truncatedDigest() throws {
        let packed = try Self.packed(Self.digests[0])
        for available in [0, 1, 31] {
            let damaged = Array("[".utf8) + packed.prefix(1 + available)
            let error = try #require(throws: DigestPacking.TruncatedDigest.self, "\(available) bytes") { try DigestPacking.unpack(damaged) }
            #expect(error.offset == 1, "\(available) bytes")
            #expect(error.available == available, "\(available) bytes")
        }
        let error = try #require(throws: DigestPacking.TruncatedDigest.self) { try DigestPacking.unpack(packed.dropLast()) }
        #expect(error.description == "unpacking digests: the packed digest at byte 0 has 31 of its 32 bytes")
    }
}

@Suite("digest-packed bodies")
struct DigestPackedBodyTests {
    static let leafBase = Array(#"{"entries":[{"digest":"\#(Digest.sha256("a"))","key":"a"},{"digest":"\#(Digest.sha256("b"))","key":"b"}]}"#.utf8)
    static let leaf = Array(#"{"entries":[{"digest":"\#(Digest.sha256("a"))","key":"a"},{"digest":"\#(Digest.sha256("c"))","key":"b"}]}"#.utf8)

    @Test("packed chain reads through cached bases")
    func packedChain() throws {
        let (store, _) = try StoreFixtures.makeStore()
        var versions: [[UInt8]] = []
        var previous: String?
        for day in 1...6 {
            // Each day one of 40 entries gets a new digest.
            let entries = (0..<40).map { index -> JSONValue in
                ["digest": .string(Digest.sha256("\(index) \(index == day ? day : 0)")), "key": .string("k\(index)")]
            }
            let bytes = CanonicalJSON.encode(["entries": .array(entries)])
            previous = try store.putObject(bytes, similarTo: previous)
            versions.append(bytes)
        }
        let last = try #require(previous)
        // One changed digest a day makes a copy delta, which works on packed bytes as well.
        #expect(try ObjectEncodingTests.row(store, last).body.first == ObjectCompression.copyDeltaMarker)

        // Oldest first, each read finds its base, with the base's packed bytes, in the cache.
        store.forgetRecentObjects()
        for bytes in versions {
            #expect(try store.objectBytes(Digest.sha256(bytes)) == bytes)
        }
        store.forgetRecentObjects()
        #expect(try store.objectBytes(last) == versions.last)
    }

    @Test("body packs digests and reads back")
    func packedRoundTrip() throws {
        let standalone = try ObjectCompression.compress(Self.leaf)
        let delta = try ObjectCompression.compress(Self.leaf, dictionary: Self.leafBase)
        #expect(standalone.first == ObjectCompression.digestPackedMarker)
        #expect(delta.first == ObjectCompression.digestPackedMarker)
        #expect(ObjectCompression.isCompressed(delta))
        #expect(try ObjectCompression.decompress(standalone) == Self.leaf)
        #expect(try ObjectCompression.decompress(delta, dictionary: Self.leafBase) == Self.leaf)
        // The stream contains the packed leaf, deflated against the packed base.
        var raw = delta
        raw[0] = ObjectCompression.rawDeflateMarker
        let packedBase = DigestPacking.packDictionary(Self.leafBase)
        #expect(try ObjectCompression.decompress(raw, dictionary: packedBase) == DigestPacking.pack(Self.leaf))
        #expect((try? ObjectCompression.decompress(raw, dictionary: Self.leafBase)) != DigestPacking.pack(Self.leaf))
    }

    @Test("bytes with 0x00 keep the plain form")
    func markerBytesStayPlain() throws {
        let bytes = Array(#"{"digest":"\#(Digest.sha256("a"))","raw":""#.utf8) + [0, 1] + Array(#""}"#.utf8)
        let standalone = try ObjectCompression.compress(bytes)
        let delta = try ObjectCompression.compress(bytes, dictionary: Self.leafBase)
        #expect(standalone.first == ObjectCompression.rawDeflateMarker)
        #expect(delta.first == ObjectCompression.rawDeflateMarker)
        #expect(try ObjectCompression.decompress(standalone) == bytes)
        #expect(try ObjectCompression.decompress(delta, dictionary: Self.leafBase) == bytes)
    }

    @Test("packed body against a base with 0x00")
    func dictionaryWithMarker() throws {
        // A base may contain any bytes, and its packed form only has to match on both sides.
        let base = Self.leafBase + [0] + Array(#"["\#(Digest.sha256("d"))"]"#.utf8)
        let delta = try ObjectCompression.compress(Self.leaf, dictionary: base)
        #expect(delta.first == ObjectCompression.digestPackedMarker)
        #expect(try ObjectCompression.decompress(delta, dictionary: base) == Self.leaf)
    }

    @Test("packed body with a cut-off digest is rejected")
    func truncatedPackedBody() throws {
        // A stream that inflates to bytes ending 10 bytes into a packed digest.
        let inflated = Array(#"{"digest":"#.utf8) + [0] + Array(repeating: 0xAB, count: 10)
        let body = try ObjectCompression.deflateRaw(inflated, dictionary: nil, marker: ObjectCompression.digestPackedMarker)
        let error = try #require(throws: DigestPacking.TruncatedDigest.self) { try ObjectCompression.decompress(body) }
        #expect(error.description == "unpacking digests: the packed digest at byte 10 has 10 of its 32 bytes")
        // The same stream as a plain body is just bytes.
        var plain = body
        plain[0] = ObjectCompression.rawDeflateMarker
        #expect(try ObjectCompression.decompress(plain) == inflated)
    }

    @Test("inflater alternates packed and plain bodies")
    func inflaterMixesForms() throws {
        // Over a megabyte of digests, so the unpacked and packed-dictionary buffers grow past
        // the size they keep.
        let manyDigests = Array(("[" + (0..<20_000).map { "\"\(Digest.sha256("line \($0)"))\"" }.joined(separator: ",") + "]").utf8)
        var changed = manyDigests
        changed.replaceSubrange((changed.count - 66)..<(changed.count - 2), with: Array(Digest.sha256("changed").utf8))
        #expect(manyDigests.count > ObjectCompression.Inflater.keptOutputCapacity)
        let large = try ObjectCompression.compress(changed, dictionary: manyDigests)
        let plain = try ObjectCompression.compress(Self.leaf + [0])
        let packed = try ObjectCompression.compress(Self.leaf, dictionary: Self.leafBase)
        #expect(large.first == ObjectCompression.digestPackedMarker)

        let inflater = try ObjectCompression.Inflater()
        for _ in 0..<2 {
            #expect(try inflater.decompress(large, dictionary: manyDigests) == changed)
            #expect(try inflater.decompress(plain, dictionary: nil) == Self.leaf + [0])
            #expect(try inflater.decompress(packed, dictionary: Self.leafBase) == Self.leaf)
            #expect(try inflater.decompress(ObjectCompressionTests.zlibDelta, dictionary: ObjectCompressionTests.zlibBase) == ObjectCompressionTests.zlibText)
        }
    }
}

@Suite("object encoding")
struct ObjectEncodingTests {
    /// A postgres-shaped resource whose counters move every day.
    static func database(day: Int) -> CapturedResource {
        var rows: [JSONValue] = []
        for (name, value) in [("Plan", "Standard 0"), ("Status", "Available"), ("Data Size", "\(100 + day) MB"), ("Tables", "42"),
                              ("Connections", "\(day % 7)/120"), ("PG Version", "16.4"), ("Created", "2024-05-02 10:11")] {
            rows.append(["name": .string(name), "values": [.string(value)]])
        }
        let body: JSONValue = ["addon_id": "6e1b7b1c-38a2-4a34-8d3a-1ba1a1f0b0c1", "info": .array(rows), "plan": "standard-0",
                               "created_at": "2024-05-02T10:11:12.123+00:00", "num_tables": 42, "num_bytes": .number(Double(100_000_000 + day * 4096))]
        return CapturedResource(kind: ResourceKind.postgres, key: "db1", name: "postgresql-db1", parentKey: "db1", body: body)
    }

    /// Returns the stored body of object `digest`, the digest of the object it is stored
    /// against, and its number in its chain.
    static func row(_ store: SnapshotStore, _ digest: String) throws -> (body: [UInt8], base: String?, depth: Int64) {
        let id = try #require(try store.locateObject(digest).match?.id)
        let row = try #require(try store.database.query("SELECT body, base, depth FROM objects WHERE id = ?", [.integer(id)]).first)
        let base = try row.int(1).map { base in
            let baseRow = try #require(try store.database.query("SELECT body, base FROM objects WHERE id = ?", [.integer(base)]).first)
            let stored = SnapshotStore.StoredObject(id: base, digest: nil, body: baseRow.bytes(0) ?? [], base: baseRow.int(1))
            return Digest.sha256(try store.decode(stored))
        }
        return (row.bytes(0) ?? [], base, row.int(2) ?? -1)
    }

    static func digest(of kind: String, in snapshot: SnapshotInfo, _ store: SnapshotStore) throws -> String {
        try #require(try store.entries(of: snapshot, kind: kind).first?.digest)
    }

    @Test("stored body is compressed and reads back canonical")
    func storedCompressed() throws {
        let (store, _) = try StoreFixtures.makeStore()
        let snapshot = try StoreFixtures.commit(store, [Self.database(day: 1)], at: "2026-03-25T06:00:00Z")
        let digest = try Self.digest(of: ResourceKind.postgres, in: snapshot, store)
        let canonical = CanonicalJSON.encode(Self.database(day: 1).body)
        let stored = try Self.row(store, digest)
        #expect(stored.body.first == ObjectCompression.rawDeflateMarker)
        #expect(stored.body.count < canonical.count)
        #expect(stored.base == nil)
        #expect(try store.objectBytes(digest) == canonical)
        #expect(Digest.sha256(canonical) == digest)
        #expect(try store.database.query("PRAGMA page_size").first?.int(0) == Int64(StoreSchema.pageSize))
    }

    @Test("changed resource is stored against its previous version")
    func deltaAgainstPrevious() throws {
        let (store, _) = try StoreFixtures.makeStore()
        let digests = try Self.commitDays(2, to: store, Self.database(day:))
        let (old, new) = (digests[0], digests[1])
        let stored = try Self.row(store, new)
        let canonical = CanonicalJSON.encode(Self.database(day: 2).body)
        #expect(stored.base == old)
        #expect(stored.body.count < (try ObjectCompression.compress(canonical)).count / 2)
        #expect(try store.objectBytes(new) == canonical)
    }

    /// Commits one snapshot a day holding `resource(day)`, and returns the resource's digest
    /// of each day.
    static func commitDays(_ days: Int, to store: SnapshotStore, _ resource: (Int) -> CapturedResource) throws -> [String] {
        var digests: [String] = []
        for day in 1...days {
            let date = Timestamp.format(Date(timeIntervalSince1970: 1_774_000_000 + Double(day) * 86400))
            let snapshot = try StoreFixtures.commit(store, [resource(day)], at: date)
            digests.append(try Self.digest(of: ResourceKind.postgres, in: snapshot, store))
        }
        return digests
    }

    /// Returns a database whose check time moves each day, so each version differs from the
    /// first as little as from the day before.
    static func stamped(day: Int) -> CapturedResource {
        var resource = database(day: 1)
        resource.body = ["addon_id": "6e1b7b1c-38a2-4a34-8d3a-1ba1a1f0b0c1", "checked_at": .string("2026-03-\(10 + day)T06:00:00Z"),
                         "info": database(day: 1).body["info"]!]
        return resource
    }

    @Test("version as close to the start is stored against it")
    func closeVersionsAgainstStart() throws {
        let (store, _) = try StoreFixtures.makeStore()
        let digests = try Self.commitDays(6, to: store, Self.stamped(day:))
        #expect(try Self.row(store, digests[0]).base == nil)
        for (index, digest) in digests.enumerated().dropFirst() {
            #expect(try Self.row(store, digest).base == digests[0], "day \(index + 1)")
            #expect(try store.objectBytes(digest) == CanonicalJSON.encode(Self.stamped(day: index + 1).body))
        }
        #expect(try StoreChecker(store: store).run().problems == [])
    }

    /// Each version is stored against the chain's start unless the delta against the version
    /// its skipping chain picks is smaller by more than the allowance. A version stored
    /// against the start is numbered 1, and the numbers after it count from there.
    @Test("start or skipping base by delta size")
    func startOrSkippingBaseBySize() throws {
        let (store, _) = try StoreFixtures.makeStore()
        let digests = try Self.commitDays(12, to: store, Self.database(day:))
        // The digest of each number in the current branch from the start.
        var branch = [0: digests[0]]
        var number = 0
        for index in 1..<digests.count {
            let bytes = CanonicalJSON.encode(Self.database(day: index + 1).body)
            number += 1
            let skipBase = try #require(branch[number & (number - 1)])
            var expected = skipBase
            if skipBase != digests[0] {
                let onBase = try ObjectCompression.delta(bytes, against: try #require(try store.objectBytes(skipBase))).count
                let onStart = try ObjectCompression.delta(bytes, against: try #require(try store.objectBytes(digests[0]))).count
                if onBase + SnapshotStore.startDeltaAllowance >= onStart {
                    expected = digests[0]
                    number = 1
                    branch = [0: digests[0]]
                }
            }
            branch[number] = digests[index]
            #expect(try Self.row(store, digests[index]).base == expected, "day \(index + 1)")
            #expect(try store.objectBytes(digests[index]) == bytes)
        }
    }

    /// Returns a resource with 40 notes that gains one each day. A note is a digest, which
    /// does not compress, so each day's version is much closer to the day before than to
    /// day 1, but stays well within half its size of day 1 over two full chains.
    static func slowlyDrifting(day: Int) -> CapturedResource {
        var resource = database(day: 1)
        let notes = (0..<(40 + day)).map { JSONValue.string(Digest.sha256("note \($0)")) }
        resource.body = ["addon_id": "6e1b7b1c-38a2-4a34-8d3a-1ba1a1f0b0c1", "notes": .array(notes)]
        return resource
    }

    /// Tree objects go through `putObject` with the default, consecutive chains.
    @Test("full consecutive chain branches from its start")
    func chainsAreBounded() throws {
        let (store, _) = try StoreFixtures.makeStore()
        let maximum = SnapshotStore.maximumChainDepth
        var digests: [String] = []
        for day in 1...(2 * maximum + 3) {
            digests.append(try store.putJSON(Self.slowlyDrifting(day: day).body, similarTo: digests.last))
        }
        for (index, digest) in digests.enumerated() {
            let expectedBase: String? =
                switch index {
                case 0: nil
                // After each full chain, the next version branches from the first one.
                case maximum + 1, 2 * maximum + 1: digests[0]
                default: digests[index - 1]
                }
            #expect(try Self.row(store, digest).base == expectedBase, "version \(index + 1)")
            #expect(try store.objectBytes(digest) == CanonicalJSON.encode(Self.slowlyDrifting(day: index + 1).body))
        }
        let deepest = try store.database.query("SELECT max(depth) FROM objects").first?.int(0)
        #expect(deepest == Int64(maximum))
        #expect(try Self.steps(store, digests[maximum]) == maximum)
    }

    /// Resources are stored in skipping chains: version n against version n with its lowest
    /// set bit cleared, so reading it decodes one body per set bit after the start.
    @Test("skipping chain reads in one step per set bit")
    func skippingChain() throws {
        let (store, _) = try StoreFixtures.makeStore()
        let maximum = SnapshotStore.maximumSkippingDepth
        let days = maximum + 8
        let digests = try Self.commitDays(days, to: store, Self.slowlyDrifting(day:))
        for (index, digest) in digests.enumerated() {
            // After a full chain, the next version is numbered 1 against the start, and the
            // numbers after it count from there.
            let number = index <= maximum ? index : index - maximum
            let branchStart = index <= maximum ? 0 : maximum
            let baseNumber = number & (number - 1)
            let expectedBase: String? =
                switch index {
                case 0: nil
                case _ where baseNumber == 0: digests[0]
                default: digests[branchStart + baseNumber]
                }
            #expect(try Self.row(store, digest).base == expectedBase, "day \(index + 1)")
            #expect(try Self.steps(store, digest) == number.nonzeroBitCount, "day \(index + 1)")
            #expect(try store.objectBytes(digest) == CanonicalJSON.encode(Self.slowlyDrifting(day: index + 1).body))
        }
        let deepest = try store.database.query("SELECT max(depth) FROM objects").first?.int(0)
        #expect(deepest == Int64(maximum))
        #expect(try StoreChecker(store: store).run().problems == [])
    }

    /// A store written before skipping chains contains consecutive ones, numbered by their
    /// steps. A new resource version continues such a chain, against the version its
    /// number picks.
    @Test("skipping version continues a consecutive chain")
    func skippingAfterConsecutive() throws {
        let (store, _) = try StoreFixtures.makeStore()
        var digests: [String] = []
        for day in 1...6 {
            digests.append(try store.putJSON(Self.slowlyDrifting(day: day).body, similarTo: digests.last))
        }
        // Number 6 is stored against number 4, on the consecutive chain.
        let seventh = try store.putJSON(Self.slowlyDrifting(day: 7).body, similarTo: digests[5], chain: .skipping)
        #expect(try Self.row(store, seventh).base == digests[4])
        // Number 7 against number 6, then number 8 against the start.
        let eighth = try store.putJSON(Self.slowlyDrifting(day: 8).body, similarTo: seventh, chain: .skipping)
        #expect(try Self.row(store, eighth).base == seventh)
        let ninth = try store.putJSON(Self.slowlyDrifting(day: 9).body, similarTo: eighth, chain: .skipping)
        #expect(try Self.row(store, ninth).base == digests[0])
        #expect(try store.objectBytes(ninth) == CanonicalJSON.encode(Self.slowlyDrifting(day: 9).body))
        #expect(try StoreChecker(store: store).run().problems == [])
    }

    /// Returns how many rows a read of object `digest` decodes after its start.
    static func steps(_ store: SnapshotStore, _ digest: String) throws -> Int {
        var current = try #require(try store.locateObject(digest).match?.id)
        var steps = 0
        while let base = try store.database.query("SELECT base FROM objects WHERE id = ?", [.integer(current)]).first?.int(0) {
            current = base
            steps += 1
        }
        return steps
    }

    @Test("drifted full chain starts anew")
    func fullChainOfDriftedResourceStandsAlone() throws {
        let (store, _) = try StoreFixtures.makeStore()
        let maximum = SnapshotStore.maximumChainDepth
        // Each version adds four digests, which do not compress, so the object drifts a
        // little each time and far from its first version over a full chain.
        func growing(_ version: Int) -> JSONValue {
            ["addon_id": "6e1b7b1c-38a2-4a34-8d3a-1ba1a1f0b0c1",
             "notes": .array((0..<(4 * version)).map { .string(Digest.sha256("note \($0)")) })]
        }
        var digests: [String] = []
        for version in 1...(maximum + 2) {
            digests.append(try store.putJSON(growing(version), similarTo: digests.last))
        }
        #expect(try Self.row(store, digests[maximum]).base == digests[maximum - 1])
        #expect(try Self.row(store, digests[maximum + 1]).base == nil)
        #expect(try store.objectBytes(digests[maximum + 1]) == CanonicalJSON.encode(growing(maximum + 2)))
    }

    @Test("drifted resource starts a new base")
    func driftStartsNewBase() throws {
        let (store, _) = try StoreFixtures.makeStore()
        // Hex digests do not compress and share nothing with the first version.
        let notes = (0..<12).map { Digest.sha256("note \($0)") }
        var changed = Self.database(day: 1)
        changed.body = ["addon_id": "6e1b7b1c-38a2-4a34-8d3a-1ba1a1f0b0c1", "notes": .array(notes.map { .string($0) })]
        var changedAgain = changed
        changedAgain.body = ["addon_id": "6e1b7b1c-38a2-4a34-8d3a-1ba1a1f0b0c1", "notes": .array((notes + ["one more"]).map { .string($0) })]
        let first = try StoreFixtures.commit(store, [Self.database(day: 1)], at: "2026-03-25T06:00:00Z")
        let second = try StoreFixtures.commit(store, [changed], at: "2026-03-26T06:00:00Z")
        let third = try StoreFixtures.commit(store, [changedAgain], at: "2026-03-27T06:00:00Z")
        let drifted = try Self.digest(of: ResourceKind.postgres, in: second, store)
        let next = try Self.digest(of: ResourceKind.postgres, in: third, store)
        #expect(try Self.digest(of: ResourceKind.postgres, in: first, store) != drifted)
        #expect(try Self.row(store, drifted).base == nil)
        #expect(try Self.row(store, next).base == drifted)
    }

    @Test("tree leaf delta is smaller with packed digests")
    func packedLeafDelta() throws {
        let (store, _) = try StoreFixtures.makeStore()
        var apps = (0..<40).map { StoreFixtures.app(id: "app-\($0)", name: "acme-\($0)") }
        let first = try StoreFixtures.commit(store, apps, at: "2026-03-25T06:00:00Z")
        apps[17] = StoreFixtures.app(id: "app-17", name: "acme-17", stack: "heroku-22")
        let second = try StoreFixtures.commit(store, apps, at: "2026-03-26T06:00:00Z")
        let oldLeaf = try #require(try SnapshotTree.kindDigests(root: first.treeDigest, in: store)[ResourceKind.app])
        let newLeaf = try #require(try SnapshotTree.kindDigests(root: second.treeDigest, in: store)[ResourceKind.app])
        let oldBytes = try #require(try store.objectBytes(oldLeaf))
        let newBytes = try #require(try store.objectBytes(newLeaf))
        #expect(Array(newBytes.prefix(12)) == Array(#"{"entries":["#.utf8))

        let stored = try Self.row(store, newLeaf)
        #expect(stored.base == oldLeaf)
        // The store keeps a copy delta, which inserts the changed digest packed.
        #expect(stored.body.first == ObjectCompression.copyDeltaMarker)
        let deflated = try ObjectCompression.compress(newBytes, dictionary: oldBytes)
        #expect(deflated.first == ObjectCompression.digestPackedMarker)
        let plain = try ObjectCompression.deflateRaw(newBytes, dictionary: oldBytes, marker: ObjectCompression.rawDeflateMarker)
        // One changed digest. A delta this small uses deflate's fixed codes of 8 or 9 bits a
        // literal, so 32 packed bytes cost about half as much as 64 hex digits: 82 bytes
        // against 112 with zlib 1.2.13.
        #expect(deflated.count + 20 <= plain.count, "packed \(deflated.count) bytes, plain \(plain.count) bytes")
        #expect(stored.body.count <= deflated.count + ObjectCompression.copyDeltaAllowance)
        #expect(try ObjectCompression.decompress(plain, dictionary: oldBytes) == newBytes)
        #expect(try ObjectCompression.decompress(deflated, dictionary: oldBytes) == newBytes)
    }

    @Test("packed body with a cut-off digest is named")
    func truncatedPackedBodyNamed() throws {
        let (store, _) = try StoreFixtures.makeStore()
        let digest = try Self.commitDays(1, to: store, Self.database(day:))[0]
        #expect(try Self.row(store, digest).base == nil)
        let inflated = Array(#"{"addon_id":"#.utf8) + [0] + Array(repeating: 0xAB, count: 10)
        let body = try ObjectCompression.deflateRaw(inflated, dictionary: nil, marker: ObjectCompression.digestPackedMarker)
        try store.overwriteBody(of: digest, with: body)

        let error = try #require(throws: StoreError.self) { try store.objectBytes(digest) }
        #expect(
            "\(error)".contains(
                "object \(digest), stored compressed, cannot be decompressed: unpacking digests: the packed digest at byte 12 has 10 of its 32 bytes"),
            "\(error)")
        let report = try StoreChecker(store: store).run()
        #expect(report.problems.count == 1)
        #expect(report.problems.first?.subject == "object \(digest)")
    }

    @Test("uncompressed bodies still read")
    func rawBodyReads() throws {
        let (store, _) = try StoreFixtures.makeStore()
        let canonical = CanonicalJSON.encode(["name": "raw"])
        let digest = Digest.sha256(canonical)
        try store.database.query("INSERT INTO objects (body) VALUES (?)", [.blob(canonical)])
        try store.database.query("INSERT INTO object_keys (prefix, id) VALUES (?, ?)", [.objectKey(digest), .integer(store.database.lastInsertRowID)])
        #expect(try store.objectBytes(digest) == canonical)
        #expect(try StoreChecker(store: store).run().problems == [])
    }

    @Test("bytes that look compressed are never stored raw")
    func markerBytesCompressed() throws {
        let (store, _) = try StoreFixtures.makeStore()
        let bytes = Array("x".utf8)
        let digest = try store.putObject(bytes)
        #expect(try Self.row(store, digest).body != bytes)
        #expect(try store.objectBytes(digest) == bytes)
    }

    @Test("schema 1 store is migrated and reads")
    func migratesSchemaOne() throws {
        let path = TestPaths.temporaryDirectory().appendingPathComponent("store.sqlite").path
        let canonical = CanonicalJSON.encode(["name": "written by schema 1"])
        let digest = Digest.sha256(canonical)
        let database = try SQLiteDatabase(path: path, create: true)
        try StoreSchema.migrations[0].apply(to: database)
        try database.execute("PRAGMA user_version = 1")
        try database.query("INSERT INTO objects (digest, body) VALUES (?, ?)", [.text(digest), .blob(canonical)])
        try database.close()

        let store = try SnapshotStore(path: path)
        #expect(try store.database.query("PRAGMA user_version").first?.int(0) == Int64(SnapshotStore.schemaVersion))
        #expect(try store.objectBytes(digest) == canonical)
        let columns = try store.database.query("SELECT name FROM pragma_table_info('objects')").compactMap { $0.string(0) }
        #expect(columns.contains("base"))
        #expect(columns.contains("depth"))
    }

    /// Rewrites the index of `store` as schemas 3 and 4 kept it, keyed by whole digests, and
    /// marks the store as schema `schema`.
    static func keyIndexByWholeDigests(_ store: SnapshotStore, schema: Int) throws {
        try store.database.execute("""
            CREATE TABLE object_digests (digest BLOB PRIMARY KEY, id INTEGER NOT NULL REFERENCES objects(id)) WITHOUT ROWID
            """)
        for row in try store.database.query("SELECT id, body, base FROM objects ORDER BY id") {
            let stored = SnapshotStore.StoredObject(id: row.int(0) ?? 0, digest: nil, body: row.bytes(1) ?? [], base: row.int(2))
            let digest = Digest.sha256(try store.decode(stored))
            try store.database.query(
                "INSERT INTO object_digests (digest, id) VALUES (?, ?)", [ObjectIndex.fullDigests.key(digest) ?? .null, .integer(stored.id)])
        }
        try store.database.execute("DROP TABLE object_keys; PRAGMA user_version = \(schema)")
    }

    @Test("older index read, then upgraded", arguments: [3, 4])
    func readsOlderIndexAsItIs(schema: Int) throws {
        let (store, path) = try StoreFixtures.makeStore()
        let first = try StoreFixtures.commit(store, [Self.database(day: 1)], at: "2026-03-25T06:00:00Z")
        let second = try StoreFixtures.commit(store, [Self.database(day: 2)], at: "2026-03-26T06:00:00Z")
        try Self.keyIndexByWholeDigests(store, schema: schema)
        try store.database.close()

        let reader = try SnapshotStore(path: path, readOnly: true)
        let digest = try Self.digest(of: ResourceKind.postgres, in: second, reader)
        #expect(try reader.objectBytes(digest) == CanonicalJSON.encode(Self.database(day: 2).body))
        #expect(try reader.database.query("PRAGMA user_version").first?.int(0) == Int64(schema))
        #expect(try StoreChecker(store: reader).run().problems == [])
        try reader.database.close()

        let writer = try SnapshotStore(path: path)
        #expect(try writer.database.query("PRAGMA user_version").first?.int(0) == Int64(SnapshotStore.schemaVersion))
        let keyLengths = try writer.database.query("SELECT DISTINCT length(prefix) FROM object_keys").compactMap { $0.int(0) }
        #expect(keyLengths == [Int64(ObjectIndex.prefixLength)])
        #expect(try writer.database.query("SELECT name FROM sqlite_master WHERE name = 'object_digests'").isEmpty)
        #expect(try writer.objectBytes(try Self.digest(of: ResourceKind.postgres, in: first, writer)) == CanonicalJSON.encode(Self.database(day: 1).body))
        #expect(try StoreChecker(store: writer).run().problems == [])
    }

    @Test("shared index key told apart by digest")
    func sharedIndexKey() throws {
        let (store, _) = try StoreFixtures.makeStore()
        let expected = CanonicalJSON.encode(["name": "expected"])
        let digest = Digest.sha256(expected)
        // Another object filed under the same key, as two digests that share their first
        // eight bytes would be.
        try store.database.query("INSERT INTO objects (body) VALUES (?)", [.blob(CanonicalJSON.encode(["name": "other"]))])
        let other = store.database.lastInsertRowID
        try store.database.query("INSERT INTO object_keys (prefix, id) VALUES (?, ?)", [.objectKey(digest), .integer(other)])
        #expect(try !store.objectExists(digest))
        #expect(throws: StoreError.self) { try store.objectBytes(digest) }

        #expect(try store.putObject(expected) == digest)
        #expect(try store.database.query("SELECT id FROM object_keys WHERE prefix = ?", [.objectKey(digest)]).count == 2)
        #expect(try store.objectExists(digest))
        #expect(try store.objectBytes(digest) == expected)
        #expect(try store.putObject(expected) == digest)
        #expect(try store.objectCount() == 2)

        // A damaged row under the key does not hide the object.
        try store.database.query("UPDATE objects SET body = ? WHERE id = ?", [.blob([ObjectCompression.rawDeflateMarker, 0xFF, 0xFF]), .integer(other)])
        #expect(try store.objectBytes(digest) == expected)
    }

    @Test("store written by Docket 0.1.0 is upgraded, reads the same and passes check")
    func migratesSchemaTwo() throws {
        // The demo's store from Docket 0.1.0 (schema 2): six days of the sample account,
        // with objects keyed by hex text and stored against one standalone base.
        let fixtures = TestPaths.repository.appendingPathComponent("Fixtures/stores")
        let path = TestPaths.temporaryDirectory().appendingPathComponent("store.sqlite").path
        try FileManager.default.copyItem(atPath: fixtures.appendingPathComponent("schema-2.sqlite").path, toPath: path)
        let expected = try String(contentsOf: fixtures.appendingPathComponent("schema-2.snapshots"), encoding: .utf8)
            .split(separator: "\n").map(String.init)

        let store = try SnapshotStore(path: path)
        #expect(try store.database.query("PRAGMA user_version").first?.int(0) == Int64(SnapshotStore.schemaVersion))
        #expect(try store.snapshots().map(\.digest) == expected)
        #expect(try store.database.query("PRAGMA freelist_count").first?.int(0) == 0, "the upgrade reclaims the old tables' pages")
        let report = try StoreChecker(store: store).run()
        #expect(report.problems == [])
        #expect(report.objectsChecked == 342)
        #expect(try store.database.query("SELECT count(*) FROM objects WHERE base IS NOT NULL").first?.int(0) == 134)
        for snapshot in try store.snapshots() {
            for entry in try store.entries(of: snapshot) {
                _ = try store.body(of: entry)  // re-hashed against its digest
            }
        }

        // A new snapshot on the upgraded store is stored against the old versions.
        let latest = try #require(try store.latestSnapshot())
        let resources = try store.entries(of: latest).map {
            CapturedResource(kind: $0.kind, key: $0.key, name: $0.name, parentKey: $0.parentKey, appKey: $0.appKey, body: try store.body(of: $0))
        }
        let next = try store.commitSnapshot(
            resources: resources, notRecorded: [], capturedAt: "2026-04-01T06:00:00Z", runID: nil, account: ["id": "upgraded"])
        #expect(next.treeDigest == latest.treeDigest)
        #expect(try StoreChecker(store: store).run().problems == [])
    }

    @Test("damaged compressed body is named by check")
    func damagedBodyNamed() throws {
        let (store, _) = try StoreFixtures.makeStore()
        let digest = try Self.commitDays(2, to: store, Self.database(day:))[1]
        var body = try Self.row(store, digest).body
        body[body.count / 2] ^= 0xFF
        try store.overwriteBody(of: digest, with: body)

        let report = try StoreChecker(store: store).run()
        #expect(report.problems.count == 1)
        #expect(report.problems.first?.subject == "object \(digest)")
        #expect(throws: StoreError.self) { try store.objectBytes(digest) }
    }

    @Test("damaged delta read after good objects")
    func damagedAfterGoodReads() throws {
        let (store, _) = try StoreFixtures.makeStore()
        let digests = try Self.commitDays(2, to: store, Self.database(day:))
        let (base, delta) = (digests[0], digests[1])
        var body = try Self.row(store, delta).body
        body[body.count / 2] ^= 0xFF
        try store.overwriteBody(of: delta, with: body)

        #expect(try store.objectBytes(base) == CanonicalJSON.encode(Self.database(day: 1).body))
        let error = try #require(throws: StoreError.self) { try store.object(delta) }
        #expect("\(error)".contains("object \(delta), stored compressed against its base, cannot be decompressed"))
        #expect(try store.object(base) == Self.database(day: 1).body)
    }

    @Test("altered base names the base and the delta")
    func alteredBaseNamesBoth() throws {
        let (store, _) = try StoreFixtures.makeStore()
        let digests = try Self.commitDays(2, to: store, Self.database(day:))
        let (base, delta) = (digests[0], digests[1])
        try store.overwriteBody(of: base, with: Array(#"{"plan":"altered"}"#.utf8))

        let report = try StoreChecker(store: store).run()
        let subjects = Set(report.problems.map(\.subject))
        #expect(subjects == ["object \(base)", "object \(delta)"])
    }
}
