import Foundation

/// The files a scan found, stored compactly rather than as a string and a dictionary entry
/// each. A path is its folder's number and its name's UTF-8 bytes, kept in blocks of 1 MiB
/// that never move, so growing copies nothing. Entries that share a name share its bytes,
/// as every snapshot folder repeats the same names. The index maps a 64-bit hash of the path
/// to its entry, and each distinct file's digests are raw bytes in one shared buffer. Hard
/// links and symbolic links share their target's content record.
///
/// Lookups compare paths as Swift compares strings, by canonical equivalence: a manifest that
/// spells a name in another Unicode normalization form still finds the file, and
/// `storedPathDiffers(_:from:)` tells the checks to warn about it.
final class FileTable {
    /// The algorithms whose digests each content record holds, in this order.
    let algorithms: [DigestAlgorithm]
    private let digestStride: Int
    /// Each algorithm's offset in a content record's digests, in `algorithms` order.
    private var digestOffsets: [Int] = []

    private struct Entry {
        var folder: Int32
        var nameBlock: Int32
        var nameStart: Int32
        var nameLength: Int32
        var content: Int32
        var isPayload: Bool
    }

    private var entries: [Entry] = []
    /// The ordinal of the last manifest that listed each entry, or -1. The BagIt checks set it
    /// while the Docket checks may set `indexMarks` on another thread, so each has its array.
    private var listings: [Int32] = []
    /// Whether a snapshot's resources.json lists each entry, set by the Docket checks.
    private var indexMarks: [Bool] = []
    private static let blockSize = 1 << 20
    private var nameBlocks: [[UInt8]] = []
    /// The first entry stored with each name, by the hash of the name's bytes.
    private var nameOwners: [Int: Int32] = [:]
    /// Folder paths as stored (the empty string for the bag's top), numbered by first use.
    private(set) var folders: [String] = []
    private var folderNumbers: [[UInt8]: Int32] = [:]
    private var lastFolder: (bytes: [UInt8], number: Int32)?
    private var index: [UInt64: Int32] = [:]
    /// Paths whose hash another, different path already took; almost always empty.
    private var collisions: [String: Int32] = [:]

    private var sizes: [Int64] = []
    private var digests: [UInt8] = []
    /// SHA-256 of the canonical JSON, 32 bytes per content record; all zero where absent.
    private var canonicalDigests: [UInt8] = []
    private var hasCanonical: [Bool] = []

    /// Entries outside `data/`: the tag files, kept as strings since a bag has few.
    private(set) var tagPaths: [String] = []
    private(set) var payloadCount = 0

    init(algorithms: [DigestAlgorithm]) {
        self.algorithms = algorithms
        var offset = 0
        for algorithm in algorithms {
            digestOffsets.append(offset)
            offset += algorithm.digestLength
        }
        digestStride = offset
    }

    var count: Int { entries.count }

    // MARK: - Building

    /// Adds one distinct file's size and digests (lowercase hex, in `algorithms` order) and
    /// returns its record number.
    func addContent(size: Int64, hexDigests: [String], canonicalHex: String?) -> Int32 {
        let content = addPendingContent(size: size)
        setDigests(of: content, hexDigests: hexDigests, canonicalHex: canonicalHex)
        return content
    }

    /// Adds one distinct file whose digests are not known yet, and returns its record number.
    /// `setDigests` records them when another thread has computed them.
    func addPendingContent(size: Int64) -> Int32 {
        digests.append(contentsOf: repeatElement(0, count: digestStride))
        canonicalDigests.append(contentsOf: repeatElement(0, count: 32))
        hasCanonical.append(false)
        sizes.append(size)
        return Int32(sizes.count - 1)
    }

    /// Records the digests of a record `addPendingContent` made, as `addContent` takes them.
    func setDigests(of content: Int32, hexDigests: [String], canonicalHex: String?) {
        var computed: [UInt8] = []
        for hex in hexDigests {
            Self.appendBytes(ofHex: hex, to: &computed)
        }
        precondition(computed.count == digestStride, "the digests do not match the table's algorithms")
        let start = Int(content) * digestStride
        digests.replaceSubrange(start..<start + digestStride, with: computed)
        if let canonicalHex, canonicalHex.utf8.count == 64 {
            var canonical: [UInt8] = []
            Self.appendBytes(ofHex: canonicalHex, to: &canonical)
            canonicalDigests.replaceSubrange(Int(content) * 32..<Int(content) * 32 + 32, with: canonical)
            hasCanonical[Int(content)] = true
        }
    }

    /// Adds `path` for a content record; the caller has checked that the path is new.
    func insert(_ path: String, content: Int32) {
        insert(path, key: PathKey(path), content: content)
    }

    /// Adds `path`, whose key the caller computed, for a content record.
    func insert(_ path: String, key: PathKey, content: Int32) {
        let id = Int32(entries.count)
        var path = path
        let isPayload = path.withUTF8 { utf8 in
            let slash = utf8.lastIndex(of: UInt8(ascii: "/"))
            let folder = folderNumber(slash.map { UnsafeBufferPointer(rebasing: utf8[..<$0]) } ?? UnsafeBufferPointer(rebasing: utf8[0..<0]))
            let name = slash.map { UnsafeBufferPointer(rebasing: utf8[($0 + 1)...]) } ?? utf8
            let (block, start) = storeName(name)
            let isPayload = utf8.starts(with: "data/".utf8)
            entries.append(
                Entry(folder: folder, nameBlock: block, nameStart: start, nameLength: Int32(name.count), content: content, isPayload: isPayload))
            return isPayload
        }
        listings.append(-1)
        indexMarks.append(false)
        if isPayload {
            payloadCount += 1
        } else {
            tagPaths.append(path)
        }
        if index[key.value] == nil {
            index[key.value] = id
        } else {
            collisions[path] = id
        }
    }

    /// Returns where `name`'s bytes are kept, storing them unless an earlier entry has the
    /// same name. Snapshot folders repeat the same file names, so a bag of many snapshots
    /// keeps each name about once.
    private func storeName(_ name: UnsafeBufferPointer<UInt8>) -> (block: Int32, start: Int32) {
        var hasher = Swift.Hasher()
        hasher.combine(bytes: UnsafeRawBufferPointer(name))
        let hash = hasher.finalize()
        if let owner = nameOwners[hash], self.name(ofEntry: owner).elementsEqual(name) {
            let entry = entries[Int(owner)]
            return (entry.nameBlock, entry.nameStart)
        }
        if nameBlocks.isEmpty || nameBlocks[nameBlocks.count - 1].count + name.count > Self.blockSize {
            var block: [UInt8] = []
            block.reserveCapacity(max(Self.blockSize, name.count))
            nameBlocks.append(block)
        }
        let block = nameBlocks.count - 1
        let start = nameBlocks[block].count
        nameBlocks[block].append(contentsOf: name)
        // A name whose hash another name already took is stored again, which is rare and
        // still correct.
        if nameOwners[hash] == nil {
            nameOwners[hash] = Int32(entries.count)
        }
        return (Int32(block), Int32(start))
    }

    private func folderNumber(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        if let lastFolder, lastFolder.bytes.elementsEqual(bytes) { return lastFolder.number }
        let folderBytes = Array(bytes)
        let number: Int32
        if let known = folderNumbers[folderBytes] {
            number = known
        } else {
            number = Int32(folders.count)
            folders.append(String(decoding: folderBytes, as: UTF8.self))
            folderNumbers[folderBytes] = number
        }
        lastFolder = (folderBytes, number)
        return number
    }

    // MARK: - Lookups

    /// Finds the entry stored under `path`, compared by canonical equivalence.
    func entry(_ path: String) -> Int32? {
        entry(path, key: PathKey(path))
    }

    /// Finds the entry stored under `path`, whose key the caller computed.
    func entry(_ path: String, key: PathKey) -> Int32? {
        match(path, key: key)?.id
    }

    /// Finds the entry stored under `path`, compared by canonical equivalence, and reports
    /// whether the archive spells it in the same bytes. That is the negation of
    /// `storedPathDiffers`, found without comparing twice.
    func match(_ path: String, key: PathKey) -> (id: Int32, isSameSpelling: Bool)? {
        if let id = index[key.value] {
            if storedPath(id, equals: path) { return (id, true) }
            // Same hash, other bytes: another normalization form of the name, or a collision.
            if self.path(ofEntry: id) == path { return (id, false) }
        }
        guard !collisions.isEmpty, let id = collisions[path] else { return nil }
        return (id, storedPath(id, equals: path))
    }

    func contains(_ path: String) -> Bool {
        entry(path) != nil
    }

    func content(of path: String) -> Int32? {
        entry(path).map { entries[Int($0)].content }
    }

    func content(ofEntry id: Int32) -> Int32 {
        entries[Int(id)].content
    }

    /// Returns the path exactly as the archive spells it.
    func path(ofEntry id: Int32) -> String {
        let folder = folders[Int(entries[Int(id)].folder)]
        let name = String(decoding: name(ofEntry: id), as: UTF8.self)
        return folder.isEmpty ? name : "\(folder)/\(name)"
    }

    /// Returns the UTF-8 bytes of the entry's last path component.
    func name(ofEntry id: Int32) -> ArraySlice<UInt8> {
        let entry = entries[Int(id)]
        return nameBlocks[Int(entry.nameBlock)][Int(entry.nameStart)..<Int(entry.nameStart + entry.nameLength)]
    }

    /// Returns the folder the entry is in, as stored, or an empty string at the bag's top.
    func folder(ofEntry id: Int32) -> String {
        folders[Int(entries[Int(id)].folder)]
    }

    /// True when the archive spells the entry's name in other bytes than `path`, that is in
    /// another Unicode normalization form.
    func storedPathDiffers(_ id: Int32, from path: String) -> Bool {
        !storedPath(id, equals: path)
    }

    /// Compares the stored path's bytes with `path`'s, allocating nothing for native strings.
    private func storedPath(_ id: Int32, equals path: String) -> Bool {
        let entry = entries[Int(id)]
        var folder = folders[Int(entry.folder)]
        let nameLength = Int(entry.nameLength)
        let folderCount = folder.utf8.count
        let expected = folderCount == 0 ? nameLength : folderCount + 1 + nameLength
        guard path.utf8.count == expected else { return false }
        guard expected > 0 else { return true }
        var path = path
        return path.withUTF8 { bytes in
            let isSameName = nameLength == 0 || nameBlocks[Int(entry.nameBlock)].withUnsafeBufferPointer { block in
                memcmp(block.baseAddress! + Int(entry.nameStart), bytes.baseAddress! + (expected - nameLength), nameLength) == 0
            }
            guard isSameName else { return false }
            guard folderCount > 0 else { return true }
            guard bytes[folderCount] == UInt8(ascii: "/") else { return false }
            return folder.withUTF8 { memcmp($0.baseAddress!, bytes.baseAddress!, folderCount) == 0 }
        }
    }

    func isPayload(_ id: Int32) -> Bool {
        entries[Int(id)].isPayload
    }

    func size(ofContent content: Int32) -> Int64 {
        sizes[Int(content)]
    }

    func digestHex(ofContent content: Int32, _ algorithm: DigestAlgorithm) -> String? {
        guard let offset = digestOffset(algorithm) else { return nil }
        let start = Int(content) * digestStride + offset
        return hexString(digests[start..<start + algorithm.digestLength])
    }

    /// True when `hex` is the content's digest in `algorithm`, in lowercase hex.
    func digest(ofContent content: Int32, _ algorithm: DigestAlgorithm, equals hex: String) -> Bool {
        guard let offset = digestOffset(algorithm) else { return false }
        let start = Int(content) * digestStride + offset
        return Self.hex(hex, equals: digests[start..<start + algorithm.digestLength])
    }

    /// True when `hex`, lowercase hex digits, is the content's digest in `algorithm`.
    func digest(ofContent content: Int32, _ algorithm: DigestAlgorithm, equalsHex hex: UnsafeRawBufferPointer) -> Bool {
        guard let offset = digestOffset(algorithm) else { return false }
        let start = Int(content) * digestStride + offset
        return Self.hex(hex, equals: digests[start..<start + algorithm.digestLength])
    }

    func canonicalHex(ofContent content: Int32) -> String? {
        guard hasCanonical[Int(content)] else { return nil }
        let start = Int(content) * 32
        return hexString(canonicalDigests[start..<start + 32])
    }

    func canonical(ofContent content: Int32, equals hex: String) -> Bool {
        let start = Int(content) * 32
        return hasCanonical[Int(content)] && Self.hex(hex, equals: canonicalDigests[start..<start + 32])
    }

    /// Returns where `algorithm`'s digest sits in a content record. A table has few
    /// algorithms, so a linear search is cheaper than hashing the enum.
    private func digestOffset(_ algorithm: DigestAlgorithm) -> Int? {
        algorithms.firstIndex(of: algorithm).map { digestOffsets[$0] }
    }

    /// Calls `body` with every entry in archive order.
    func forEachEntry(_ body: (Int32) -> Void) {
        for id in entries.indices {
            body(Int32(id))
        }
    }

    /// Calls `body` with each payload entry in archive order.
    func forEachPayloadEntry(_ body: (Int32) -> Void) {
        for (id, entry) in entries.enumerated() where entry.isPayload {
            body(Int32(id))
        }
    }

    // MARK: - Marks the checks set

    /// Returns the ordinal of the last manifest that listed the entry, or -1.
    func listedIn(_ id: Int32) -> Int32 {
        listings[Int(id)]
    }

    func markListed(_ id: Int32, by manifest: Int32) {
        listings[Int(id)] = manifest
    }

    func isIndexed(_ id: Int32) -> Bool {
        indexMarks[Int(id)]
    }

    func markIndexed(_ id: Int32) {
        indexMarks[Int(id)] = true
    }

    // MARK: - Helpers


    /// Appends the bytes of a digest this process computed, so always valid hex.
    private static func appendBytes(ofHex hex: String, to output: inout [UInt8]) {
        guard let raw = bytes(fromHex: hex) else {
            preconditionFailure("a computed digest is not hex: \(hex)")
        }
        output.append(contentsOf: raw)
    }

    /// Compares lowercase hex text with bytes, allocating nothing.
    static func hex(_ text: String, equals bytes: ArraySlice<UInt8>) -> Bool {
        var text = text
        return text.withUTF8 { hex(UnsafeRawBufferPointer($0), equals: bytes) }
    }

    /// Compares lowercase hex digits with bytes.
    static func hex(_ digits: UnsafeRawBufferPointer, equals bytes: ArraySlice<UInt8>) -> Bool {
        guard digits.count == bytes.count * 2 else { return false }
        var position = 0
        for byte in bytes {
            guard digits[position] == hexDigit(byte >> 4), digits[position + 1] == hexDigit(byte & 0x0F) else { return false }
            position += 2
        }
        return true
    }

    /// Returns the lowercase hex digit for a value from 0 to 15.
    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }
}

extension DigestAlgorithm {
    /// The digest's length in bytes.
    var digestLength: Int {
        switch self {
        case .md5: return 16
        case .sha1: return 20
        case .sha224: return 28
        case .sha256: return 32
        case .sha384: return 48
        case .sha512: return 64
        }
    }
}

/// A 64-bit hash of a path, as Swift hashes strings, so canonically equivalent spellings
/// share it. Equal paths have equal keys, but equal keys do not prove equal paths. Computing
/// it once per archive entry saves hashing the path again for each table or set it is
/// looked up in.
struct PathKey: Hashable {
    let value: UInt64

    init(_ path: String) {
        var hasher = Swift.Hasher()
        hasher.combine(path)
        value = UInt64(bitPattern: Int64(hasher.finalize()))
    }
}
