/// The checks that apply to bags Docket made (bag-info.txt's `Bag-Software-Agent` starts with
/// `docket`), beyond BagIt's: the required tag files, no tag file outside the tag manifest,
/// and the snapshot chain in `data/manifest.json`.
///
/// For each snapshot the chain check recomputes the digest from the header manifest.json
/// stores, follows each header's parent to the snapshot before it, recomputes the snapshot's
/// tree digest from its folder's `resources.json`, and checks that each resource file's JSON,
/// in canonical form, hashes to the digest the tree records. Together these tie every
/// evidence file to the chain that `docket check` verifies in the store.
///
/// The chain checks need neither bag-info.txt nor the tag manifests, so `BagVerifier` can run
/// `checkChain()` on a second thread beside the BagIt checks, then `finish`.
struct DocketBagChecks {
    let bag: ScannedBag
    private var bagInfo: BagInfo?
    private var tagManifestPaths: [String: Set<String>] = [:]
    /// Every problem found, in the order they are reported: the tag files' first, then the
    /// chain's, then the rest.
    private(set) var problems: [BagProblem] = []
    private(set) var snapshotsChecked = 0
    /// `data/manifest.json`, parsed by `checkChain`; nil when it is missing or not JSON.
    private var manifest: JSONValue?
    /// Snapshot folders whose index already marked its files in the file table.
    private var indexedFolders: Set<String> = []
    /// The indexes and trees read so far, which the next snapshot's mostly shares.
    private var trees = IndexTreeHasher()

    init(bag: ScannedBag) {
        self.bag = bag
    }

    static func isDocketBag(_ bagInfo: BagInfo?) -> Bool {
        bagInfo?.value("Bag-Software-Agent")?.lowercased().hasPrefix("docket") == true
    }

    /// Reads `data/manifest.json` and checks the snapshot chain and each snapshot's files.
    mutating func checkChain() {
        guard let bytes = bag.contents(of: "data/\(BagLayout.bundleManifest)") else {
            problems.append(BagProblem(.error, "data/\(BagLayout.bundleManifest)", "missing: a Docket bag describes its snapshots there"))
            return
        }
        guard let manifest = try? JSONParser.parse(bytes: bytes) else {
            problems.append(BagProblem(.error, "data/\(BagLayout.bundleManifest)", "is not valid JSON"))
            return
        }
        self.manifest = manifest
        let snapshots = manifest["snapshots"]?.arrayValue ?? []
        if snapshots.isEmpty {
            problems.append(BagProblem(.error, "data/\(BagLayout.bundleManifest)", "lists no snapshot"))
        }
        checkChain(snapshots, period: manifest["period"])
    }

    /// Runs the checks that need bag-info.txt and the tag manifests, after `checkChain`: the
    /// required tag files, whose problems come first, then the snapshot folders, the change
    /// files and bag-info.txt's Docket fields.
    mutating func finish(bagInfo: BagInfo?, tagManifestPaths: [String: Set<String>]) {
        self.bagInfo = bagInfo
        self.tagManifestPaths = tagManifestPaths
        let chainProblems = problems
        problems = []
        checkRequiredFiles()
        checkTagFilesListed()
        problems += chainProblems
        guard let manifest else { return }
        let snapshots = manifest["snapshots"]?.arrayValue ?? []
        checkSnapshotFolders(snapshots)
        checkChangeFiles(manifest["changes"]?.arrayValue ?? [])
        checkBagInfo(snapshots: snapshots, period: manifest["period"])
    }

    private mutating func checkRequiredFiles() {
        for name in [BagLayout.sha256Manifest, BagLayout.sha512Manifest, BagLayout.tagManifest] where !bag.files.contains(name) {
            problems.append(BagProblem(.error, name, "missing: every Docket bag has it"))
        }
        if let listed = tagManifestPaths[BagLayout.tagManifest] {
            for name in [BagLayout.bagDeclaration, BagLayout.bagInfo, BagLayout.sha256Manifest, BagLayout.sha512Manifest] where !listed.contains(name) {
                problems.append(BagProblem(.error, BagLayout.tagManifest, "does not list \(name), which every Docket bag's tag manifest covers"))
            }
        }
    }

    /// Reports tag files no tag manifest lists, which could be swapped unnoticed. Docket lists
    /// every tag file except the tag manifests themselves and the signature.
    private mutating func checkTagFilesListed() {
        guard !tagManifestPaths.isEmpty else { return }
        let listed = tagManifestPaths.values.reduce(into: Set<String>()) { $0.formUnion($1) }
        for path in bag.files.tagPaths.sorted() {
            let isTagManifest = path.hasPrefix("tagmanifest-") && path.hasSuffix(".txt")
            guard !isTagManifest, path != BagLayout.signature, !listed.contains(path) else { continue }
            problems.append(BagProblem(.error, path, "a tag file no tag manifest lists; Docket bags list every tag file"))
        }
    }

    // MARK: - Snapshot chain

    private mutating func checkChain(_ snapshots: [JSONValue], period: JSONValue?) {
        let file = "data/\(BagLayout.bundleManifest)"
        var previous: (digest: String, capturedAt: String)?
        for (index, snapshot) in snapshots.enumerated() {
            let digest = snapshot["digest"]?.stringValue ?? ""
            let name = "snapshot \(digest.isEmpty ? "#\(index + 1)" : digest)"
            guard let header = snapshot["header"], header.objectValue != nil else {
                problems.append(BagProblem(.error, file, "\(name) has no header"))
                continue
            }
            let computed = Digest.sha256(CanonicalJSON.encode(header))
            if computed != digest {
                problems.append(BagProblem(.error, file, "\(name): its header hashes to \(computed), so the header or the digest was altered"))
            }
            for field in ["parent", "captured_at", "tree", "complete", "resources"] where snapshot[field] != header[field] {
                problems.append(BagProblem(.error, file, "\(name): its \(field) differs from the one in its header"))
            }
            let capturedAt = header["captured_at"]?.stringValue ?? ""
            if let previous {
                if header["parent"]?.stringValue != previous.digest {
                    let parent = header["parent"]?.stringValue ?? "none"
                    problems.append(BagProblem(.error, file, "the chain is broken: \(name) names \(parent) as its parent, but the snapshot before it is \(previous.digest)"))
                }
                if capturedAt < previous.capturedAt {
                    problems.append(BagProblem(.error, file, "\(name) was captured at \(capturedAt), before the snapshot listed before it"))
                }
            }
            checkRole(snapshot, name: name, capturedAt: capturedAt, isFirst: index == 0, period: period)
            previous = (digest, capturedAt)
            checkSnapshotFiles(snapshot, header: header, name: name)
            snapshotsChecked += 1
        }
    }

    private mutating func checkRole(_ snapshot: JSONValue, name: String, capturedAt: String, isFirst: Bool, period: JSONValue?) {
        let file = "data/\(BagLayout.bundleManifest)"
        guard let start = period?["start"]?.stringValue, let end = period?["end"]?.stringValue else {
            problems.append(BagProblem(.error, file, "has no period start and end"))
            return
        }
        switch snapshot["role"]?.stringValue {
        case "baseline" where isFirst:
            if capturedAt >= start {
                problems.append(BagProblem(.error, file, "\(name) is the baseline but was captured at \(capturedAt), inside the period"))
            }
        case "period":
            if capturedAt < start || capturedAt >= end {
                problems.append(BagProblem(.error, file, "\(name) was captured at \(capturedAt), outside the period \(start) to \(end)"))
            }
        default:
            problems.append(BagProblem(.error, file, "\(name) has an unexpected role; only the first snapshot may be the baseline"))
        }
    }

    /// Recomputes the snapshot's tree from its folder's `resources.json`, and each resource
    /// file's canonical digest.
    private mutating func checkSnapshotFiles(_ snapshot: JSONValue, header: JSONValue, name: String) {
        guard let folder = snapshot["folder"]?.stringValue, BagPath.escapeReason(folder) == nil else {
            problems.append(BagProblem(.error, "data/\(BagLayout.bundleManifest)", "\(name) has no valid folder"))
            return
        }
        let indexPath = "data/\(folder)/\(BagLayout.snapshotIndex)"
        // The scan may have computed the tree already, from the same bytes.
        let computedTree = bag.retainedPaths[indexPath].flatMap { bag.treeOutcomes[$0] }
        guard let listed = readIndex(indexPath, folder: folder, needsTree: computedTree == nil) else {
            problems.append(BagProblem(.error, indexPath, "missing or not JSON: it indexes the files of \(name)"))
            return
        }
        let expectedTree = header["tree"]?.stringValue ?? ""
        switch computedTree ?? listed.tree {
        case .digest(let computed) where computed != expectedTree:
            problems.append(BagProblem(.error, indexPath, "its entries hash to the tree \(computed), but \(name) records the tree \(expectedTree)"))
        case .failure(let message):
            problems.append(BagProblem(.error, indexPath, message))
        case .digest, nil:
            break
        }
        if let count = header["resources"]?.intValue, count != listed.files.count {
            problems.append(BagProblem(.error, indexPath, "lists \(listed.files.count) resources, but \(name) records \(count)"))
        }
        for file in listed.files {
            checkResourceFile(file, name: name)
        }
    }

    /// One resource file a snapshot's index lists: its path, the entry the file table has
    /// for it, and the digest the index records.
    private struct ListedFile {
        let path: String
        let id: Int32?
        let digest: String
    }

    /// Reads a snapshot folder's index and returns the files it lists and, with `needsTree`,
    /// its tree digest. Returns nil when the index is missing or not JSON. The first time a
    /// folder is read, its index and every file it lists are marked in the file table.
    private mutating func readIndex(_ indexPath: String, folder: String, needsTree: Bool) -> (files: [ListedFile], tree: IndexTreeOutcome?)? {
        guard let bytes = bag.contents(of: indexPath) else { return nil }
        let reading = trees.read(bytes)
        guard let index = reading?.contents ?? Self.parsedIndexContents(bytes) else { return nil }
        let isFirstIndex = indexedFolders.insert(folder).inserted
        if isFirstIndex, let id = bag.files.entry(indexPath) { bag.files.markIndexed(id) }
        let files = listedFiles(index, folder: folder, indexPath: indexPath, marksFiles: isFirstIndex)
        let tree = needsTree ? trees.outcome(of: IndexEntries(index, origins: reading?.origins)) : nil
        return (files, tree)
    }

    /// Returns the kinds and resources of an index parsed as JSON, or nil for bytes that are
    /// not JSON. It reads the indexes `IndexScanner` leaves to the parser, and reads the others
    /// as the scanner does.
    static func parsedIndexContents(_ bytes: [UInt8]) -> IndexScanner.Contents? {
        guard let index = try? JSONParser.parse(bytes: bytes) else { return nil }
        return IndexScanner.Contents(
            kinds: index["kinds"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            resources: (index["resources"]?.arrayValue ?? []).map(IndexedResource.init))
    }

    /// Returns the files of the index's well-formed entries (see `IndexedResource.entry`).
    /// With `marksFiles`, it also marks every listed file in the file table, malformed
    /// entries' files included, so that each path is looked up once.
    private mutating func listedFiles(_ index: IndexScanner.Contents, folder: String, indexPath: String, marksFiles: Bool) -> [ListedFile] {
        let table = bag.files
        let prefix = "data/\(folder)/"
        var files: [ListedFile] = []
        files.reserveCapacity(index.resources.count)
        for fields in index.resources {
            let path = fields.file.map { prefix + $0 }
            let id = path.flatMap { table.entry($0) }
            if marksFiles, let id { table.markIndexed(id) }
            guard let path, let digest = fields.entry?.digest else {
                problems.append(BagProblem(.error, indexPath, "has a malformed resource entry"))
                continue
            }
            files.append(ListedFile(path: path, id: id, digest: digest))
        }
        return files
    }

    private mutating func checkResourceFile(_ file: ListedFile, name: String) {
        let path = file.path
        let digest = file.digest
        guard BagPath.escapeReason(path) == nil, let id = file.id else {
            problems.append(BagProblem(.error, path, "missing: \(name)'s resources.json lists it"))
            return
        }
        let content = bag.files.content(ofEntry: id)
        if bag.files.canonical(ofContent: content, equals: digest) { return }
        guard let canonical = bag.files.canonicalHex(ofContent: content) else {
            problems.append(BagProblem(.error, path, "is not JSON (or too large to parse), so it cannot be matched to \(name)"))
            return
        }
        if canonical != digest {
            problems.append(BagProblem(.error, path, "its JSON hashes to \(canonical) in canonical form, but \(name) records \(digest)"))
        }
    }

    /// Checks that every folder under data/snapshots/ is a snapshot manifest.json lists, and
    /// that every file in it is its index or a file the index lists. Each snapshot's index marks
    /// the files it lists in the file table, one snapshot at a time. Then one pass over the
    /// table finds the files no index marked.
    private mutating func checkSnapshotFolders(_ snapshots: [JSONValue]) {
        var folders: Set<String> = []
        let files = bag.files
        for snapshot in snapshots {
            guard let folder = snapshot["folder"]?.stringValue else { continue }
            folders.insert("data/\(folder)")
            guard !indexedFolders.contains(folder) else { continue }
            let indexPath = "data/\(folder)/\(BagLayout.snapshotIndex)"
            if let bytes = bag.contents(of: indexPath), let index = try? JSONParser.parse(bytes: bytes) {
                markIndexed(index, folder: folder)
            } else if let id = files.entry(indexPath) {
                files.markIndexed(id)
            }
        }
        let snapshotsFolder = "data/\(BagLayout.snapshotsFolder)"
        var found: [BagProblem] = []
        // Whether each stored folder lies in a snapshot folder manifest.json lists; a bag has few.
        var verdicts: [String: Bool] = [:]
        files.forEachPayloadEntry { id in
            guard !files.isIndexed(id) else { return }
            let folder = files.folder(ofEntry: id)
            guard folder.utf8.starts(with: snapshotsFolder.utf8) else { return }
            let isListed: Bool
            if let known = verdicts[folder] {
                isListed = known
            } else {
                let parts = folder.utf8.split(separator: UInt8(ascii: "/"), maxSplits: 3)
                guard parts.count >= 2, parts[1].elementsEqual(BagLayout.snapshotsFolder.utf8) else {
                    return
                }
                isListed = parts.count >= 3 && folders.contains(String(decoding: folder.utf8.prefix(upTo: parts[2].endIndex), as: UTF8.self))
                verdicts[folder] = isListed
            }
            let path = files.path(ofEntry: id)
            if isListed {
                found.append(BagProblem(.error, path, "not listed in its snapshot's resources.json"))
            } else {
                found.append(BagProblem(.error, path, "in a snapshot folder that data/manifest.json does not list"))
            }
        }
        problems += found.sorted { $0.file < $1.file }
    }

    /// Marks a snapshot folder's index and every file it lists as expected in the folder.
    private mutating func markIndexed(_ index: JSONValue, folder: String) {
        guard indexedFolders.insert(folder).inserted else { return }
        let files = bag.files
        if let id = files.entry("data/\(folder)/\(BagLayout.snapshotIndex)") { files.markIndexed(id) }
        for value in index["resources"]?.arrayValue ?? [] {
            if let file = value["file"]?.stringValue, let id = files.entry("data/\(folder)/\(file)") { files.markIndexed(id) }
        }
    }

    private mutating func checkChangeFiles(_ changes: [JSONValue]) {
        for change in changes {
            for field in ["json", "markdown"] {
                guard let path = change[field]?.stringValue else { continue }
                if BagPath.escapeReason(path) != nil || !bag.files.contains("data/\(path)") {
                    problems.append(BagProblem(.error, "data/\(path)", "missing: data/manifest.json lists it as a change file"))
                }
            }
        }
    }

    private mutating func checkBagInfo(snapshots: [JSONValue], period: JSONValue?) {
        if let last = snapshots.last?["digest"]?.stringValue, let named = bagInfo?.value("Docket-Last-Snapshot"), named != last {
            problems.append(BagProblem(.error, BagLayout.bagInfo, "Docket-Last-Snapshot is \(named), but data/manifest.json ends with \(last)"))
        }
        if let label = period?["label"]?.stringValue, let named = bagInfo?.value("Docket-Period"), named != label {
            problems.append(BagProblem(.error, BagLayout.bagInfo, "Docket-Period is \(named), but data/manifest.json covers \(label)"))
        }
    }
}

/// The string members of one resource in a snapshot's index, read in one pass over the
/// object rather than one hashed lookup per member. A member that is not a string is nil, as
/// `JSONValue.stringValue` makes it.
struct IndexedResource: Equatable {
    var file: String?
    var kind: String?
    var key: String?
    var name: String?
    var digest: String?
    var parent: String?
    var app: String?

    init() {}

    /// Reads the string members of an object. Other members and non-string values are left out.
    init(_ value: JSONValue) {
        guard case .object(let members) = value else { return }
        for (member, content) in members {
            if let text = content.stringValue {
                set(member, to: text)
            }
        }
    }

    /// Sets the field `member` names, if it is one of the index's fields.
    mutating func set(_ member: String, to value: String) {
        switch member {
        case "file": file = value
        case "kind": kind = value
        case "key": key = value
        case "name": name = value
        case "digest": digest = value
        case "parent": parent = value
        case "app": app = value
        default: break
        }
    }

    /// The tree entry of a well-formed resource, one with a kind, a file, a key, a name and a
    /// digest, as `ResourceEntry(kind:treeValue:)` makes it; nil for any other.
    var entry: ResourceEntry? {
        guard let kind, file != nil, let key, let name, let digest else { return nil }
        return ResourceEntry(kind: kind, key: key, name: name, parentKey: parent, appKey: app, digest: digest)
    }
}
