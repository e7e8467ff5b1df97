import Testing

@testable import DocketKit

@Suite("bag path order and manifest lines")
struct BagTextTests {
    /// The order `precedes` must give, written the slow way: component by component.
    static func componentOrder(_ left: String, _ right: String) -> Bool {
        let leftParts = left.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        let rightParts = right.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        for (a, b) in zip(leftParts, rightParts) where !a.elementsEqual(b) {
            return a.lexicographicallyPrecedes(b)
        }
        return leftParts.count < rightParts.count
    }

    @Test("manifest paths encode percent, CR, LF")
    func manifestPathEncoding() {
        #expect(BagLayout.manifestPath("data/snapshots/a b/é.json") == "data/snapshots/a b/é.json")
        #expect(BagLayout.manifestPath("data/100%\nnew\rline.json") == "data/100%25%0Anew%0Dline.json")
    }

    @Test("folder entries follow the folder", arguments: [
        ("data", "data-x", true), ("data/b", "data-x", true), ("data-x", "data/b", false), ("a", "a/b", true),
        ("a/b", "a", false), ("a/b", "a/b", false), ("a//b", "a/b", true), ("resources.json", "redis/x.json", false),
        ("", "a", true), ("a", "", false),
    ])
    func precedesCases(left: String, right: String, expected: Bool) {
        #expect(BagLayout.precedes(left, right) == expected)
        #expect(Self.componentOrder(left, right) == expected)
    }

    @Test("precedes matches component order on generated paths")
    func precedesMatchesComponents() {
        let pieces = ["a", "b", "a-b", "a.b", "ab", "", "é", "z"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let left = (0..<Int.random(in: 1...3, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined(separator: "/")
            let right = (0..<Int.random(in: 1...3, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined(separator: "/")
            #expect(BagLayout.precedes(left, right) == Self.componentOrder(left, right), "\(left) vs \(right)")
        }
    }

    static func lines(_ text: String) -> (lines: [ManifestLine], problems: [BagProblem]) {
        let manifest = ManifestFile(name: "manifest-sha256.txt", algorithm: .sha256, text: text)
        var problems: [BagProblem] = []
        var lines: [ManifestLine] = []
        manifest.forEachLine(problems: &problems) { line, _ in lines.append(line) }
        return (lines, problems)
    }

    @Test("manifest lines split at LF, CRLF and CR")
    func lineBreaks() {
        let (lines, problems) = Self.lines("AA  data/one\r\nbb  data/two\rcc\tdata/three\n\n")
        #expect(problems.isEmpty)
        #expect(lines.map(\.digest) == ["aa", "bb", "cc"])
        #expect(lines.map(\.path) == ["data/one", "data/two", "data/three"])
    }

    @Test("manifest lines lose surrounding whitespace")
    func whitespace() {
        let (lines, _) = Self.lines("  aa \t data/one  \nbb  data/two\u{00A0}\n\tcc  data/x y\n")
        #expect(lines.map(\.digest) == ["aa", "bb", "cc"])
        #expect(lines.map(\.path) == ["data/one", "data/two", "data/x y"])
    }

    @Test("manifest line markers are reported")
    func markers() {
        let (lines, problems) = Self.lines("aa *data/one\nbb ./data/two\nnodigest\ncc data/%0Aname\n")
        #expect(lines.map(\.path) == ["data/one", "data/two", "data/\nname"])
        #expect(problems.count == 3)
        #expect(problems.contains { $0.message.contains("malformed line \"nodigest\"") })
    }

    @Test("escaping paths are named", arguments: [
        ("/etc/passwd", "absolute"), ("~/x", "home-folder"), ("data\\x", "backslash"), ("C:/x", "drive letter"),
        ("data/../x", ".. component"), ("..", ".. component"), ("data/x/..", ".. component"), ("data/x\\", "backslash"),
        ("\u{E9}:/x", "drive letter"), ("/", "absolute"),
    ])
    func escapeReasons(path: String, reason: String) {
        #expect(BagPath.escapeReason(path)?.contains(reason) == true)
    }

    @Test("inside paths are accepted", arguments: ["data/a..b", "data/..a", "data/x:y", "1:x", "data/.../x", "\u{E9}/x", "d"])
    func insidePaths(path: String) {
        #expect(BagPath.escapeReason(path) == nil)
    }

    /// Returns what `ManifestFile.plainLine` reads from `line`, as strings.
    static func plainLine(_ line: String, digestLength: Int = 2) -> (digest: String, path: String)? {
        var line = line
        return line.withUTF8 { bytes in
            ManifestFile.plainLine(UnsafeRawBufferPointer(bytes), digestLength: digestLength).map {
                (String(decoding: $0.digest, as: UTF8.self), $0.path)
            }
        }
    }

    @Test("plain manifest lines read as parsed", arguments: [
        "0a1f  data/one.json", "0a1f data/x y.json", "0a1f\tdata/a..b", "0a1f \t data/..a/.b", "0a1f  tagmanifest-sha256.txt",
        "0a1f  data/1:x",
    ])
    func plainLines(line: String) throws {
        let plain = try #require(Self.plainLine(line))
        var problems: [BagProblem] = []
        let parsed = try #require(ManifestFile.parseLine(Substring(line), manifest: "manifest-sha256.txt", problems: &problems))
        #expect(problems.isEmpty)
        #expect(plain.digest == parsed.digest)
        #expect(plain.path == parsed.path)
        #expect(parsed.written == parsed.path)
        #expect(BagPath.escapeReason(plain.path) == nil)
    }

    /// Each of these lines needs the full parse: a warning, a decoded or trimmed path, a
    /// digest to lowercase or of another length, or a path `escapeReason` judges.
    @Test("other manifest lines left to the parser", arguments: [
        "0A1F  data/one", "0a1  data/one", "0a1f0  data/one", "0a1g  data/one", "0a1fdata/one", "0a1f  ", "0a1f",
        "0a1f  *data/one", "0a1f  ./data/one", "0a1f  data/./one", "0a1f  data/%0Aname", "0a1f  data/100%", "0a1f  data\\one",
        "0a1f  /data/one", "0a1f  ~/one", "0a1f  C:/one", "0a1f  data/../one", "0a1f  ..", "0a1f  data/one/..", "0a1f  data//one",
        "0a1f  data/one/", "0a1f  data/one ", "0a1f  data/one\t", "0a1f  data/caf\u{E9}", "0a1f  data/\u{1}", "0a1f  data/one\u{7F}",
        " 0a1f  data/one",
    ])
    func otherLines(line: String) {
        #expect(Self.plainLine(line) == nil)
    }

    @Test("plain lines match parser, generated")
    func generatedLines() {
        let digests = ["0a1f", "0A1F", "0a1", "zz00", "ffff"]
        let gaps = [" ", "  ", "\t", " \t", ""]
        let pieces = ["data", "a", ".", "..", "", "%25", "*", "~", "C:", "x y", "é", "\\", " ", "./", "a.json", ":"]
        var generator = SystemRandomNumberGenerator()
        var plainCount = 0
        for _ in 0..<5000 {
            let path = (0..<Int.random(in: 1...4, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined(separator: "/")
            let line = digests.randomElement(using: &generator)! + gaps.randomElement(using: &generator)! + path
            guard let plain = Self.plainLine(line) else { continue }
            plainCount += 1
            var problems: [BagProblem] = []
            let parsed = ManifestFile.parseLine(Substring(line), manifest: "manifest-sha256.txt", problems: &problems)
            #expect(problems.isEmpty, "\(line)")
            #expect(parsed?.digest == plain.digest, "\(line)")
            #expect(parsed?.path == plain.path, "\(line)")
            #expect(parsed?.written == plain.path, "\(line)")
            #expect(BagPath.escapeReason(plain.path) == nil, "\(line)")
        }
        #expect(plainCount > 100)
    }
}
