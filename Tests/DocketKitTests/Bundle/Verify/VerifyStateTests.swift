import Foundation
import Testing

@testable import DocketKit

/// The compact state `verify` keeps while it checks a bag: the file table, the spool of
/// manifests read back line by line, and the fast path for archive entry names.
@Suite("verify's file table and spool")
struct VerifyStateTests {
    @Test("table finds either normalization form")
    func normalizationForms() throws {
        let table = FileTable(algorithms: [.sha256])
        let content = table.addContent(size: 3, hexDigests: [Digest.sha256("abc")], canonicalHex: nil)
        table.insert("data/caf\u{E9}.txt", content: content)
        table.insert("bagit.txt", content: content)

        let composed = try #require(table.entry("data/caf\u{E9}.txt"))
        let decomposed = try #require(table.entry("data/cafe\u{301}.txt"))
        #expect(composed == decomposed)
        #expect(!table.storedPathDiffers(composed, from: "data/caf\u{E9}.txt"))
        #expect(table.storedPathDiffers(composed, from: "data/cafe\u{301}.txt"))
        #expect(Array(table.path(ofEntry: composed).utf8) == Array("data/caf\u{E9}.txt".utf8))
        #expect(table.entry("data/cafe.txt") == nil)
        #expect(table.payloadCount == 1)
        #expect(table.tagPaths == ["bagit.txt"])
    }

    @Test("table shares repeated names")
    func sharedNames() throws {
        let table = FileTable(algorithms: [.sha256])
        let content = table.addContent(size: 3, hexDigests: [Digest.sha256("abc")], canonicalHex: nil)
        let paths = ["data/a/x.json", "data/b/x.json", "data/b/x.jso", "data/c/x.json", "data/c/caf\u{E9}", "data/d/cafe\u{301}", "x.json"]
        for path in paths {
            table.insert(path, content: content)
        }
        for path in paths {
            let id = try #require(table.entry(path), "\(path)")
            #expect(Array(table.path(ofEntry: id).utf8) == Array(path.utf8))
        }
        #expect(table.entry("data/a/x.jso") == nil)
        #expect(table.entry("data/b/x.js") == nil)
    }

    @Test("match reports the spelling")
    func matchSpelling() throws {
        let table = FileTable(algorithms: [.sha256])
        let content = table.addContent(size: 3, hexDigests: [Digest.sha256("abc")], canonicalHex: nil)
        table.insert("data/caf\u{E9}.txt", content: content)
        let same = try #require(table.match("data/caf\u{E9}.txt", key: PathKey("data/caf\u{E9}.txt")))
        let other = try #require(table.match("data/cafe\u{301}.txt", key: PathKey("data/cafe\u{301}.txt")))
        #expect(same.id == other.id)
        #expect(same.isSameSpelling)
        #expect(!other.isSameSpelling)
    }

    @Test("retained paths", arguments: [
        ("bagit.txt", true), ("data/manifest.json", true), ("data/snapshots/t/resources.json", true),
        ("data/snapshots/t/resources.json/", true), ("data/snapshots/t/xresources.json", false), ("data/x/t/resources.json", false),
        ("data/snapshots/t/k/resources.json", false), ("data/snapshots/resources.json", false), ("data/runs.csv", false),
    ])
    func retainedPaths(path: String, expected: Bool) {
        #expect(BagArchiveScanner.isRetained(path) == expected)
    }

    @Test("table keeps raw digests")
    func digests() throws {
        let table = FileTable(algorithms: [.sha256, .sha512])
        let sha256 = Digest.sha256("abc")
        let sha512 = Digest.sha512(Array("abc".utf8))
        let content = table.addContent(size: 3, hexDigests: [sha256, sha512], canonicalHex: sha256)
        #expect(table.digestHex(ofContent: content, .sha256) == sha256)
        #expect(table.digestHex(ofContent: content, .sha512) == sha512)
        #expect(table.digest(ofContent: content, .sha512, equals: sha512))
        #expect(!table.digest(ofContent: content, .sha512, equals: sha256))
        #expect(!table.digest(ofContent: content, .sha256, equals: sha256.uppercased()))
        #expect(table.digestHex(ofContent: content, .md5) == nil)
        #expect(table.canonical(ofContent: content, equals: sha256))
        #expect(table.canonicalHex(ofContent: content) == sha256)
    }

    @Test("hex comparison", arguments: [("0aff", true), ("0AFF", false), ("0af", false), ("0afe", false), ("", false)])
    func hexComparison(text: String, expected: Bool) {
        #expect(FileTable.hex(text, equals: [0x0A, 0xFF][...]) == expected)
    }

    @Test("spooled lines match split lines across chunks")
    func spooledLines() throws {
        // A byte-order mark, a first line of 72 bytes and lines of 98 bytes put the CR of line
        // 10,700 at the last byte of the first 1 MiB chunk and its LF at the first byte of the next.
        var text = "\u{FEFF}" + "cc  data/first" + String(repeating: "x", count: 56) + "\r\n"
        for index in 0..<12_000 {
            text += String(repeating: "a", count: 64) + "  data/\(String(format: "%025d", index))\r\n"
        }
        #expect(Array(text.utf8)[(1 << 20) - 1] == 0x0D)
        #expect(Array(text.utf8)[1 << 20] == 0x0A)
        text += "\n\nbb  data/last"
        let spool = try ContentSpool()
        let start = spool.endOffset
        try Array(text.utf8).withUnsafeBytes { try spool.write($0) }
        let lines = SpooledLines(spool: spool, span: ContentSpool.Span(offset: start, count: text.utf8.count))

        var read: [String] = []
        lines.forEachLine { read.append(String(decoding: $0, as: UTF8.self)) }
        let expected = TagText.lines(String(text.dropFirst())).filter { !$0.isEmpty }
        #expect(text.utf8.count > 1 << 20)
        #expect(read.count == 12_002)
        #expect(read == expected)
        #expect(lines.isValidUTF8())
    }

    @Test("valid spooled files are accepted", arguments: ["aa  data/one\n", "aa  data/caf\u{E9}\n", ""])
    func validUTF8(text: String) throws {
        let spool = try ContentSpool()
        try Array(text.utf8).withUnsafeBytes { try spool.write($0) }
        #expect(SpooledLines(spool: spool, span: ContentSpool.Span(offset: 0, count: text.utf8.count)).isValidUTF8())
    }

    @Test("invalid UTF-8 in a spooled file is found")
    func invalidUTF8() throws {
        let spool = try ContentSpool()
        let bytes: [UInt8] = Array("aa  data/one\n".utf8) + [0x61, 0x20, 0x20, 0xC3, 0x28, 0x0A]
        try bytes.withUnsafeBytes { try spool.write($0) }
        #expect(!SpooledLines(spool: spool, span: ContentSpool.Span(offset: 0, count: bytes.count)).isValidUTF8())
    }

    @Test("spool reuses discarded space")
    func discard() throws {
        let spool = try ContentSpool()
        try Array("first".utf8).withUnsafeBytes { try spool.write($0) }
        spool.discard(from: 0)
        try Array("second".utf8).withUnsafeBytes { try spool.write($0) }
        #expect(spool.read(ContentSpool.Span(offset: 0, count: 6)) == Array("second".utf8))
        #expect(spool.endOffset == 6)
    }

    @Test("clean entry names skip splitting", arguments: [
        ("bag/data/a.txt", "bag", "data/a.txt"), ("bag/data/", "bag", "data"), ("bag", "bag", ""), ("bag/", "bag", ""),
        ("data/a", "", "data/a"), ("a/...", "", "a/..."), ("a/.b", "", "a/.b"),
        ("bag/./data", "bag", nil), ("bag//x", "bag", nil), ("/bag/x", "bag", nil), ("bag/../x", "bag", nil),
        ("bagx/y", "bag", nil), ("a/..", "", nil), ("./a", "", nil), ("a//", "", nil), ("", "", nil),
    ])
    func cleanNames(path: String, folder: String, expected: String?) {
        #expect(BagArchiveScanner.cleanRelativePath(path, folder: folder) == expected)
    }
}

@Suite("digests computed in batches")
struct DigestBatchesTests {
    /// Enough files for several batches by count and by bytes, some of them resource files
    /// whose canonical digest is computed too, some not JSON.
    @Test("batched digests match inline ones")
    func sameAsInline() {
        let algorithms: [DigestAlgorithm] = [.sha256, .sha512]
        let batched = FileTable(algorithms: algorithms)
        let inline = FileTable(algorithms: algorithms)
        var batches = DigestBatches(algorithms: algorithms)
        let count = DigestBatches.maximumFiles * 2 + 37
        var contents: [Int32] = []
        for number in 0..<count {
            let isLarge = number % 97 == 0
            let text = isLarge ? String(repeating: "x", count: 300_000) : #"{ "b": \#(number), "a": "file \#(number)" }"#
            let bytes = Array(text.utf8)
            let needsCanonical = number % 3 != 0
            let expected = BagArchiveScanner.digests(of: bytes, algorithms: algorithms, needsCanonical: needsCanonical)
            _ = inline.addContent(size: Int64(bytes.count), hexDigests: expected.hex, canonicalHex: expected.canonical)
            let content = batched.addPendingContent(size: Int64(bytes.count))
            batches.add(content: content, bytes: bytes, needsCanonical: needsCanonical, to: batched)
            contents.append(content)
        }
        batches.finish(into: batched)

        for content in contents {
            #expect(batched.size(ofContent: content) == inline.size(ofContent: content))
            #expect(batched.digestHex(ofContent: content, .sha256) == inline.digestHex(ofContent: content, .sha256), "content \(content)")
            #expect(batched.digestHex(ofContent: content, .sha512) == inline.digestHex(ofContent: content, .sha512), "content \(content)")
            #expect(batched.canonicalHex(ofContent: content) == inline.canonicalHex(ofContent: content), "content \(content)")
        }
        #expect(inline.canonicalHex(ofContent: 1) == Digest.sha256(Array(#"{"a":"file 1","b":1}"#.utf8)))
        #expect(inline.canonicalHex(ofContent: 0) == nil)
    }
}
