import Foundation
import Testing

@testable import DocketKit

/// Verify settles most manifest lines from their bytes (`ManifestFile.plainLine`) and parses
/// the rest. A bag packed by GNU tar whose manifest mixes both kinds must get each line's
/// verdict, whichever way the line was read.
@Suite("manifest lines read two ways")
struct ManifestLineTests {
    @Test("mixed manifest lines judged")
    func mixedLines() throws {
        try ToolRunner.require("tar", package: "tar")
        let folder = TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bag = folder.appendingPathComponent("bag")
        let contents = ["a.txt": "one", "b.txt": "two", "c.txt": "three", "d.txt": "four", "e.txt": "five", "f g.txt": "six"]
        try FileManager.default.createDirectory(at: bag.appendingPathComponent("data"), withIntermediateDirectories: true)
        for (name, text) in contents {
            try Data(text.utf8).write(to: bag.appendingPathComponent("data/\(name)"))
        }
        try Data("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n".utf8).write(to: bag.appendingPathComponent("bagit.txt"))
        func digest(_ name: String) -> String { Digest.sha256(contents[name]!) }
        let lines = [
            "\(digest("a.txt"))  data/a.txt",
            "\(digest("b.txt"))  ./data/b.txt",
            "\(Digest.sha256("altered"))  data/c.txt",
            "\(digest("d.txt"))  data/d.txt",
            "\(digest("d.txt"))  data/d.txt",
            "\(digest("e.txt").uppercased())  data/e.txt",
            "\(digest("f g.txt"))\tdata/f g.txt",
            "\(digest("a.txt"))  data/missing.txt",
        ]
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: bag.appendingPathComponent("manifest-sha256.txt"))
        let archive = folder.appendingPathComponent("bag.tar")
        let packed = try ToolRunner.run(["tar", "--sort=name", "-cf", archive.path, "-C", folder.path, "bag"])
        try #require(packed.status == 0, "tar failed: \(packed.combined)")

        let result = try BagVerifier().verify(archiveAt: archive.path)
        let summary = result.problems.map(\.description).joined(separator: "\n")
        #expect(result.errors.count == 3, "\(summary)")
        let altered = result.errors.first { $0.file == "data/c.txt" }
        #expect(altered?.message.contains("contents differ") == true, "\(summary)")
        #expect(result.errors.contains { $0.message.contains("lists data/d.txt twice") }, "\(summary)")
        let missing = result.errors.first { $0.file == "data/missing.txt" }
        #expect(missing?.message.contains("does not contain it") == true, "\(summary)")
        #expect(result.warnings.count == 1, "\(summary)")
        #expect(result.warnings.contains { $0.message.contains("./data/b.txt with a leading ./") }, "\(summary)")
    }
}
