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
}
