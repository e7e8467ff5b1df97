import Foundation
import Testing

@testable import DocketKit

@Suite("Payload content index")
struct PayloadContentIndexTests {
    private static func record(_ text: String, path: String) -> PayloadContentIndex.Record {
        let bytes = Array(text.utf8)
        return PayloadContentIndex.Record(
            payloadPath: path, size: bytes.count, sha256: PackedSHA256(.sha256, of: bytes), sha512: PackedSHA512(.sha512, of: bytes))
    }

    private static func makeIndex() throws -> PayloadContentIndex {
        try PayloadContentIndex(path: TestPaths.temporaryDirectory().appendingPathComponent("index.sqlite"))
    }

    @Test("record reads back by content")
    func contentLookup() throws {
        let index = try Self.makeIndex()
        let first = Self.record("{\"name\": \"acme-api\"}\n", path: "data/snapshots/a/app/acme-api.json")
        let other = Self.record("{\"name\": \"acme-web\"}\n", path: "data/snapshots/a/app/acme-web.json")
        try index.add(first)

        #expect(try index.record(content: first.sha256) == first)
        #expect(try index.record(content: other.sha256) == nil)
    }

    @Test("object reads back its rendered content")
    func objectLookup() throws {
        let index = try Self.makeIndex()
        let rendered = Self.record("{\"name\": \"acme-api\"}\n", path: "data/snapshots/a/app/acme-api.json")
        let object = PackedSHA256(.sha256, of: Array("stored object".utf8))
        let unknown = PackedSHA256(.sha256, of: Array("another object".utf8))
        try index.add(rendered)
        try index.add(object: object, content: rendered.sha256)

        #expect(try index.record(object: object) == rendered)
        #expect(try index.record(object: unknown) == nil)
    }

    @Test("object mapped again reads the new content")
    func objectRemapped() throws {
        let index = try Self.makeIndex()
        let old = Self.record("old rendering\n", path: "data/snapshots/a/app/acme-api.json")
        let new = Self.record("new rendering\n", path: "data/snapshots/b/app/acme-api.json")
        let object = PackedSHA256(.sha256, of: Array("stored object".utf8))
        try index.add(old)
        try index.add(new)
        try index.add(object: object, content: old.sha256)
        #expect(try index.record(object: object) == old)

        try index.add(object: object, content: new.sha256)
        #expect(try index.record(object: object) == new)
    }

    @Test("many records stay distinct")
    func manyRecords() throws {
        let index = try Self.makeIndex()
        // More records than SQLite's page cache and the recent objects hold, so lookups read
        // spilled pages and objects that the cache dropped.
        let count = 3 * PayloadContentIndex.recentObjectLimit
        let records = (0..<count).map { Self.record("content \($0)", path: "data/snapshots/s/app/file-\($0).json") }
        let objects = (0..<count).map { PackedSHA256(.sha256, of: Array("object \($0)".utf8)) }
        for (record, object) in zip(records, objects) {
            try index.add(record)
            try index.add(object: object, content: record.sha256)
        }
        for round in 1...2 {
            for (offset, (record, object)) in zip(records, objects).enumerated() {
                #expect(try index.record(content: record.sha256) == record, "content \(offset), round \(round)")
                #expect(try index.record(object: object) == record, "object \(offset), round \(round)")
            }
        }
    }
}

@Suite("Archive payload sink")
struct ArchivePayloadSinkTests {
    @Test("folders written once, links to first copy")
    func foldersAndLinks() throws {
        let folder = TestPaths.temporaryDirectory()
        let archivePath = folder.appendingPathComponent("payload.tar").path
        let writer = try ArchiveWriter(path: archivePath, compression: .uncompressed)
        let sha256 = try ManifestSpool(fileName: "manifest-sha256.txt", folder: folder)
        let sha512 = try ManifestSpool(fileName: "manifest-sha512.txt", folder: folder)
        let sink = try ArchivePayloadSink(
            writer: writer, root: "bag", modificationTime: 0, sha256Manifest: sha256, sha512Manifest: sha512,
            indexPath: folder.appendingPathComponent("index.sqlite"))
        let same = Array("same bytes\n".utf8)
        let objectDigest = Digest.sha256(Array("stored object".utf8))
        var renders = 0
        let render = { () -> [UInt8] in
            renders += 1
            return Array("rendered object\n".utf8)
        }

        try sink.addFile("a/b/1.json", bytes: same)
        try sink.addFile("a/b/2.json", bytes: Array("other bytes\n".utf8))
        try sink.addStoredObject("a/c/3.json", object: PackedSHA256(hex: objectDigest), render: render)
        try sink.addStoredObject("a/c/d/4.json", object: PackedSHA256(hex: objectDigest), render: render)
        try sink.addFile("a/e.json", bytes: same)
        try sink.addFile("b/5.json", bytes: Array("rendered object\n".utf8))
        try sink.addFile("b/6.json", hashed: HashedBytes(same))
        try sink.addFile("b/7.json", hashed: HashedBytes(Array("hashed before\n".utf8)))
        try writer.close()
        try sha256.file.finish()
        try sha512.file.finish()

        var entries: [String] = []
        let reader = try ArchiveReader(path: archivePath)
        while let entry = try reader.nextEntry() {
            switch entry.kind {
            case .directory: entries.append("d \(entry.path)")
            case .regular: entries.append("f \(entry.path)")
            case .hardLink(let target): entries.append("h \(entry.path) -> \(target)")
            default: entries.append("? \(entry.path)")
            }
        }
        let expected = [
            "d bag/data/", "d bag/data/a/", "d bag/data/a/b/", "f bag/data/a/b/1.json", "f bag/data/a/b/2.json",
            "d bag/data/a/c/", "f bag/data/a/c/3.json", "d bag/data/a/c/d/", "h bag/data/a/c/d/4.json -> bag/data/a/c/3.json",
            "h bag/data/a/e.json -> bag/data/a/b/1.json", "d bag/data/b/", "h bag/data/b/5.json -> bag/data/a/c/3.json",
            "h bag/data/b/6.json -> bag/data/a/b/1.json", "f bag/data/b/7.json",
        ]
        #expect(entries == expected)
        #expect(renders == 1, "a stored object seen before should not be rendered again")
        #expect(sink.fileCount == 8)
        #expect(sink.linkCount == 4)
        // Digests computed before are listed as the sink would compute them.
        let lines = try String(contentsOf: sha512.file.url, encoding: .utf8).split(separator: "\n")
        #expect(lines.last == "\(Digest.sha512(Array("hashed before\n".utf8)))  data/b/7.json")
        #expect(lines.first == "\(Digest.sha512(same))  data/a/b/1.json")
    }
}

@Suite("Archive writer names")
struct ArchiveWriterNameTests {
    /// A name too long for the ustar header goes into a pax record, and a link names its
    /// target. Both must read back unchanged. Docket's bag paths are ASCII, so no other is tried.
    @Test("long and linked names")
    func namesReadBack() throws {
        let folder = TestPaths.temporaryDirectory()
        let archivePath = folder.appendingPathComponent("names.tar").path
        let writer = try ArchiveWriter(path: archivePath, compression: .uncompressed)
        let longName = "bag/data/" + String(repeating: "long-folder-name/", count: 8) + "file.json"
        try writer.addFile("bag/plain.json", bytes: Array("one\n".utf8), modificationTime: 0)
        try writer.addFile(longName, bytes: Array("three\n".utf8), modificationTime: 0)
        try writer.addHardLink("bag/link.json", target: "bag/plain.json", modificationTime: 0)
        try writer.close()

        let listing = try ToolRunner.run(["tar", "-tvf", archivePath], environment: ["LC_ALL": "C.UTF-8"])
        #expect(listing.status == 0, "\(listing.errorOutput)")
        let lines = listing.output.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0].hasSuffix(" bag/plain.json"))
        #expect(lines[1].hasSuffix(" \(longName)"))
        #expect(lines[2].hasSuffix(" bag/link.json link to bag/plain.json"))
    }
}
