import Foundation
import Testing

@testable import DocketKit

/// Each test changes one thing in a fresh bundle, with Python's tarfile module (a tar
/// implementation independent of libarchive), and checks that verify reports exactly that
/// thing, by file name.
@Suite("Tampered bundles")
struct TamperTests {
    static let bag = "docket-acme-2026-03"

    /// Edits a tar in place: `flip NAME OFFSET`, `remove NAME`, `add NAME TEXT`,
    /// `symlink NAME TARGET`, `hardlink NAME TARGET`, `device NAME`, `replace NAME OLD NEW`
    /// (a text substitution in one member), `repeat NAME TEXT` (writes the JSON object
    /// around the first TEXT in a member twice), and `rebag` (moves the first snapshot's capture
    /// time in manifest.json, then recomputes every manifest so the BagIt digests agree again).
    static let editor = #"""
        import hashlib, io, json, sys, tarfile
        op, path = sys.argv[1], sys.argv[2]
        args = sys.argv[3:]

        def rewrite(transform):
            with tarfile.open(path) as source:
                members = [(m, source.extractfile(m).read() if m.isreg() else None) for m in source.getmembers()]
            with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as target:
                for member, data in members:
                    for member, data in transform(member, data):
                        target.addfile(member, io.BytesIO(data) if data is not None else None)

        def append(member, data=None):
            with tarfile.open(path, "a") as target:
                target.addfile(member, io.BytesIO(data) if data is not None else None)

        def file_member(name, data):
            member = tarfile.TarInfo(name)
            member.size = len(data)
            member.mode = 0o644
            return member

        if op == "flip":
            with tarfile.open(path) as source:
                offset = source.getmember(args[0]).offset_data + int(args[1])
            with open(path, "r+b") as handle:
                handle.seek(offset)
                byte = handle.read(1)
                handle.seek(offset)
                handle.write(bytes([byte[0] ^ 0x01]))
        elif op == "remove":
            rewrite(lambda m, d: [] if m.name == args[0] else [(m, d)])
        elif op == "add":
            data = args[1].encode()
            append(file_member(args[0], data), data)
        elif op == "symlink" or op == "hardlink":
            member = tarfile.TarInfo(args[0])
            member.type = tarfile.SYMTYPE if op == "symlink" else tarfile.LNKTYPE
            member.linkname = args[1]
            append(member)
        elif op == "device":
            member = tarfile.TarInfo(args[0])
            member.type = tarfile.CHRTYPE
            member.devmajor, member.devminor = 1, 3
            append(member)
        elif op == "replace":
            def swap(m, d):
                if m.name != args[0]:
                    return [(m, d)]
                new = d.replace(args[1].encode(), args[2].encode(), 1)
                assert new != d, "nothing replaced"
                m.size = len(new)
                return [(m, new)]
            rewrite(swap)
        elif op == "repeat":
            def repeat(m, d):
                if m.name != args[0]:
                    return [(m, d)]
                at = d.index(args[1].encode())
                start, end = d.rindex(b"{", 0, at), d.index(b"}", at) + 1
                new = d[:end] + b",\n" + d[start:end] + d[end:]
                m.size = len(new)
                return [(m, new)]
            rewrite(repeat)
        elif op == "rebag":
            root = args[0]
            with tarfile.open(path) as source:
                contents = {m.name: source.extractfile(m).read() for m in source.getmembers() if m.isreg() or m.islnk()}
            name = root + "/data/manifest.json"
            document = json.loads(contents[name])
            first = document["snapshots"][0]
            first["captured_at"] = first["header"]["captured_at"] = "2026-03-25T07:00:00Z"
            contents[name] = (json.dumps(document, indent=2, sort_keys=True) + "\n").encode()
            for algorithm in ("sha256", "sha512"):
                manifest = root + "/manifest-%s.txt" % algorithm
                lines = []
                for line in contents[manifest].decode().splitlines():
                    digest, file = line.split("  ", 1)
                    lines.append("%s  %s" % (hashlib.new(algorithm, contents[root + "/" + file]).hexdigest(), file))
                contents[manifest] = ("\n".join(lines) + "\n").encode()
            tag = root + "/tagmanifest-sha256.txt"
            lines = []
            for line in contents[tag].decode().splitlines():
                digest, file = line.split("  ", 1)
                lines.append("%s  %s" % (hashlib.sha256(contents[root + "/" + file]).hexdigest(), file))
            contents[tag] = ("\n".join(lines) + "\n").encode()
            def replace_all(m, d):
                if m.isreg() and m.name in (name, tag, root + "/manifest-sha256.txt", root + "/manifest-sha512.txt"):
                    m.size = len(contents[m.name])
                    return [(m, contents[m.name])]
                return [(m, d)]
            rewrite(replace_all)
        else:
            sys.exit("unknown operation " + op)
        """#

    /// Writes a fresh bundle, applies one edit and verifies the result, once with the snapshot
    /// chain checked on a second thread and once on this one, which must find the same
    /// problems in the same order.
    func tamper(_ arguments: [String], signingKey: String? = nil, allowedSigners: String? = nil, fixture: BundleFixture? = nil) throws -> BagVerification {
        let fixture = try fixture ?? BundleFixture.make()
        let result = try fixture.writeBundle(signingKey: signingKey)
        let clean = try BagVerifier(allowedSigners: allowedSigners).verify(archiveAt: result.path)
        try #require(clean.problems.isEmpty, "the untouched bundle already has problems: \(clean.problems)")
        if !arguments.isEmpty {
            let edit = try ToolRunner.run(["python3", "-c", Self.editor, arguments[0], result.path] + arguments.dropFirst())
            try #require(edit.status == 0, "the tar edit failed: \(edit.combined)")
        }
        var shared = BagVerifier(allowedSigners: allowedSigners)
        shared.usesSecondCore = true
        var alone = BagVerifier(allowedSigners: allowedSigners)
        alone.usesSecondCore = false
        let verification = try shared.verify(archiveAt: result.path)
        #expect(try alone.verify(archiveAt: result.path).problems == verification.problems)
        return verification
    }

    func files(_ verification: BagVerification) -> [String] {
        verification.errors.map(\.file)
    }

    @Test("a flipped payload byte is reported")
    func flippedByte() throws {
        let verification = try tamper(["flip", "\(Self.bag)/data/runs.csv", "10"])
        #expect(files(verification) == ["data/runs.csv"], "\(verification.problems)")
        #expect(verification.errors.first?.message.contains("manifest-sha256.txt lists") == true)
    }

    @Test("a removed payload file is reported")
    func removedFile() throws {
        let verification = try tamper(["remove", "\(Self.bag)/data/inventory.csv"])
        #expect(files(verification) == ["data/inventory.csv"], "\(verification.problems)")
        #expect(verification.errors.first?.message.contains("does not contain it") == true)
    }

    @Test("an unlisted file is reported")
    func addedFile() throws {
        let verification = try tamper(["add", "\(Self.bag)/data/extra.txt", "not evidence"])
        #expect(files(verification) == ["data/extra.txt"], "\(verification.problems)")
        #expect(verification.errors.first?.message.contains("not listed in manifest-sha256.txt and manifest-sha512.txt") == true)
    }

    @Test("an edited manifest line is reported")
    func editedManifestLine() throws {
        let fixture = try BundleFixture.make()
        let bag = try fixture.extract(try fixture.writeBundle(name: "probe.tar"), into: "probe")
        let manifest = try String(contentsOf: bag.appendingPathComponent("manifest-sha256.txt"), encoding: .utf8)
        let line = try #require(manifest.split(separator: "\n").first { $0.hasSuffix("  data/runs.csv") })
        let digest = String(line.prefix(64))
        let forged = String(repeating: "0", count: 64)

        let verification = try tamper(["replace", "\(Self.bag)/manifest-sha256.txt", digest, forged], fixture: fixture)
        #expect(Set(files(verification)) == ["manifest-sha256.txt", "data/runs.csv"], "\(verification.problems)")
        let manifestProblem = verification.errors.first { $0.file == "manifest-sha256.txt" }
        #expect(manifestProblem?.message.contains("tagmanifest-sha256.txt lists") == true)
    }

    @Test("a removed tag manifest is reported")
    func removedTagManifest() throws {
        let verification = try tamper(["remove", "\(Self.bag)/tagmanifest-sha256.txt"])
        #expect(files(verification) == ["tagmanifest-sha256.txt"], "\(verification.problems)")
    }

    @Test("a ../ entry is reported")
    func parentEntry() throws {
        let verification = try tamper(["add", "\(Self.bag)/../evil.txt", "outside"])
        #expect(files(verification) == ["\(Self.bag)/../evil.txt"], "\(verification.problems)")
        #expect(verification.errors.first?.message.contains("leaves the bag") == true)
    }

    @Test("an absolute path is reported")
    func absolutePath() throws {
        let verification = try tamper(["add", "/tmp/evil.txt", "outside"])
        #expect(files(verification) == ["/tmp/evil.txt"], "\(verification.problems)")
        #expect(verification.errors.first?.message.contains("absolute") == true)
    }

    @Test("a symbolic link leaving the bag is reported", arguments: ["../../../etc/passwd", "/etc/passwd"])
    func escapingSymbolicLink(target: String) throws {
        let verification = try tamper(["symlink", "\(Self.bag)/data/evil", target])
        #expect(files(verification) == ["data/evil"], "\(verification.problems)")
        #expect(verification.errors.first?.message.contains("leaves the bag") == true)
    }

    @Test("a hard link leaving the bag is reported")
    func escapingHardLink() throws {
        let verification = try tamper(["hardlink", "\(Self.bag)/data/evil", "etc/passwd"])
        #expect(files(verification) == ["data/evil"], "\(verification.problems)")
    }

    @Test("a device entry is reported")
    func device() throws {
        let verification = try tamper(["device", "\(Self.bag)/data/null"])
        #expect(files(verification) == ["data/null"], "\(verification.problems)")
    }

    @Test("a duplicate entry is reported")
    func duplicateEntry() throws {
        let verification = try tamper(["add", "\(Self.bag)/data/runs.csv", "run_id\r\n"])
        #expect(files(verification) == ["data/runs.csv"], "\(verification.problems)")
        #expect(verification.errors.first?.message.contains("twice") == true)
    }

    @Test("a truncated archive is reported")
    func truncated() throws {
        let fixture = try BundleFixture.make()
        let result = try fixture.writeBundle()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: result.path))
        try bytes.prefix(bytes.count / 2 + 100).write(to: URL(fileURLWithPath: result.path))
        let verification = try BagVerifier().verify(archiveAt: result.path)
        #expect(files(verification) == ["bundle.tar"], "\(verification.problems)")
        #expect(verification.errors.first?.message.contains("truncated") == true)
    }

    @Test("a signature from another key is reported")
    func foreignSignature() throws {
        let fixture = try BundleFixture.make()
        let trusted = try fixture.makeKey("trusted", comment: "audit@acme.example")
        let other = try fixture.makeKey("other", comment: "mallory@example.net")
        let signers = try fixture.allowedSigners("audit@acme.example", key: trusted)
        let verification = try tamper([], signingKey: other, allowedSigners: nil, fixture: fixture)
        #expect(verification.problems.isEmpty)

        let checked = try BagVerifier(allowedSigners: signers).verify(archiveAt: fixture.folder.appendingPathComponent("bundle.tar").path)
        #expect(files(checked) == ["tagmanifest-sha256.txt.sig"], "\(checked.problems)")
        #expect(checked.errors.first?.message.contains("not in") == true)
        #expect(checked.signature == .invalid)
    }

    @Test("a tag manifest edited after signing is reported")
    func editedAfterSigning() throws {
        let fixture = try BundleFixture.make()
        let key = try fixture.makeKey("signer", comment: "audit@acme.example")
        let signers = try fixture.allowedSigners("audit@acme.example", key: key)
        let verification = try tamper(["replace", "\(Self.bag)/tagmanifest-sha256.txt", "  bagit.txt", "  bagit.txt "], signingKey: key, allowedSigners: signers, fixture: fixture)
        #expect(files(verification).contains("tagmanifest-sha256.txt.sig"), "\(verification.problems)")
    }

    @Test("one byte in a leaf the previous snapshot shares is reported")
    func changedSharedLeaf() throws {
        // 200 more apps split the app kind into buckets. acme-extra-0007 is in every snapshot,
        // and the 27th's index is the first that is not a link to an earlier one, so a leaf
        // cache that compared too little would reuse the 26th's leaf here.
        let fixture = try BundleFixture.make(extraApps: 200)
        let index = "\(Self.bag)/data/snapshots/20260327T060000Z/resources.json"
        let verification = try tamper(["replace", index, "\"name\": \"acme-extra-0007\"", "\"name\": \"acme-extrb-0007\""], fixture: fixture)
        #expect(Set(files(verification)) == ["data/snapshots/20260327T060000Z/resources.json"], "\(verification.problems)")
        #expect(verification.errors.contains { $0.message.contains("its entries hash to the tree") }, "\(verification.problems)")
    }

    @Test("resource repeated in later index")
    func repeatedIndexEntry() throws {
        // Every other resource of the kind is as in the snapshot before, which the check of
        // that snapshot's tree reuses: the repeat must still be seen.
        let fixture = try BundleFixture.make(extraApps: 200)
        let index = "\(Self.bag)/data/snapshots/20260327T060000Z/resources.json"
        let verification = try tamper(["repeat", index, "\"name\": \"acme-extra-0007\""], fixture: fixture)
        #expect(Set(files(verification)) == ["data/snapshots/20260327T060000Z/resources.json"], "\(verification.problems)")
        #expect(verification.errors.contains { $0.message.contains("share the key") }, "\(verification.problems)")
    }

    @Test("a consistent rewrite that breaks the chain is reported")
    func brokenChain() throws {
        let verification = try tamper(["rebag", Self.bag])
        #expect(files(verification) == ["data/manifest.json"], "\(verification.problems)")
        #expect(verification.errors.first?.message.contains("its header hashes to") == true)
    }
}
