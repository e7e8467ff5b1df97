import Foundation

/// Receives a bag's payload files one at a time, in bundle order. Paths are relative to
/// `data/`.
protocol PayloadSink: AnyObject {
    func addFile(_ path: String, bytes: [UInt8]) throws
    /// Adds a file whose digests were computed before, such as on another thread.
    func addFile(_ path: String, hashed: HashedBytes) throws
    /// Adds a file whose bytes are the rendering of the store object `object`. A sink that
    /// has seen the object does not call `render`. Without a digest, the file is rendered.
    func addStoredObject(_ path: String, object: PackedSHA256?, render: () throws -> [UInt8]) throws
    /// Adds a file whose bytes were written to `spool`, and removes the spool.
    func addFile(_ path: String, spool: SpoolFile) throws
}

/// A file built piece by piece in a temporary folder instead of in memory, such as a
/// manifest or the change table of a long period, and then copied into the archive.
final class SpoolFile {
    let url: URL
    private let handle: FileHandle
    private var pending: [UInt8] = []
    private(set) var size: Int64 = 0
    /// Takes each block as it is written, when given.
    private let hasher: Hasher?
    private static let blockSize = 256 * 1024

    /// Creates an empty file at `url`. A `hasher` is updated with the file's bytes, a block at
    /// a time, which costs less than hashing each piece appended.
    init(url: URL, hasher: Hasher? = nil) throws {
        self.url = url
        self.hasher = hasher
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw DocketError(.failure, "cannot create the temporary file \(url.path); check that the temporary folder is writable")
        }
        handle = try FileHandle(forWritingTo: url)
    }

    func append(_ text: String) throws {
        try append(Array(text.utf8))
    }

    /// Appends `bytes`, writing them to the file in blocks of `blockSize` bytes, because one
    /// write per line cost a system call per payload file.
    func append(_ bytes: [UInt8]) throws {
        try append { $0 += bytes }
    }

    /// Appends what `write` adds to the end of the bytes it is given, which are the bytes
    /// not yet written to the file, so that a line needs no buffer of its own.
    func append(_ write: (inout [UInt8]) -> Void) throws {
        let start = pending.count
        write(&pending)
        size += Int64(pending.count - start)
        if pending.count >= Self.blockSize {
            try writePending()
        }
    }

    /// Writes what is pending and closes the file for reading.
    func finish() throws {
        try writePending()
        pending = []
        try handle.close()
    }

    private func writePending() throws {
        pending.withUnsafeBytes { hasher?.update($0) }
        try handle.write(contentsOf: pending)
        pending.removeAll(keepingCapacity: true)
    }

    /// Calls `body` with the file's bytes in blocks, in order.
    func readBlocks(_ body: (ArraySlice<UInt8>) throws -> Void) throws {
        let reader = try FileHandle(forReadingFrom: url)
        defer { try? reader.close() }
        while let block = try reader.read(upToCount: Self.blockSize), !block.isEmpty {
            try body(Array(block)[...])
        }
    }
}

/// Writes each payload file into the archive, or a hard link to the first file with the same
/// bytes, and appends its line to both payload manifests. Its counts give `Payload-Oxum`.
///
/// Memory does not grow with the period. The record of each distinct content and of each
/// store object goes to a `PayloadContentIndex` file, and the manifest lines go to spool
/// files. Of the directories, only those of the previous file are remembered.
final class ArchivePayloadSink: PayloadSink {
    private typealias ContentRecord = PayloadContentIndex.Record

    private let writer: ArchiveWriter
    private let root: String
    /// The bag folder and a `/`, which begin the name of every entry in the archive.
    private let rootPrefix: [UInt8]
    private let modificationTime: Int64
    private let sha256Manifest: ManifestSpool
    private let sha512Manifest: ManifestSpool
    private let index: PayloadContentIndex
    /// The folders of the previous payload path, outermost first, each already written.
    private var openDirectories: [String] = []
    private var previousPath: String?
    private(set) var fileCount = 0
    private(set) var byteCount: Int64 = 0
    private(set) var linkCount = 0

    /// Creates a sink whose content index is a new file `indexPath`, which the caller removes.
    init(
        writer: ArchiveWriter, root: String, modificationTime: Int64, sha256Manifest: ManifestSpool, sha512Manifest: ManifestSpool,
        indexPath: URL
    ) throws {
        self.writer = writer
        self.root = root
        rootPrefix = Array("\(root)/".utf8)
        self.modificationTime = modificationTime
        self.sha256Manifest = sha256Manifest
        self.sha512Manifest = sha512Manifest
        index = try PayloadContentIndex(path: indexPath)
    }

    func addFile(_ path: String, bytes: [UInt8]) throws {
        let sha256 = PackedSHA256(.sha256, of: bytes)
        if let first = try index.record(content: sha256) {
            try link(path, to: first)
            return
        }
        let record = try write(path, bytes: bytes, sha256: sha256)
        try index.add(record)
    }

    func addFile(_ path: String, hashed: HashedBytes) throws {
        if let first = try index.record(content: hashed.sha256) {
            try link(path, to: first)
            return
        }
        let record = try write(path, bytes: hashed.bytes, sha256: hashed.sha256, sha512: hashed.sha512)
        try index.add(record)
    }

    func addStoredObject(_ path: String, object: PackedSHA256?, render: () throws -> [UInt8]) throws {
        // A store digest is SHA-256 hex. Anything else is not remembered, so it is rendered each time.
        if let object, let first = try index.record(object: object) {
            try link(path, to: first)
            return
        }
        let bytes = try render()
        let sha256 = PackedSHA256(.sha256, of: bytes)
        if let object {
            try index.add(object: object, content: sha256)
        }
        if let first = try index.record(content: sha256) {
            try link(path, to: first)
            return
        }
        let record = try write(path, bytes: bytes, sha256: sha256)
        try index.add(record)
    }

    func addFile(_ path: String, spool: SpoolFile) throws {
        defer { try? FileManager.default.removeItem(at: spool.url) }
        try spool.finish()
        let sha256Hasher = Hasher(.sha256)
        let sha512Hasher = Hasher(.sha512)
        try spool.readBlocks { block in
            block.withUnsafeBytes {
                sha256Hasher.update($0)
                sha512Hasher.update($0)
            }
        }
        guard let sha256 = PackedSHA256(hex: sha256Hasher.finalizeHex()), let sha512 = PackedSHA512(hex: sha512Hasher.finalizeHex()) else {
            preconditionFailure("SHA-256 and SHA-512 give 64 and 128 hex digits")
        }
        if let first = try index.record(content: sha256) {
            try link(path, to: first)
            return
        }
        let payloadPath = try prepare(path)
        try writer.beginFile(entryName(payloadPath), size: spool.size, modificationTime: modificationTime)
        try spool.readBlocks { try writer.writeData($0) }
        let record = ContentRecord(payloadPath: payloadPath, size: Int(spool.size), sha256: sha256, sha512: sha512)
        try addManifestLines(payloadPath, record)
        try index.add(record)
    }

    private func write(_ path: String, bytes: [UInt8], sha256: PackedSHA256, sha512: PackedSHA512? = nil) throws -> ContentRecord {
        let payloadPath = try prepare(path)
        try writer.addFile(entryName(payloadPath), bytes: bytes, modificationTime: modificationTime)
        let sha512 = sha512 ?? PackedSHA512(.sha512, of: bytes)
        let content = ContentRecord(payloadPath: payloadPath, size: bytes.count, sha256: sha256, sha512: sha512)
        try addManifestLines(payloadPath, content)
        return content
    }

    private func link(_ path: String, to first: ContentRecord) throws {
        let payloadPath = try prepare(path)
        try writer.addHardLink(entryName(payloadPath), target: entryName(first.payloadPath), modificationTime: modificationTime)
        linkCount += 1
        try addManifestLines(payloadPath, first)
    }

    /// Returns the archive entry name of `payloadPath`: the bag folder, `/` and the path.
    private func entryName(_ payloadPath: String) -> [UInt8] {
        var name: [UInt8] = []
        name.reserveCapacity(rootPrefix.count + payloadPath.utf8.count)
        name += rootPrefix
        name += payloadPath.utf8
        return name
    }

    private func addManifestLines(_ payloadPath: String, _ content: ContentRecord) throws {
        fileCount += 1
        byteCount += Int64(content.size)
        let listed = BagLayout.manifestPath(payloadPath)
        try sha256Manifest.append(digest: content.sha256, listedPath: listed)
        try sha512Manifest.append(digest: content.sha512, listedPath: listed)
    }

    /// Returns whether the folder part of `path` is `folder`, comparing bytes in place, because
    /// the string views' generic scans took a twentieth of the main thread's payload time.
    private static func isFile(_ path: String, directlyIn folder: String) -> Bool {
        let compared = path.utf8.withContiguousStorageIfAvailable { pathBytes in
            folder.utf8.withContiguousStorageIfAvailable { folderBytes in
                guard let slash = pathBytes.lastIndex(of: UInt8(ascii: "/")), slash == folderBytes.count else { return false }
                return slash == 0 || memcmp(pathBytes.baseAddress!, folderBytes.baseAddress!, slash) == 0
            }
        }
        if let compared, let compared {
            return compared
        }
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return false }
        return path.utf8[..<slash].elementsEqual(folder.utf8)
    }

    private static let payloadPrefix = "\(BagLayout.payloadFolder)/"

    /// Checks the bundle order and writes the directory entries `path` needs; returns the
    /// path relative to the bag.
    ///
    /// In bundle order every path under a folder comes between the folder and the next path
    /// outside it, so a folder of `path` was written exactly when it is also a folder of the
    /// previous path.
    private func prepare(_ path: String) throws -> String {
        if let previousPath {
            precondition(BagLayout.precedes(previousPath, path), "payload out of order: \(path) after \(previousPath)")
        }
        previousPath = path
        let payloadPath = Self.payloadPrefix + path
        // Most files share their folder with the file before, whose folders are all written.
        if let folder = openDirectories.last, Self.isFile(payloadPath, directlyIn: folder) {
            return payloadPath
        }
        var folders: [String] = []
        var folder = ""
        for component in payloadPath.split(separator: "/").dropLast() {
            folder += folder.isEmpty ? String(component) : "/\(component)"
            folders.append(folder)
        }
        let shared = zip(folders, openDirectories).prefix { $0 == $1 }.count
        for newFolder in folders[shared...] {
            try writer.addDirectory("\(root)/\(newFolder)", modificationTime: modificationTime)
        }
        openDirectories = folders
        return payloadPath
    }
}

/// A payload file's bytes with their SHA-256 and SHA-512, the digests of both manifests.
struct HashedBytes: Sendable {
    let bytes: [UInt8]
    let sha256: PackedSHA256
    let sha512: PackedSHA512

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        sha256 = PackedSHA256(.sha256, of: bytes)
        sha512 = PackedSHA512(.sha512, of: bytes)
    }
}

/// A payload manifest written line by line to a spool file, hashed on the way, so a bundle
/// of any size needs no manifest in memory.
final class ManifestSpool {
    let fileName: String
    let file: SpoolFile
    private let hasher = Hasher(.sha256)

    /// Creates an empty spool file in `folder`, for the manifest named `fileName`.
    init(fileName: String, folder: URL) throws {
        self.fileName = fileName
        file = try SpoolFile(url: folder.appendingPathComponent(fileName), hasher: hasher)
    }

    /// Appends `<digest>  <path>`, the line format of `sha256sum` and BagIt manifests.
    /// `listedPath` is the path as `BagLayout.manifestPath` encodes it.
    func append<Words>(digest: PackedDigest<Words>, listedPath: String) throws {
        try file.append { line in
            digest.appendHex(to: &line)
            line.append(UInt8(ascii: " "))
            line.append(UInt8(ascii: " "))
            line += listedPath.utf8
            line.append(UInt8(ascii: "\n"))
        }
    }

    /// Closes the spool and returns the SHA-256 of its contents.
    func finish() throws -> String {
        try file.finish()
        return hasher.finalizeHex()
    }
}
