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

    /// The paths of the payload files, sorted; computed once, as a bag may hold millions.
    let payloadPaths: [String]

    init(bag: ScannedBag) {
        self.bag = bag
        self.payloadPaths = bag.files.keys.filter { $0.hasPrefix("data/") }.sorted()
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
        if !bag.directories.contains("data") && !bag.files.keys.contains(where: { $0.hasPrefix("data/") }) {
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
        let paths = payloadPaths
        let actualBytes = paths.reduce(Int64(0)) { $0 + (bag.files[$1]?.size ?? 0) }
        guard bytes != actualBytes || count != paths.count else { return }
        let message = "Payload-Oxum is \(oxum) but the payload contains \(paths.count) file(s) of \(actualBytes) bytes in total"
        let dropped = droppedSystemFiles.count
        if dropped > 0 && count == paths.count + dropped && bytes >= actualBytes {
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
            let listed = checkLines(of: manifest, isPayload: true, fetched: fetched, findings: &findings)
            for path in payloadPaths where !listed.contains(path) {
                findings.unlisted[path, default: []].append(manifest.name)
            }
        }
        problems += findings.problems()
        return findings.count
    }

    /// Reads each `<prefix><algorithm>.txt` file at the bag's top.
    private mutating func readManifests(prefix: String) -> [ManifestFile] {
        var manifests: [ManifestFile] = []
        for path in bag.files.keys.sorted() {
            guard let (algorithmName, algorithm) = ManifestFile.algorithm(ofFile: path, prefix: prefix) else { continue }
            guard let algorithm else {
                problems.append(BagProblem(.warning, path, "not checked: verify does not compute \(algorithmName) digests"))
                continue
            }
            guard let text = text(of: path) else { continue }
            manifests.append(ManifestFile(name: path, algorithm: algorithm, text: text))
        }
        return manifests
    }

    /// Checks each line of `manifest` and returns the set of paths it lists.
    private mutating func checkLines(of manifest: ManifestFile, isPayload: Bool, fetched: Set<String>, findings: inout PayloadFindings) -> Set<String> {
        var digests: [String: String] = [:]
        let isVersion1 = declaration?.isVersion1OrLater == true
        manifest.forEachLine(problems: &problems) { line, problems in
            if let reason = BagPath.escapeReason(line.path) {
                problems.append(BagProblem(.error, manifest.name, "lists \(line.written), which points outside the bag: \(reason)"))
                return
            }
            if isPayload && !line.path.hasPrefix("data/") {
                problems.append(BagProblem(.error, manifest.name, "lists \(line.written), which is not under data/: a payload manifest lists only payload files"))
                return
            }
            if let index = digests.index(forKey: line.path) {
                problems.append(Self.repeatProblem(line, earlier: digests[index], manifest: manifest.name, isVersion1: isVersion1))
                return
            }
            digests[line.path] = line.digest
        }
        var presentByLowercase: [String: [String]]?
        for (path, digest) in digests.sorted(by: { $0.key < $1.key }) {
            guard let file = bag.files[path] else {
                // Built on the first missing file only: most bags have none.
                let index = presentByLowercase ?? Dictionary(grouping: digests.keys.filter { bag.files[$0] != nil }, by: { $0.lowercased() })
                presentByLowercase = index
                let twin = index[path.lowercased()]?.first { $0 != path && digests[$0] == digest }
                reportMissing(path, twin: twin, manifest: manifest, fetched: fetched, findings: &findings)
                continue
            }
            if let stored = bag.storedPath(path), !stored.utf8.elementsEqual(path.utf8) {
                problems.append(BagProblem(.warning, path, "\(manifest.name) spells this name in another Unicode normalization form than the archive; tools that compare bytes will not find it"))
            }
            let actual = file.digests[manifest.algorithm] ?? ""
            if actual != digest {
                if isPayload {
                    findings.mismatched[path, default: []].append((manifest.name, digest, actual))
                } else {
                    problems.append(BagProblem(.error, path, "its \(manifest.algorithm.rawValue) digest is \(actual), but \(manifest.name) lists \(digest)"))
                }
            }
        }
        return Set(digests.keys)
    }

    /// Returns the problem with a path listed a second time; `earlier` is the first listing's
    /// path (as written there) and digest.
    private static func repeatProblem(_ line: ManifestLine, earlier: (key: String, value: String), manifest: String, isVersion1: Bool) -> BagProblem {
        if !earlier.key.utf8.elementsEqual(line.path.utf8) {
            return BagProblem(.warning, manifest, "lists \(line.written) twice, in two Unicode normalization forms")
        }
        if earlier.value != line.digest {
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
    private mutating func reportMissing(_ path: String, twin: String?, manifest: ManifestFile, fetched: Set<String>, findings: inout PayloadFindings) {
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
            let listed = checkLines(of: manifest, isPayload: false, fetched: [], findings: &unused)
            tagManifestPaths[manifest.name] = listed
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
        for path in payloadPaths where BagPath.isSystemFile(path) {
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
