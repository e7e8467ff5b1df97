import Foundation
import Testing

@testable import DocketKit

@Suite("Bundle writing")
struct BundleWriterTests {
    @Test("GNU tar and bsdtar extract the same tree")
    func extractors() throws {
        try ToolRunner.require("tar", package: "tar")
        try ToolRunner.require("bsdtar", package: "libarchive-tools")
        let fixture = try BundleFixture.make()
        let result = try fixture.writeBundle()
        let gnu = try fixture.extract(result, with: "tar", into: "gnu")
        let bsd = try fixture.extract(result, with: "bsdtar", into: "bsd")

        let difference = try ToolRunner.run(["diff", "-r", gnu.path, bsd.path])
        #expect(difference.status == 0, "the trees differ: \(difference.combined)")
        #expect(result.linkedFiles > 0)
        let repeated = gnu.appendingPathComponent("data/snapshots/20260330T060000Z/app/acme-api.json").path
        let links = try FileManager.default.attributesOfItem(atPath: repeated)[.referenceCount] as? Int
        #expect(links == 6, "the unchanged app file should be one inode linked from each of the six snapshots")
    }

    @Test("sha256sum -c passes after tar xf", arguments: ["bundle.tar", "bundle.tar.gz", "bundle.tar.zst"])
    func standardTools(name: String) throws {
        try ToolRunner.require("tar", package: "tar")
        try ToolRunner.require("zstd", package: "zstd")
        let fixture = try BundleFixture.make()
        let bag = try fixture.extract(try fixture.writeBundle(name: name), into: "x")

        for (tool, file) in [("sha256sum", "tagmanifest-sha256.txt"), ("sha256sum", "manifest-sha256.txt"), ("sha512sum", "manifest-sha512.txt")] {
            let check = try ToolRunner.run([tool, "--strict", "-c", file], in: bag)
            #expect(check.status == 0, "\(tool) -c \(file): \(check.combined)")
        }
        let files = try ToolRunner.run(["sh", "-c", "find data -type f | sort > /tmp/files-$$ && cut -d' ' -f3- manifest-sha256.txt | sort | diff - /tmp/files-$$; status=$?; rm /tmp/files-$$; exit $status"], in: bag)
        #expect(files.status == 0, "data/ and the manifest list different files: \(files.combined)")
    }

    @Test("changes.csv has a row per change and a manifest line")
    func changeTable() throws {
        try ToolRunner.require("tar", package: "tar")
        let fixture = try BundleFixture.make()
        let bag = try fixture.extract(try fixture.writeBundle(), into: "changes")
        let table = try String(contentsOf: bag.appendingPathComponent("data/changes/changes.csv"), encoding: .utf8)
        let lines = table.components(separatedBy: "\r\n").dropLast()

        #expect(lines.first == EvidenceTables.changesHeader.joined(separator: ","))
        #expect(table.hasSuffix("\r\n"))
        // Day 3 adds an app and day 4 removes a domain, each against the snapshot before.
        let dayThree = lines.filter { $0.hasPrefix("2026-03-27T06:00:00Z,") }
        let dayFour = lines.filter { $0.hasPrefix("2026-03-28T06:00:00Z,") }
        #expect(dayThree.contains { $0.contains(",app,") })
        #expect(dayFour.contains { $0.contains(",domain,") })
        let manifest = try String(contentsOf: bag.appendingPathComponent("manifest-sha256.txt"), encoding: .utf8)
        let digest = Digest.hex(.sha256, Array(table.utf8))
        #expect(manifest.contains("\(digest)  data/changes/changes.csv\n"))
    }

    @Test("bagit-python validates the extracted bag")
    func bagitPython() throws {
        let python = try ToolRunner.python()
        let fixture = try BundleFixture.make()
        let bag = try fixture.extract(try fixture.writeBundle(), into: "x")
        let validation = try ToolRunner.run([python, "-m", "bagit", "--validate", bag.path])
        #expect(validation.status == 0, "bagit: \(validation.combined)")
        #expect(validation.combined.contains("is valid"))
    }

    @Test("verify accepts a fresh bundle", arguments: ["bundle.tar", "bundle.tgz", "bundle.tar.zst"])
    func verifyFresh(name: String) throws {
        let fixture = try BundleFixture.make()
        let result = try fixture.writeBundle(name: name)
        let verification = try BagVerifier().verify(archiveAt: result.path)
        #expect(verification.problems.isEmpty, "\(verification.problems)")
        #expect(verification.isDocketBag)
        #expect(verification.snapshotsChecked == 6)
        #expect(verification.payloadFiles == result.payloadFiles)
        #expect(verification.payloadBytes == result.payloadBytes)
    }

    @Test("two bundles of one period are byte-identical")
    func reproducible() throws {
        let fixture = try BundleFixture.make()
        for name in ["a.tar", "a.tar.gz", "a.tar.zst"] {
            let first = try fixture.writeBundle(name: name)
            let firstBytes = try Data(contentsOf: URL(fileURLWithPath: first.path))
            let second = try fixture.writeBundle(name: "second-" + name)
            let secondBytes = try Data(contentsOf: URL(fileURLWithPath: second.path))
            #expect(firstBytes == secondBytes, "\(name) differs between two runs")
            #expect(first.archiveSHA256 == second.archiveSHA256)
            // The digest and size are taken as the archive is written, and match the file.
            #expect(first.archiveSHA256 == Digest.sha256(firstBytes), "\(name)")
            #expect(first.archiveBytes == Int64(firstBytes.count), "\(name)")
        }
    }

    @Test("one and two cores agree")
    func secondCore() throws {
        let fixture = try BundleFixture.make(days: 7)
        let alone = try fixture.writeBundle(name: "one.tar", secondCore: false)
        let shared = try fixture.writeBundle(name: "two.tar", secondCore: true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: alone.path)) == Data(contentsOf: URL(fileURLWithPath: shared.path)))
        #expect(shared.snapshotCount == 7)
        #expect(shared.linkedFiles > 0)
    }

    @Test("damage outside period is counted")
    func damageOutsidePeriod() throws {
        let fixture = try BundleFixture.make()
        let snapshots = try fixture.store.snapshots().sorted { $0.capturedAt < $1.capturedAt }
        // A resource version only the snapshots before the bundle's baseline (March 29) list.
        let bundled = try Set(snapshots.suffix(2).flatMap { try fixture.store.entries(of: $0).map(\.digest) })
        let earlier = try snapshots.dropLast(2).flatMap { try fixture.store.entries(of: $0) }
        let damaged = try #require(earlier.first { !bundled.contains($0.digest) })
        try fixture.store.overwriteBody(of: damaged.digest, with: Array("damaged".utf8))

        let result = try fixture.writeBundle(period: "2026-03-30..2026-03-30")
        #expect(result.storeProblems == 1)
        #expect(try BagVerifier().verify(archiveAt: result.path).problems.isEmpty)
        let bag = try fixture.extract(result, into: "damaged")
        let timeline = try String(contentsOf: bag.appendingPathComponent("data/controls/timeline.csv"), encoding: .utf8)
        #expect(timeline.contains("evidence-store-intact"))
        #expect(timeline.contains(String(damaged.digest.prefix(12))))

        let intact = try BundleFixture.make().writeBundle(period: "2026-03-30..2026-03-30")
        #expect(intact.storeProblems == 0)
    }

    @Test("gzip header has no name and no time")
    func gzipHeader() throws {
        let fixture = try BundleFixture.make()
        let result = try fixture.writeBundle(name: "bundle.tar.gz")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: result.path)).prefix(10))
        #expect(bytes[0] == 0x1F, "not a gzip file")
        #expect(bytes[1] == 0x8B, "not a gzip file")
        #expect(bytes[3] & 0x08 == 0, "the FNAME flag is set")
        #expect(bytes[4..<8].allSatisfy { $0 == 0 }, "MTIME is \(bytes[4..<8])")
    }

    @Test("archive entry order and metadata")
    func entryMetadata() throws {
        let fixture = try BundleFixture.make()
        let result = try fixture.writeBundle()
        let script = """
            import sys, tarfile
            for m in tarfile.open(sys.argv[1]):
                kind = 'd' if m.isdir() else 'h' if m.islnk() else 'f' if m.isfile() else '?'
                print(kind, m.uid, m.gid, repr(m.uname), repr(m.gname), m.mtime, oct(m.mode), m.name, m.linkname, sep='\\t')
            """
        let listing = try ToolRunner.run(["python3", "-c", script, result.path])
        try #require(listing.status == 0, "\(listing.combined)")
        let lastSnapshot = Int(Timestamp.parse("2026-03-30T06:00:00Z")!.timeIntervalSince1970)
        var names: [String] = []
        var regularFiles: Set<String> = []
        for line in listing.output.split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            #expect(fields[1] == "0", "\(fields[7]) is owned by uid \(fields[1])")
            #expect(fields[2] == "0", "\(fields[7]) is owned by gid \(fields[2])")
            #expect(fields[3] == "''", "\(fields[7]) has the user name \(fields[3])")
            #expect(fields[4] == "''", "\(fields[7]) has the group name \(fields[4])")
            #expect(fields[5] == String(lastSnapshot), "\(fields[7]) is dated \(fields[5])")
            #expect(fields[6] == (fields[0] == "d" ? "0o755" : "0o644"), "\(fields[7]) has mode \(fields[6])")
            if fields[0] == "h" {
                #expect(regularFiles.contains(fields[8]), "\(fields[7]) links to \(fields[8]), which is not an earlier file")
            } else if fields[0] == "f" {
                regularFiles.insert(fields[7])
            }
            names.append(fields[7])
        }
        #expect(!names.isEmpty)
        // The bag folder and bagit.txt, then the payload, then the other tag files, each part
        // sorted: bag-info.txt follows the payload because it counts it.
        let root = result.bagName
        let head = [root, "\(root)/\(BagLayout.bagDeclaration)"]
        let isPayload = { (name: String) in name == "\(root)/data" || name.hasPrefix("\(root)/data/") }
        let payload = names.filter(isPayload).sorted { BagLayout.precedes($0, $1) }
        let tail = names.filter { !isPayload($0) && !head.contains($0) }.sorted { BagLayout.precedes($0, $1) }
        #expect(tail.first == "\(root)/\(BagLayout.bagInfo)")
        #expect(names == head + payload + tail, "the entries are not in bundle order")
    }

    @Test("size stays near the distinct content when snapshots repeat")
    func deduplication() throws {
        let padding = JSONValue.string(String(repeating: "x", count: 32 * 1024))
        func resources() -> [CapturedResource] {
            (0..<10).map { index in
                CapturedResource(kind: ResourceKind.app, key: "app-\(index)", name: "app-\(index)", body: ["name": .string("app-\(index)"), "notes": padding])
            }
        }
        let sizes = try [2, 32].map { count -> Int64 in
            let fixture = BundleFixture(folder: TestPaths.temporaryDirectory(), store: try SnapshotStore(path: TestPaths.temporaryDirectory().appendingPathComponent("s.sqlite").path, create: true))
            for day in 0..<count {
                try fixture.capture(at: Timestamp.formatEpoch(Int64(Timestamp.parseDay("2026-03-01")!.timeIntervalSince1970) + Int64(day) * 3600), resources: resources())
            }
            let result = try fixture.writeBundle(period: "2026-03")
            #expect(result.linkedFiles >= (count - 1) * 11)
            return result.archiveBytes
        }
        let contentPerSnapshot: Int64 = 10 * 32 * 1024
        let growthPerRepeat = (sizes[1] - sizes[0]) / 30
        #expect(growthPerRepeat < contentPerSnapshot / 10, "each repeated snapshot adds \(growthPerRepeat) bytes; its content is \(contentPerSnapshot)")
    }

    @Test("the baseline is the last snapshot before the period")
    func baseline() throws {
        let fixture = try BundleFixture.make()
        let result = try fixture.writeBundle(period: "2026-03-27..2026-03-30")
        #expect(result.hasBaseline)
        #expect(result.snapshotCount == 4)
        let bag = try fixture.extract(result, into: "x")
        let manifest = try JSONParser.parse(Data(contentsOf: bag.appendingPathComponent("data/manifest.json")))
        let snapshots = manifest["snapshots"]?.arrayValue ?? []
        #expect(snapshots.first?["role"] == "baseline")
        #expect(snapshots.first?["captured_at"] == "2026-03-26T06:00:00Z")
        #expect(snapshots.count == 5)
        #expect(FileManager.default.fileExists(atPath: bag.appendingPathComponent("data/snapshots/20260326T060000Z/resources.json").path))
        #expect(FileManager.default.fileExists(atPath: bag.appendingPathComponent("data/changes/20260327T060000Z.md").path))
    }

    @Test("a period with no snapshot names the store's range")
    func emptyPeriod() throws {
        let fixture = try BundleFixture.make()
        #expect {
            try fixture.writeBundle(period: "2026-02")
        } throws: { error in
            let message = "\(error)"
            return (error as? DocketError)?.category == .failure && message.contains("2026-03-25T06:00:00Z")
                && message.contains("2026-03-30T06:00:00Z")
        }
    }

    @Test("runs.csv lists every attempt and the report lists the gaps")
    func runsAndGaps() throws {
        let fixture = try BundleFixture.make()
        try fixture.recordFailedRun(at: "2026-03-31T06:00:00Z", outcome: .interrupted)
        let bag = try fixture.extract(try fixture.writeBundle(), into: "x")
        let runs = try String(contentsOf: bag.appendingPathComponent("data/runs.csv"), encoding: .utf8)
        #expect(runs.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 1 + 8)
        #expect(runs.contains(",transient-failure,"))
        #expect(runs.contains(",interrupted,"))
        let report = try String(contentsOf: bag.appendingPathComponent("data/index.html"), encoding: .utf8)
        #expect(report.contains("<td>2026-03-01T00:00:00Z</td><td>2026-03-25T06:00:00Z</td>"))
        #expect(report.contains("<td>2026-03-30T06:00:00Z</td><td>2026-04-01T00:00:00Z</td>"))
        #expect(report.contains("run 8 interrupted"))
    }

    @Test("the report is self-contained and its links resolve")
    func reportLinks() throws {
        let fixture = try BundleFixture.make()
        let bag = try fixture.extract(try fixture.writeBundle(), into: "x")
        let data = bag.appendingPathComponent("data")
        let report = try String(contentsOf: data.appendingPathComponent("index.html"), encoding: .utf8)
        for forbidden in ["http://", "https://", "<script", "src=", "@import", "url("] {
            #expect(!report.contains(forbidden), "index.html contains \(forbidden)")
        }
        let links = report.matches(of: /href="([^"#][^"]*)"/).map { String($0.1) }
        #expect(links.count > 10)
        for link in links {
            #expect(FileManager.default.fileExists(atPath: data.appendingPathComponent(link).path), "index.html links to \(link), which is not in the bag")
        }
    }

    @Test("README shows the three ways to verify")
    func readme() throws {
        let fixture = try BundleFixture.make()
        let key = try fixture.makeKey("signer", comment: "audit@acme.example")
        let bag = try fixture.extract(try fixture.writeBundle(signingKey: key), into: "x")
        let readme = try String(contentsOf: bag.appendingPathComponent("data/README.txt"), encoding: .utf8)
        #expect(readme.contains("sha256sum -c manifest-sha256.txt"))
        #expect(readme.contains("bagit.py --validate docket-acme-2026-03"))
        #expect(readme.contains("docket verify <bundle file> --allowed-signers allowed_signers"))
        #expect(readme.contains("ssh-keygen -Y verify -f allowed_signers -I <identity> -n docket"))
        #expect(readme.contains("SHA256:"))
    }

    @Test("a signed bundle verifies with ssh-keygen and docket verify")
    func signed() throws {
        try ToolRunner.require("ssh-keygen", package: "openssh-client")
        let fixture = try BundleFixture.make()
        let key = try fixture.makeKey("signer", comment: "audit@acme.example")
        let result = try fixture.writeBundle(signingKey: key)
        #expect(result.signingKey?.contains("SHA256:") == true)
        let signers = try fixture.allowedSigners("audit@acme.example", key: key)

        let bag = try fixture.extract(result, into: "x")
        let check = try ToolRunner.run(
            ["ssh-keygen", "-Y", "verify", "-f", signers, "-I", "audit@acme.example", "-n", "docket", "-s", "tagmanifest-sha256.txt.sig"],
            in: bag, input: bag.appendingPathComponent("tagmanifest-sha256.txt"))
        #expect(check.status == 0, "ssh-keygen: \(check.combined)")

        let verification = try BagVerifier(allowedSigners: signers).verify(archiveAt: result.path)
        #expect(verification.problems.isEmpty, "\(verification.problems)")
        #expect(verification.signature == .trusted(principal: "audit@acme.example"))

        let again = try fixture.writeBundle(name: "again.tar", signingKey: key)
        #expect(again.archiveSHA256 == result.archiveSHA256, "an Ed25519-signed bundle should be reproducible")
    }

    @Test("verify requires a signature when given allowed signers")
    func unsignedWithSigners() throws {
        let fixture = try BundleFixture.make()
        let key = try fixture.makeKey("signer", comment: "audit@acme.example")
        let result = try fixture.writeBundle()
        let verification = try BagVerifier(allowedSigners: try fixture.allowedSigners("audit@acme.example", key: key)).verify(archiveAt: result.path)
        #expect(verification.errors.map(\.file) == ["tagmanifest-sha256.txt.sig"])
    }
}

@Suite("Snapshot tree digests")
struct SnapshotTreeDigestTests {
    @Test("recomputed roots equal the store's, bucketed kinds included")
    func rootDigest() throws {
        let fixture = try BundleFixture.make(days: 1, extraApps: 300)
        let snapshot = try #require(try fixture.store.latestSnapshot())
        let entries = try fixture.store.entries(of: snapshot)
        #expect(entries.filter { $0.kind == ResourceKind.app }.count > SnapshotTree.leafLimit)
        #expect(try SnapshotTree.rootDigest(Dictionary(grouping: entries, by: \.kind)) == snapshot.treeDigest)

        let result = try fixture.writeBundle()
        let verification = try BagVerifier().verify(archiveAt: result.path)
        #expect(verification.problems.isEmpty, "\(verification.problems)")
    }
}
