import Foundation

/// The contents of one file as the scan found them. Hard links and symbolic links to a file
/// share its record, so a bag of many identical files costs one record per distinct file.
final class ScannedFile: Sendable {
    let size: Int64
    /// Lowercase hex digests in every algorithm a BagIt manifest may use.
    let digests: [DigestAlgorithm: String]
    /// SHA-256 of the file's JSON in RFC 8785 canonical form, for the resource files of a
    /// Docket bag's snapshot folders. It is nil for other files, and when the file is not JSON.
    let canonicalDigest: String?

    init(size: Int64, digests: [DigestAlgorithm: String], canonicalDigest: String?) {
        self.size = size
        self.digests = digests
        self.canonicalDigest = canonicalDigest
    }
}

/// Everything a single streaming pass over an archive learns about the bag inside it.
struct ScannedBag: Sendable {
    /// The bag's folder in the archive; empty when the bag's files sit at the archive's top.
    var folder = ""
    /// Regular files and links resolved to their target, keyed by path relative to `folder`.
    /// Swift compares strings by canonical equivalence, so a lookup also finds a name stored in
    /// another Unicode normalization form; `storedPath(_:)` returns the name as stored.
    var files: [String: ScannedFile] = [:]
    var directories: Set<String> = []
    /// Contents of the files the checks read after the pass: tag files, `data/manifest.json`
    /// and the snapshot folders' `resources.json`. Keyed by SHA-256, so linked copies are kept once.
    var contentsByDigest: [String: [UInt8]] = [:]
    var retainedPaths: [String: String] = [:]
    var problems: [BagProblem] = []
    /// True when the archive could not be read to its end; the bag's own checks are then skipped.
    var isDamaged = false
    var entryCount = 0

    func contents(of path: String) -> [UInt8]? {
        retainedPaths[path].flatMap { contentsByDigest[$0] }
    }

    /// Returns the key under which `path` is stored, exactly as the archive spells it.
    func storedPath(_ path: String) -> String? {
        files.index(forKey: path).map { files[$0].key }
    }
}

/// Reads an archive once, as a stream, without extracting it. It checks each entry's path and
/// type, and hashes each file's contents as they pass in every BagIt algorithm at once,
/// because manifests come after the payload in a sorted bag: which algorithms are needed is
/// known only at the end.
struct BagArchiveScanner {
    /// Resource files larger than this are hashed but not parsed for their canonical digest.
    static let canonicalLimit: Int64 = 16 << 20

    let archivePath: String

    func scan() throws -> ScannedBag {
        var bag = ScannedBag()
        let reader: ArchiveReader
        do {
            reader = try ArchiveReader(path: archivePath)
        } catch let error as ArchiveError {
            bag.problems.append(BagProblem(.error, archiveName, "is not a tar archive, or is damaged: \(error.message)"))
            bag.isDamaged = true
            return bag
        }
        var symbolicLinks: [(path: String, target: String)] = []
        var isFolderKnown = false
        do {
            while let entry = try reader.nextEntry() {
                bag.entryCount += 1
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
                guard let relative = relativePath(components, folder: bag.folder) else {
                    bag.problems.append(BagProblem(.error, entry.path, "the entry is outside the bag's folder \(bag.folder)/"))
                    try skipData(entry, reader: reader)
                    continue
                }
                if relative.isEmpty { continue }
                if bag.files[relative] != nil || bag.directories.contains(relative) || symbolicLinks.contains(where: { $0.path == relative }) {
                    bag.problems.append(BagProblem(.error, relative, "the archive contains this path twice; tools disagree on which copy wins"))
                    try skipData(entry, reader: reader)
                    continue
                }
                try record(entry, relative: relative, components: components, reader: reader, bag: &bag, symbolicLinks: &symbolicLinks)
            }
            try reader.close()
        } catch let error as ArchiveError {
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

    private func record(
        _ entry: ArchiveEntryInfo, relative: String, components: [String], reader: ArchiveReader, bag: inout ScannedBag,
        symbolicLinks: inout [(path: String, target: String)]
    ) throws {
        switch entry.kind {
        case .directory:
            bag.directories.insert(relative)
        case .regular:
            try readFile(relative, size: entry.size, reader: reader, bag: &bag)
        case .hardLink(let target):
            linkHard(relative, target: target, bag: &bag)
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

    private func readFile(_ relative: String, size: Int64, reader: ArchiveReader, bag: inout ScannedBag) throws {
        let hashers = DigestAlgorithm.allCases.map { Hasher($0) }
        let shouldRetain = Self.isRetained(relative)
        let needsCanonical = Self.isResourceFile(relative) && size <= Self.canonicalLimit
        var buffer: [UInt8] = []
        var total: Int64 = 0
        try reader.readData { chunk in
            for hasher in hashers {
                hasher.update(chunk)
            }
            if shouldRetain || needsCanonical {
                buffer.append(contentsOf: chunk)
            }
            total += Int64(chunk.count)
        }
        var digests: [DigestAlgorithm: String] = [:]
        for hasher in hashers {
            digests[hasher.algorithm] = hasher.finalizeHex()
        }
        var canonicalDigest: String?
        if needsCanonical, let value = try? JSONParser.parse(bytes: buffer) {
            canonicalDigest = Digest.sha256(CanonicalJSON.encode(value))
        }
        let file = ScannedFile(size: total, digests: digests, canonicalDigest: canonicalDigest)
        if shouldRetain, let sha256 = digests[.sha256] {
            bag.contentsByDigest[sha256] = buffer
            bag.retainedPaths[relative] = sha256
        }
        bag.files[relative] = file
    }

    /// Records a hard link with its target's digests, since tar gives it the target's contents.
    private func linkHard(_ relative: String, target: String, bag: inout ScannedBag) {
        guard let components = BagPath.archiveComponents(target), !components.isEmpty,
            let targetPath = relativePath(components, folder: bag.folder), !targetPath.isEmpty
        else {
            bag.problems.append(BagProblem(.error, relative, "hard link to \(target), which is outside the bag"))
            return
        }
        guard let file = bag.files[targetPath] else {
            bag.problems.append(BagProblem(.error, relative, "hard link to \(targetPath), which is not a file earlier in the archive"))
            return
        }
        bag.files[relative] = file
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
            guard let file = bag.files[link.target] else {
                bag.problems.append(BagProblem(.error, link.path, "symbolic link to \(link.target), which is not a file in the bag"))
                continue
            }
            bag.files[link.path] = file
        }
    }

    private func skipData(_ entry: ArchiveEntryInfo, reader: ArchiveReader) throws {
        // Reading the data moves the stream past it. libarchive would also skip it on the next
        // header, but reading here reports a truncated archive at this entry.
        if entry.size > 0 {
            try reader.readData { _ in }
        }
    }

    /// Tag files (outside `data/`), `data/manifest.json` and snapshot indexes are kept for the
    /// checks after the pass.
    static func isRetained(_ relative: String) -> Bool {
        if !relative.hasPrefix("data/") { return true }
        if relative == "data/\(BagLayout.bundleManifest)" { return true }
        let parts = relative.split(separator: "/")
        return parts.count == 4 && parts[1] == "snapshots" && parts[3] == "resources.json"
    }

    /// `data/snapshots/<time>/<kind>/<name>.json`
    static func isResourceFile(_ relative: String) -> Bool {
        let parts = relative.split(separator: "/")
        return parts.count == 5 && parts[0] == "data" && parts[1] == "snapshots" && parts[4].hasSuffix(".json")
    }
}
