/// The BagIt checks (RFC 8493) on a scanned bag: the declaration, bag-info.txt and its
/// Payload-Oxum, every payload and tag manifest line, payload files no manifest lists, and
/// fetch.txt.
struct BagItChecks {
    let bag: ScannedBag
    private(set) var problems: [BagProblem] = []
    private(set) var declaration: BagDeclaration?
    private(set) var bagInfo: BagInfo?
    /// The tag manifests' listed paths, for the Docket checks on unlisted tag files.
    private(set) var tagManifestPaths: [String: Set<String>] = [:]
    private var encoding: String.Encoding = .utf8
    /// Listed desktop system files the archive lacks, reported as warnings.
    private var droppedSystemFiles: Set<String> = []

    /// Numbers the manifests checked, for the marks they leave in the file table.
    private var manifestOrdinal: Int32 = 0

    init(bag: ScannedBag) {
        self.bag = bag
    }

    mutating func run() {
        guard let bytes = bag.contents(of: BagLayout.bagDeclaration) else {
            problems.append(BagProblem(.error, BagLayout.bagDeclaration, "missing: every bag has bagit.txt at its top"))
            return
        }
        guard let declaration = BagDeclaration.parse(bytes, problems: &problems) else { return }
        self.declaration = declaration
        encoding = TagText.encoding(named: declaration.encoding) ?? .utf8
        checkPayloadFolder()
        readBagInfo()
        let fetched = checkFetchFile()
        let payloadProblemCount = checkPayloadManifests(fetched: fetched)
        if payloadProblemCount == 0 {
            checkPayloadOxum()
        }
        checkTagManifests()
        checkSystemFiles()
    }

    private mutating func checkPayloadFolder() {
        if !bag.directories.contains("data") && bag.files.payloadCount == 0 {
            problems.append(BagProblem(.error, "data/", "missing: every bag has a data/ folder for its payload"))
        }
    }

    /// Decodes a tag file in the bag's declared encoding, recording a problem when it cannot.
    private mutating func text(of path: String) -> String? {
        guard let bytes = bag.contents(of: path) else { return nil }
        guard let text = TagText.decode(bytes, encoding: encoding) else {
            problems.append(BagProblem(.error, path, "is not valid \(declaration?.encoding ?? "UTF-8"), the encoding bagit.txt declares"))
            return nil
        }
        return text
    }

    private mutating func readBagInfo() {
        guard let text = text(of: BagLayout.bagInfo) else { return }
        bagInfo = BagInfo.parse(text, problems: &problems)
    }

    private mutating func checkPayloadOxum() {
        guard let oxum = bagInfo?.value("Payload-Oxum") else { return }
        let parts = oxum.split(separator: ".")
        guard parts.count == 2, let bytes = Int64(parts[0]), let count = Int(parts[1]) else {
            problems.append(BagProblem(.error, BagLayout.bagInfo, "invalid Payload-Oxum \"\(oxum)\": expected OCTETS.FILES"))
            return
        }
        let files = bag.files
        let actualCount = files.payloadCount
        var actualBytes: Int64 = 0
        files.forEachPayloadEntry { id in actualBytes += files.size(ofContent: files.content(ofEntry: id)) }
        guard bytes != actualBytes || count != actualCount else { return }
        let message = "Payload-Oxum is \(oxum) but the payload contains \(actualCount) file(s) of \(actualBytes) bytes in total"
        let dropped = droppedSystemFiles.count
        if dropped > 0 && count == actualCount + dropped && bytes >= actualBytes {
            problems.append(BagProblem(.warning, BagLayout.bagInfo, "\(message); the difference is the \(dropped) listed system file(s) the archive lacks"))
        } else {
            problems.append(BagProblem(.error, BagLayout.bagInfo, message))
        }
    }

    // MARK: - Payload manifests

    /// Checks every payload manifest and returns how many payload files are missing, unlisted
    /// or differ, so Payload-Oxum is judged only when the file list itself is right.
    private mutating func checkPayloadManifests(fetched: Set<String>) -> Int {
        let manifests = readManifests(prefix: "manifest-")
        guard !manifests.isEmpty else {
            problems.append(BagProblem(.error, "manifest-sha256.txt", "no payload manifest: a bag lists its payload in at least one manifest-<algorithm>.txt"))
            return 1
        }
        var findings = PayloadFindings()
        for manifest in manifests {
            let ordinal = checkLines(of: manifest, isPayload: true, fetched: fetched, findings: &findings).ordinal
            let files = bag.files
            files.forEachPayloadEntry { id in
                if files.listedIn(id) != ordinal {
                    findings.unlisted[files.path(ofEntry: id), default: []].append(manifest.name)
                }
            }
        }
        problems += findings.problems()
        return findings.count
    }

    /// Finds each `<prefix><algorithm>.txt` file at the bag's top and checks that it can be
    /// read in the declared encoding.
    private mutating func readManifests(prefix: String) -> [ManifestSource] {
        var manifests: [ManifestSource] = []
        for path in bag.files.tagPaths.sorted() {
            guard let (algorithmName, algorithm) = ManifestFile.algorithm(ofFile: path, prefix: prefix) else { continue }
            guard let algorithm, bag.files.algorithms.contains(algorithm) else {
                problems.append(BagProblem(.warning, path, "not checked: verify does not compute \(algorithmName) digests"))
                continue
            }
            guard let span = bag.span(of: path) else { continue }
            if encoding == .utf8 {
                // Read line by line from the spool: a payload manifest may be hundreds of megabytes.
                let lines = SpooledLines(spool: bag.spool, span: span)
                guard lines.isValidUTF8() else {
                    problems.append(BagProblem(.error, path, "is not valid \(declaration?.encoding ?? "UTF-8"), the encoding bagit.txt declares"))
                    continue
                }
                manifests.append(ManifestSource(name: path, algorithm: algorithm, body: .spooled(lines)))
            } else {
                guard let text = text(of: path) else { continue }
                manifests.append(ManifestSource(name: path, algorithm: algorithm, body: .text(text)))
            }
        }
        return manifests
    }

    /// Checks each line of `manifest` against the file table and returns the ordinal its
    /// marks carry and the set of paths it lists (tag manifests only: a payload manifest's
    /// paths are marked in the table instead of collected).
    private mutating func checkLines(
        of manifest: ManifestSource, isPayload: Bool, fetched: Set<String>, findings: inout PayloadFindings
    ) -> (ordinal: Int32, listed: Set<String>) {
        manifestOrdinal += 1
        let ordinal = manifestOrdinal
        let files = bag.files
        let isVersion1 = declaration?.isVersion1OrLater == true
        var listed: Set<String> = []
        /// Listed paths the archive lacks, with their digests, in the order listed.
        var absent: [String: String] = [:]
        /// The first spelling of each listed non-ASCII path, to tell a repeat in another
        /// normalization form; ASCII names have one spelling.
        var firstSpellings: [Int32: String] = [:]
        /// The digest listed for files whose contents differ from it.
        var listedDigests: [Int32: String] = [:]
        var pathProblems: [BagProblem] = []
        // Most lines list a file the archive has, for the first time, in the same bytes and
        // with its digest: those are settled from the line's bytes, and any other line is
        // parsed and judged in full below. `settle` changes nothing unless it settles the line.
        let settle = { (path: String, digest: UnsafeRawBufferPointer) -> Bool in
            guard !isPayload || path.utf8.starts(with: "data/".utf8),
                let (id, isSameSpelling) = files.match(path, key: PathKey(path)), isSameSpelling,
                files.listedIn(id) != ordinal,
                files.digest(ofContent: files.content(ofEntry: id), manifest.algorithm, equalsHex: digest)
            else { return false }
            files.markListed(id, by: ordinal)
            if !isPayload { listed.insert(path) }
            return true
        }
        manifest.forEachLine(problems: &problems, plain: settle) { line, problems in
            if let reason = BagPath.escapeReason(line.path) {
                problems.append(BagProblem(.error, manifest.name, "lists \(line.written), which points outside the bag: \(reason)"))
                return
            }
            if isPayload && !line.path.hasPrefix("data/") {
                problems.append(BagProblem(.error, manifest.name, "lists \(line.written), which is not under data/: a payload manifest lists only payload files"))
                return
            }
            let isASCII = line.path.utf8.allSatisfy { $0 < 0x80 }
            guard let (id, isSameSpelling) = files.match(line.path, key: PathKey(line.path)) else {
                if let index = absent.index(forKey: line.path) {
                    let sameSpelling = absent[index].key.utf8.elementsEqual(line.path.utf8)
                    problems.append(Self.repeatProblem(line, sameSpelling: sameSpelling, earlierDigest: absent[index].value, manifest: manifest.name, isVersion1: isVersion1))
                    return
                }
                absent[line.path] = line.digest
                if !isPayload { listed.insert(line.path) }
                return
            }
            let content = files.content(ofEntry: id)
            if files.listedIn(id) == ordinal {
                let first = firstSpellings[id]
                let sameSpelling = first.map { $0.utf8.elementsEqual(line.path.utf8) } ?? isASCII
                let earlierDigest = listedDigests[id] ?? files.digestHex(ofContent: content, manifest.algorithm) ?? ""
                problems.append(Self.repeatProblem(line, sameSpelling: sameSpelling, earlierDigest: earlierDigest, manifest: manifest.name, isVersion1: isVersion1))
                return
            }
            files.markListed(id, by: ordinal)
            if !isASCII { firstSpellings[id] = line.path }
            if !isPayload { listed.insert(line.path) }
            if !isSameSpelling {
                pathProblems.append(BagProblem(.warning, line.path, "\(manifest.name) spells this name in another Unicode normalization form than the archive; tools that compare bytes will not find it"))
            }
            if !files.digest(ofContent: content, manifest.algorithm, equals: line.digest) {
                listedDigests[id] = line.digest
                let actual = files.digestHex(ofContent: content, manifest.algorithm) ?? ""
                if isPayload {
                    findings.mismatched[line.path, default: []].append((manifest.name, line.digest, actual))
                } else {
                    pathProblems.append(BagProblem(.error, line.path, "its \(manifest.algorithm.rawValue) digest is \(actual), but \(manifest.name) lists \(line.digest)"))
                }
            }
        }
        let firstPathProblem = problems.count
        problems += pathProblems
        if !absent.isEmpty {
            // Listed paths the archive contains, by lowercase name, with the digest listed:
            // built only when a file is missing, which most bags never have.
            var presentByLowercase: [String: [(path: String, digest: String)]] = [:]
            files.forEachEntry { id in
                guard files.listedIn(id) == ordinal else { return }
                let path = firstSpellings[id] ?? files.path(ofEntry: id)
                let digest = listedDigests[id] ?? files.digestHex(ofContent: files.content(ofEntry: id), manifest.algorithm) ?? ""
                presentByLowercase[path.lowercased(), default: []].append((path, digest))
            }
            for (path, digest) in absent.sorted(by: { $0.key < $1.key }) {
                let twin = presentByLowercase[path.lowercased()]?.first { $0.path != path && $0.digest == digest }?.path
                reportMissing(path, twin: twin, manifest: manifest, fetched: fetched, findings: &findings)
            }
        }
        // Problems with single files in path order, as they read best.
        problems[firstPathProblem...].sort { $0.file < $1.file }
        return (ordinal, listed)
    }

    /// Returns the problem with a path listed a second time. `sameSpelling` is true when the
    /// first listing wrote it in the same bytes, and `earlierDigest` is the digest it listed.
    private static func repeatProblem(_ line: ManifestLine, sameSpelling: Bool, earlierDigest: String, manifest: String, isVersion1: Bool) -> BagProblem {
        if !sameSpelling {
            return BagProblem(.warning, manifest, "lists \(line.written) twice, in two Unicode normalization forms")
        }
        if earlierDigest != line.digest {
            return BagProblem(.error, manifest, "lists \(line.written) twice with different digests")
        }
        if isVersion1 {
            return BagProblem(.error, manifest, "lists \(line.written) twice; BagIt 1.0 allows each path once")
        }
        return BagProblem(.warning, manifest, "lists \(line.written) twice with the same digest")
    }

    /// A listed file the archive lacks is an error, except where `twin`, a listed file the
    /// archive contains with the same digest, differs from it only in case (a bag made on a
    /// case-insensitive file system), or the file is one desktop systems create and copy tools drop.
    private mutating func reportMissing(_ path: String, twin: String?, manifest: ManifestSource, fetched: Set<String>, findings: inout PayloadFindings) {
        if let twin {
            problems.append(BagProblem(.warning, path, "\(manifest.name) lists it and \(twin), which differ only in case; the archive contains only \(twin)"))
            return
        }
        if BagPath.isSystemFile(path) {
            problems.append(BagProblem(.warning, path, "\(manifest.name) lists this desktop system file, but the archive does not contain it"))
            droppedSystemFiles.insert(path)
            return
        }
        guard manifest.name.hasPrefix("manifest-") else {
            problems.append(BagProblem(.error, path, "\(manifest.name) lists it, but the archive does not contain it"))
            return
        }
        findings.missing[path, default: []].append(manifest.name)
        if fetched.contains(path) {
            findings.fetchListed.insert(path)
        }
    }

    // MARK: - Tag manifests, fetch.txt, system files

    private mutating func checkTagManifests() {
        var unused = PayloadFindings()
        for manifest in readManifests(prefix: "tagmanifest-") {
            tagManifestPaths[manifest.name] = checkLines(of: manifest, isPayload: false, fetched: [], findings: &unused).listed
        }
    }

    /// Checks fetch.txt's paths and returns them: files a holey bag may lack until fetched.
    private mutating func checkFetchFile() -> Set<String> {
        guard let text = text(of: "fetch.txt") else { return [] }
        var paths: Set<String> = []
        for line in TagText.lines(text) where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let fields = line.split(maxSplits: 2, whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count == 3 else {
                problems.append(BagProblem(.error, "fetch.txt", "malformed line \"\(line)\": expected URL, LENGTH and PATH"))
                continue
            }
            let path = BagPath.decodeManifestPath(fields[2].trimmingCharacters(in: .whitespaces))
            if let reason = BagPath.escapeReason(path) {
                problems.append(BagProblem(.error, "fetch.txt", "lists \(path), which points outside the bag: \(reason)"))
            } else if !path.hasPrefix("data/") {
                problems.append(BagProblem(.error, "fetch.txt", "lists \(path), which is not under data/"))
            } else {
                paths.insert(path)
            }
        }
        return paths
    }

    private mutating func checkSystemFiles() {
        let files = bag.files
        var found: [String] = []
        files.forEachPayloadEntry { id in
            if BagPath.isSystemFileName(files.name(ofEntry: id)) { found.append(files.path(ofEntry: id)) }
        }
        for path in found.sorted() {
            problems.append(BagProblem(.warning, path, "a desktop system file in the payload; it is usually copied by accident"))
        }
    }
}

/// Payload problems gathered across manifests, so each file is reported once, naming every
/// manifest it concerns.
private struct PayloadFindings {
    var mismatched: [String: [(manifest: String, listed: String, actual: String)]] = [:]
    var missing: [String: [String]] = [:]
    var unlisted: [String: [String]] = [:]
    var fetchListed: Set<String> = []

    var count: Int { mismatched.count + missing.count + unlisted.count }

    func problems() -> [BagProblem] {
        var result: [BagProblem] = []
        for (path, entries) in mismatched.sorted(by: { $0.key < $1.key }) {
            let details = entries.map { "\($0.manifest) lists \($0.listed), the file's is \($0.actual)" }
            result.append(BagProblem(.error, path, "the contents differ from the manifests: \(details.joined(separator: "; "))"))
        }
        for (path, manifests) in missing.sorted(by: { $0.key < $1.key }) {
            let fetchNote = fetchListed.contains(path) ? "; fetch.txt lists it, so the bag is incomplete until it is fetched" : ""
            result.append(BagProblem(.error, path, "listed in \(manifests.joined(separator: " and ")), but the archive does not contain it\(fetchNote)"))
        }
        for (path, manifests) in unlisted.sorted(by: { $0.key < $1.key }) {
            result.append(BagProblem(.error, path, "not listed in \(manifests.joined(separator: " and ")): a file added to the payload"))
        }
        return result
    }
}

/// A manifest to check: its lines come from the spool for UTF-8 bags, or from decoded text
/// for bags in another encoding (small bags from other tools).
private struct ManifestSource {
    enum Body {
        case spooled(SpooledLines)
        case text(String)
    }

    let name: String
    let algorithm: DigestAlgorithm
    let body: Body

    /// Calls `body` with each line, parsed. A spooled line in `ManifestFile.plainLine`'s form
    /// goes to `plain` first, with its digest's hex bytes and its path. Unless `plain` returns
    /// true, the line is then parsed and goes to `body`.
    func forEachLine(
        problems: inout [BagProblem], plain: (String, UnsafeRawBufferPointer) -> Bool, _ body: (ManifestLine, inout [BagProblem]) -> Void
    ) {
        switch self.body {
        case .text(let text):
            ManifestFile(name: name, algorithm: algorithm, text: text).forEachLine(problems: &problems, body)
        case .spooled(let lines):
            let digestLength = algorithm.digestLength
            lines.forEachLine { bytes in
                if let line = ManifestFile.plainLine(bytes, digestLength: digestLength), plain(line.path, line.digest) {
                    return
                }
                let text = String(decoding: bytes, as: UTF8.self)
                if let line = ManifestFile.parseLine(Substring(text), manifest: name, problems: &problems) {
                    body(line, &problems)
                }
            }
        }
    }
}
