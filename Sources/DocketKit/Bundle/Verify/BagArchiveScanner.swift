import Foundation

/// Everything a single streaming pass over an archive learns about the bag inside it.
struct ScannedBag {
    /// The bag's folder in the archive; empty when the bag's files sit at the archive's top.
    var folder = ""
    /// Regular files and links resolved to their target, by path relative to `folder`.
    let files: FileTable
    var directories: Set<String> = []
    /// Contents of the files the checks read after the pass: tag files, `data/manifest.json`
    /// and the snapshot folders' `resources.json`, in a temporary file. Keyed by SHA-256, so
    /// linked copies are kept once.
    let spool: ContentSpool
    var spansByDigest: [String: ContentSpool.Span] = [:]
    var retainedPaths: [String: String] = [:]
    /// The tree digests of snapshot indexes computed during the scan (see `IndexTreeWork`), by
    /// the SHA-256 of the index's bytes. It is empty when the scan used one thread.
    var treeOutcomes: [String: IndexTreeOutcome] = [:]
    var problems: [BagProblem] = []
    /// True when the archive could not be read to its end; the bag's own checks are then skipped.
    var isDamaged = false
    var entryCount = 0

    init(algorithms: [DigestAlgorithm]) throws {
        files = FileTable(algorithms: algorithms)
        spool = try ContentSpool()
    }

    func contents(of path: String) -> [UInt8]? {
        span(of: path).map { spool.read($0) }
    }

    /// Returns the location of `path`'s retained contents in the spool.
    func span(of path: String) -> ContentSpool.Span? {
        retainedPaths[path].flatMap { spansByDigest[$0] }
    }

    /// The algorithms the bag's manifests and tag manifests name that the scan did not
    /// compute, such as MD5 in a bag made by an older tool.
    var missingAlgorithms: [DigestAlgorithm] {
        var missing: [DigestAlgorithm] = []
        for path in files.tagPaths {
            let named = ManifestFile.algorithm(ofFile: path, prefix: "manifest-") ?? ManifestFile.algorithm(ofFile: path, prefix: "tagmanifest-")
            if let algorithm = named?.supported, !files.algorithms.contains(algorithm), !missing.contains(algorithm) {
                missing.append(algorithm)
            }
        }
        return missing
    }
}

/// Reads an archive once, as a stream, without extracting it. It checks each entry's path and
/// type, and hashes each file's contents as they pass in SHA-256 and SHA-512, the algorithms
/// of Docket's manifests. Manifests come after the payload in a sorted bag, so `BagVerifier`
/// scans a bag whose manifests name another algorithm a second time, for that algorithm.
struct BagArchiveScanner {
    /// Resource files larger than this are hashed but not parsed for their canonical digest.
    static let canonicalLimit: Int64 = 16 << 20
    /// The algorithms of Docket's manifests, which every scan computes.
    static let defaultAlgorithms: [DigestAlgorithm] = [.sha256, .sha512]

    let archivePath: String
    var algorithms: [DigestAlgorithm] = Self.defaultAlgorithms
    /// Whether small payload files are hashed and snapshot trees computed on a second thread
    /// (see `DigestBatches` and `IndexTreeWork`). The result is the same either way.
    var usesSecondCore = false

    init(archivePath: String, algorithms: [DigestAlgorithm] = Self.defaultAlgorithms) {
        self.archivePath = archivePath
        // SHA-256 keys the retained contents, so every scan computes it.
        self.algorithms = algorithms.contains(.sha256) ? algorithms : [.sha256] + algorithms
    }

    /// - Throws: `DocketError` (failure) when the temporary file for the manifests cannot be
    ///   created or written.
    func scan() throws -> ScannedBag {
        // A tar in Docket's plain form is read without libarchive's tar reader. Any other,
        // and any damage, makes the scan start again with it (see `PlainTarReader`).
        if let plain = try? PlainTarReader(path: archivePath) {
            do {
                return try scan(with: plain)
            } catch is PlainTarReader.Unsupported {}
        }
        let reader: ArchiveReader
        do {
            reader = try ArchiveReader(path: archivePath)
        } catch let error as ArchiveError {
            var bag = try ScannedBag(algorithms: algorithms)
            bag.problems.append(BagProblem(.error, archiveName, "is not a tar archive, or is damaged: \(error.message)"))
            bag.isDamaged = true
            return bag
        }
        return try scan(with: reader)
    }

    /// Reads every entry from `reader` into a new `ScannedBag`.
    /// - Throws: `PlainTarReader.Unsupported` from a `PlainTarReader`, after the other
    ///   thread's work has ended, and `DocketError` as `scan()` does.
    private func scan(with reader: TarEntrySource) throws -> ScannedBag {
        var bag = try ScannedBag(algorithms: algorithms)
        var symbolicLinks: [(path: String, target: String)] = []
        var symbolicLinkPaths: Set<String> = []
        /// The keys of `bag.directories` and `symbolicLinkPaths`.
        var nonFileKeys: Set<PathKey> = []
        var isFolderKnown = false
        var batches = usesSecondCore ? DigestBatches(algorithms: algorithms) : nil
        var trees = usesSecondCore ? IndexTreeWork() : nil
        do {
            while let entry = try reader.nextEntry() {
                bag.entryCount += 1
                let relative: String
                if isFolderKnown, let fast = Self.cleanRelativePath(entry.path, folder: bag.folder) {
                    relative = fast
                } else {
                    guard let components = BagPath.archiveComponents(entry.path) else {
                        bag.problems.append(BagProblem(.error, entry.path, "the entry's path leaves the bag: it is absolute or has a .. component"))
                        try skipData(entry, reader: reader)
                        continue
                    }
                    if components.isEmpty { continue }
                    if !isFolderKnown {
                        bag.folder = Self.isTopLevelBagName(components[0], entry: entry) ? "" : components[0]
                        isFolderKnown = true
                    }
                    guard let general = relativePath(components, folder: bag.folder) else {
                        bag.problems.append(BagProblem(.error, entry.path, "the entry is outside the bag's folder \(bag.folder)/"))
                        try skipData(entry, reader: reader)
                        continue
                    }
                    relative = general
                }
                if relative.isEmpty { continue }
                // One hash of the path serves the file table and, as a first filter, the
                // sets of folders and symbolic links.
                let key = PathKey(relative)
                let isKnownNonFile = nonFileKeys.contains(key) && (bag.directories.contains(relative) || symbolicLinkPaths.contains(relative))
                if isKnownNonFile || bag.files.entry(relative, key: key) != nil {
                    bag.problems.append(BagProblem(.error, relative, "the archive contains this path twice; tools disagree on which copy wins"))
                    try skipData(entry, reader: reader)
                    continue
                }
                switch entry.kind {
                case .symbolicLink:
                    symbolicLinkPaths.insert(relative)
                    nonFileKeys.insert(key)
                case .directory:
                    nonFileKeys.insert(key)
                default:
                    break
                }
                try record(entry, relative: relative, key: key, reader: reader, bag: &bag, symbolicLinks: &symbolicLinks, batches: &batches, trees: &trees)
            }
            try reader.close()
            batches?.finish(into: bag.files)
            bag.treeOutcomes = trees?.finish() ?? [:]
        } catch {
            // The other threads' work ends before the scan does.
            batches?.finish(into: bag.files)
            _ = trees?.finish()
            guard let error = error as? ArchiveError else { throw error }
            let problem = bag.entryCount == 0 ? "is not a tar archive, or is damaged" : "the archive is damaged or truncated"
            bag.problems.append(BagProblem(.error, archiveName, "\(problem): \(error.message)"))
            bag.isDamaged = true
            return bag
        }
        resolve(symbolicLinks, in: &bag)
        if bag.entryCount == 0 {
            bag.problems.append(BagProblem(.error, archiveName, "the archive is empty"))
            bag.isDamaged = true
        }
        return bag
    }

    private var archiveName: String {
        URL(fileURLWithPath: archivePath).lastPathComponent
    }

    /// True when the first entry's name is one of a bag's own top-level names, so the archive
    /// contains the bag's files directly rather than inside a folder.
    private static func isTopLevelBagName(_ name: String, entry: ArchiveEntryInfo) -> Bool {
        let isFile = entry.kind != .directory
        if ["bagit.txt", "bag-info.txt", "fetch.txt"].contains(name) { return true }
        if (name.hasPrefix("manifest-") || name.hasPrefix("tagmanifest-")) && name.hasSuffix(".txt") { return true }
        return name == "data" && !(isFile && entry.path.split(separator: "/").count == 1)
    }

    private func relativePath(_ components: [String], folder: String) -> String? {
        if folder.isEmpty { return components.joined(separator: "/") }
        guard components[0] == folder else { return nil }
        return components.dropFirst().joined(separator: "/")
    }

    /// Returns the path relative to `folder` when it is plainly inside it: not absolute, no
    /// empty, `.` or `..` component, at most one trailing slash. That is `path` without the
    /// folder's prefix and the trailing slash, found without splitting and joining components,
    /// which matters in a bag of a million entries. Returns nil for any other path, which the
    /// general rules judge.
    static func cleanRelativePath(_ path: String, folder: String) -> String? {
        var path = path
        var folder = folder
        return path.withUTF8 { bytes in
            folder.withUTF8 { folderBytes in cleanRelativePath(bytes, folder: folderBytes) }
        }
    }

    private static func cleanRelativePath(_ path: UnsafeBufferPointer<UInt8>, folder: UnsafeBufferPointer<UInt8>) -> String? {
        var end = path.count
        if end > 0 && path[end - 1] == UInt8(ascii: "/") { end -= 1 }
        guard end > 0 else { return nil }
        var componentLength = 0
        var dots = 0
        for byte in path[..<end] {
            if byte == UInt8(ascii: "/") {
                if componentLength == 0 || (dots == componentLength && dots <= 2) { return nil }
                componentLength = 0
                dots = 0
            } else {
                componentLength += 1
                if byte == UInt8(ascii: ".") { dots += 1 }
            }
        }
        if componentLength == 0 || (dots == componentLength && dots <= 2) { return nil }
        guard !folder.isEmpty else { return String(decoding: path[..<end], as: UTF8.self) }
        guard end >= folder.count, path[..<folder.count].elementsEqual(folder) else { return nil }
        if end == folder.count { return "" }
        guard path[folder.count] == UInt8(ascii: "/") else { return nil }
        return String(decoding: path[(folder.count + 1)..<end], as: UTF8.self)
    }

    private func record(
        _ entry: ArchiveEntryInfo, relative: String, key: PathKey, reader: TarEntrySource, bag: inout ScannedBag,
        symbolicLinks: inout [(path: String, target: String)], batches: inout DigestBatches?, trees: inout IndexTreeWork?
    ) throws {
        switch entry.kind {
        case .directory:
            bag.directories.insert(relative)
        case .regular:
            try readFile(relative, key: key, size: entry.size, reader: reader, bag: &bag, batches: &batches, trees: &trees)
        case .hardLink(let target):
            linkHard(relative, key: key, target: target, bag: &bag)
        case .symbolicLink(let target):
            guard let resolved = resolveSymbolicLink(target, at: relative) else {
                bag.problems.append(BagProblem(.error, relative, "symbolic link to \(target), which leaves the bag"))
                return
            }
            symbolicLinks.append((relative, resolved))
        case .special(let name):
            bag.problems.append(BagProblem(.error, relative, "the archive contains a \(name) here; a bag contains only files and folders"))
        }
    }

    private func readFile(
        _ relative: String, key: PathKey, size: Int64, reader: TarEntrySource, bag: inout ScannedBag, batches: inout DigestBatches?,
        trees: inout IndexTreeWork?
    ) throws {
        let shouldRetain = Self.isRetained(relative)
        // A snapshot index's tree is computed on the second thread, which needs the index whole.
        let isIndex = trees != nil && shouldRetain && Self.isSnapshotIndex(relative)
        let needsCanonical = Self.isResourceFile(relative) && size <= Self.canonicalLimit
        if batches != nil, !shouldRetain, size <= DigestBatches.maximumFileSize {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(Int(size))
            try reader.readData { chunk in bytes.append(contentsOf: chunk) }
            let content = bag.files.addPendingContent(size: Int64(bytes.count))
            batches?.add(content: content, bytes: bytes, needsCanonical: needsCanonical, to: bag.files)
            bag.files.insert(relative, key: key, content: content)
            return
        }
        let hashers = algorithms.map { Hasher($0) }
        // A retained file goes to the spool as it passes, never whole into memory: a payload
        // manifest may be hundreds of megabytes.
        let spool = bag.spool
        let start = spool.endOffset
        var buffer: [UInt8] = []
        var total: Int64 = 0
        try reader.readData { chunk in
            for hasher in hashers {
                hasher.update(chunk)
            }
            if shouldRetain {
                try spool.write(chunk)
            }
            if needsCanonical || isIndex {
                buffer.append(contentsOf: chunk)
            }
            total += Int64(chunk.count)
        }
        let digests = hashers.map { $0.finalizeHex() }
        let canonicalDigest = needsCanonical ? Self.canonicalDigest(of: buffer) : nil
        let content = bag.files.addContent(size: total, hexDigests: digests, canonicalHex: canonicalDigest)
        if shouldRetain, let sha256 = digests.first {
            if bag.spansByDigest[sha256] == nil {
                bag.spansByDigest[sha256] = ContentSpool.Span(offset: start, count: Int(total))
                if isIndex {
                    trees?.add(digest: sha256, bytes: buffer)
                }
            } else {
                spool.discard(from: start)
            }
            bag.retainedPaths[relative] = sha256
        }
        bag.files.insert(relative, key: key, content: content)
    }

    /// Returns the SHA-256 of a resource file's canonical form, or nil when it is not JSON.
    private static func canonicalDigest(of bytes: [UInt8]) -> String? {
        guard let value = try? JSONParser.parse(bytes: bytes) else { return nil }
        return Digest.sha256(CanonicalJSON.encode(value))
    }

    /// Returns a whole file's digests in `algorithms` order as lowercase hex, and with
    /// `needsCanonical` its canonical digest, the same as the scan computes while a file passes.
    static func digests(of bytes: [UInt8], algorithms: [DigestAlgorithm], needsCanonical: Bool) -> (hex: [String], canonical: String?) {
        let hex = algorithms.map { algorithm in
            let hasher = Hasher(algorithm)
            hasher.update(bytes)
            return hasher.finalizeHex()
        }
        return (hex, needsCanonical ? canonicalDigest(of: bytes) : nil)
    }

    /// Records a hard link with its target's digests, since tar gives it the target's contents.
    private func linkHard(_ relative: String, key: PathKey, target: String, bag: inout ScannedBag) {
        let targetPath: String
        if let clean = Self.cleanRelativePath(target, folder: bag.folder) {
            targetPath = clean
        } else {
            guard let components = BagPath.archiveComponents(target), !components.isEmpty,
                let general = relativePath(components, folder: bag.folder)
            else {
                bag.problems.append(BagProblem(.error, relative, "hard link to \(target), which is outside the bag"))
                return
            }
            targetPath = general
        }
        guard !targetPath.isEmpty else {
            bag.problems.append(BagProblem(.error, relative, "hard link to \(target), which is outside the bag"))
            return
        }
        guard let content = bag.files.content(of: targetPath) else {
            bag.problems.append(BagProblem(.error, relative, "hard link to \(targetPath), which is not a file earlier in the archive"))
            return
        }
        bag.files.insert(relative, key: key, content: content)
        if let digest = bag.retainedPaths[targetPath] {
            bag.retainedPaths[relative] = digest
        } else if Self.isRetained(relative) {
            bag.problems.append(
                BagProblem(.error, relative, "hard link to the payload file \(targetPath); verify reads a tag file only from its own entry"))
        }
    }

    /// Resolves the bag-relative path a symbolic link at `path` points to; nil when it leaves the bag.
    private func resolveSymbolicLink(_ target: String, at path: String) -> String? {
        guard !target.hasPrefix("/") else { return nil }
        var components = path.split(separator: "/").dropLast().map(String.init)
        for component in target.split(separator: "/") {
            if component == "." { continue }
            if component == ".." {
                guard !components.isEmpty else { return nil }
                components.removeLast()
            } else {
                components.append(String(component))
            }
        }
        return components.joined(separator: "/")
    }

    /// Symbolic links that stay inside the bag take the digests of the file they point to,
    /// as `sha256sum -c` would read it after extraction.
    private func resolve(_ links: [(path: String, target: String)], in bag: inout ScannedBag) {
        for link in links {
            guard let content = bag.files.content(of: link.target) else {
                bag.problems.append(BagProblem(.error, link.path, "symbolic link to \(link.target), which is not a file in the bag"))
                continue
            }
            bag.files.insert(link.path, content: content)
        }
    }

    private func skipData(_ entry: ArchiveEntryInfo, reader: TarEntrySource) throws {
        // Reading the data moves the stream past it. libarchive would also skip it on the next
        // header, but reading here reports a truncated archive at this entry.
        if entry.size > 0 {
            try reader.readData { _ in }
        }
    }

    /// Tag files (outside `data/`), `data/manifest.json` and snapshot indexes are kept for the
    /// checks after the pass.
    static func isRetained(_ relative: String) -> Bool {
        if !relative.utf8.starts(with: "data/".utf8) { return true }
        if relative == "data/\(BagLayout.bundleManifest)" { return true }
        return isSnapshotIndex(relative)
    }

    /// True for `data/snapshots/<time>/resources.json`, a snapshot's index.
    static func isSnapshotIndex(_ relative: String) -> Bool {
        // Only a path whose last component is resources.json can be a snapshot index, and
        // testing that first spares splitting every other payload path.
        guard lastComponent(of: relative, is: BagLayout.snapshotIndex) else { return false }
        let parts = Self.components(relative)
        return parts.count == 4 && parts[1].elementsEqual("snapshots".utf8) && parts[3].elementsEqual("resources.json".utf8)
    }

    /// True when `name` is the last non-empty `/`-separated component of `path`.
    private static func lastComponent(of path: String, is name: String) -> Bool {
        var path = path
        return path.withUTF8 { bytes in
            var end = bytes.count
            while end > 0 && bytes[end - 1] == UInt8(ascii: "/") { end -= 1 }
            let start = end - name.utf8.count
            guard start >= 0, bytes[start..<end].elementsEqual(name.utf8) else { return false }
            return start == 0 || bytes[start - 1] == UInt8(ascii: "/")
        }
    }

    /// `data/snapshots/<time>/<kind>/<name>.json`
    static func isResourceFile(_ relative: String) -> Bool {
        let parts = Self.components(relative)
        return parts.count == 5 && parts[0].elementsEqual("data".utf8) && parts[1].elementsEqual("snapshots".utf8)
            && parts[4].count > 5 && parts[4].suffix(5).elementsEqual(".json".utf8)
    }

    /// Splits the path into up to six UTF-8 components, enough to tell the two shapes apart.
    private static func components(_ path: String) -> [Substring.UTF8View.SubSequence] {
        Array(path.utf8.split(separator: UInt8(ascii: "/"), maxSplits: 5, omittingEmptySubsequences: true))
    }
}
