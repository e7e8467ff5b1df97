import Foundation
import Testing

@testable import DocketKit

/// The Library of Congress BagIt conformance suite, every bag packed as a tar by GNU tar and
/// judged by the verifier as the suite's folder prescribes:
/// - `valid/`: no error, and no warning except for a manifest path written with a leading
///   `./`, which the suite counts as valid in `bag-with-leading-dot-slash-in-manifest` but a
///   warning in `warning/relative-path`; verify warns in both;
/// - `invalid/`, `linux-only/`, `windows-only/`: at least one error (Windows paths such as
///   `C:\…` and `\\?\UNC\…` point outside the bag on Windows, so verify rejects them on
///   every system: a bag must be safe wherever it is extracted);
/// - `warning/`: at least one warning and no error. Where such a bag on Linux lacks a file
///   its manifest lists, verify accepts it when the missing name differs only in case or
///   Unicode normalization from a listed file it contains with the same digest, or is a desktop
///   system file (`.DS_Store`, `Thumbs.db`) that copy tools drop.
@Suite("BagIt conformance suite")
struct BagItConformanceTests {
    static let root = TestPaths.sharedTestdata.appendingPathComponent("bagit-conformance")

    /// Every bag as `version/category/name`.
    static let bags: [String] = {
        let manager = FileManager.default
        var result: [String] = []
        for version in (try? manager.contentsOfDirectory(atPath: root.path)) ?? [] where version.hasPrefix("v") {
            let versionURL = root.appendingPathComponent(version)
            for category in (try? manager.contentsOfDirectory(atPath: versionURL.path)) ?? [] {
                let categoryURL = versionURL.appendingPathComponent(category)
                for name in (try? manager.contentsOfDirectory(atPath: categoryURL.path)) ?? [] {
                    result.append("\(version)/\(category)/\(name)")
                }
            }
        }
        return result.sorted()
    }()

    @Test("suite is present")
    func suitePresent() {
        #expect(Self.bags.count >= 60)
    }

    @Test("each bag is judged as its folder says", arguments: bags)
    func judge(bag: String) throws {
        try ToolRunner.require("tar", package: "tar")
        let parts = bag.split(separator: "/").map(String.init)
        let folder = TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let archive = folder.appendingPathComponent("\(parts[2]).tar")
        let categoryFolder = Self.root.appendingPathComponent("\(parts[0])/\(parts[1])")
        let packed = try ToolRunner.run(["tar", "--sort=name", "-cf", archive.path, "-C", categoryFolder.path, parts[2]])
        try #require(packed.status == 0, "tar failed: \(packed.combined)")

        let result = try BagVerifier().verify(archiveAt: archive.path)
        let summary = result.problems.map(\.description).joined(separator: "\n")
        switch parts[1] {
        case "valid":
            #expect(result.errors.isEmpty, "expected a pass:\n\(summary)")
            let unexpected = result.warnings.filter { !$0.message.contains("leading ./") }
            #expect(unexpected.isEmpty, "expected no warning:\n\(summary)")
        case "warning":
            #expect(result.errors.isEmpty, "expected no error:\n\(summary)")
            #expect(!result.warnings.isEmpty, "expected a warning")
        default:
            #expect(!result.errors.isEmpty, "expected an error for an invalid bag")
        }
    }
}
