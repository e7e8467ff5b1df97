/// The files a scan found, stored compactly so that a bag of a million files costs tens of
/// megabytes rather than a gigabyte: each path's UTF-8 bytes sit in one shared buffer, the
/// index maps a 64-bit hash of the path to its entry, and each distinct file's digests are raw
/// bytes in another shared buffer. Hard links and symbolic links share their target's content
/// record, so identical files cost one record.
///
/// Lookups compare paths as Swift compares strings, by canonical equivalence: a manifest that
/// spells a name in another Unicode normalization form still finds the file, and
/// `storedPathDiffers(_:from:)` tells the checks to warn about it.
final class FileTable {
    /// The algorithms whose digests each content record holds, in this order.
    let algorithms: [DigestAlgorithm]
    private let digestStride: Int
    private var digestOffsets: [DigestAlgorithm: Int] = [:]

    private struct Entry {
        var pathStart: Int
        var pathLength: Int32
        var content: Int32
        /// The ordinal of the last manifest that listed the entry, or -1.
        var listedIn: Int32 = -1
        var isPayload: Bool
        /// Set by the Docket checks when a snapshot's resources.json lists the entry.
        var isIndexed = false
    }

    private var entries: [Entry] = []
    private var pathBytes: [UInt8] = []
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
            digestOffsets[algorithm] = offset
            offset += algorithm.digestLength
        }
        digestStride = offset
    }

    var count: Int { entries.count }

    // MARK: - Building

    /// Adds one distinct file's size and digests (lowercase hex, in `algorithms` order) and
    /// returns its record number.
    func addContent(size: Int64, hexDigests: [String], canonicalHex: String?) -> Int32 {
        for hex in hexDigests {
            Self.appendBytes(ofHex: hex, to: &digests)
        }
        if let canonicalHex, canonicalHex.utf8.count == 64 {
            Self.appendBytes(ofHex: canonicalHex, to: &canonicalDigests)
            hasCanonical.append(true)
        } else {
            canonicalDigests.append(contentsOf: repeatElement(0, count: 32))
            hasCanonical.append(false)
        }
        sizes.append(size)
        return Int32(sizes.count - 1)
    }

    /// Adds `path` for a content record; the caller has checked that the path is new.
    func insert(_ path: String, content: Int32) {
        let id = Int32(entries.count)
        let start = pathBytes.count
        pathBytes.append(contentsOf: path.utf8)
        let isPayload = path.utf8.starts(with: "data/".utf8)
        entries.append(Entry(pathStart: start, pathLength: Int32(path.utf8.count), content: content, isPayload: isPayload))
        if isPayload {
            payloadCount += 1
        } else {
            tagPaths.append(path)
        }
        let key = Self.key(path)
        if index[key] == nil {
            index[key] = id
        } else {
            collisions[path] = id
        }
    }

    // MARK: - Lookups

    /// The entry stored under `path`, compared by canonical equivalence.
    func entry(_ path: String) -> Int32? {
        if let id = index[Self.key(path)], matches(id, path) {
            return id
        }
        return collisions.isEmpty ? nil : collisions[path]
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

    /// The path exactly as the archive spells it.
    func path(ofEntry id: Int32) -> String {
        let entry = entries[Int(id)]
        return String(decoding: pathBytes[entry.pathStart..<entry.pathStart + Int(entry.pathLength)], as: UTF8.self)
    }

    /// True when the archive spells the entry's name in other bytes than `path`, that is in
    /// another Unicode normalization form.
    func storedPathDiffers(_ id: Int32, from path: String) -> Bool {
        !storedBytes(id).elementsEqual(path.utf8)
    }

    func isPayload(_ id: Int32) -> Bool {
        entries[Int(id)].isPayload
    }

    func size(ofContent content: Int32) -> Int64 {
        sizes[Int(content)]
    }

    func digestHex(ofContent content: Int32, _ algorithm: DigestAlgorithm) -> String? {
        guard let offset = digestOffsets[algorithm] else { return nil }
        let start = Int(content) * digestStride + offset
        return hexString(digests[start..<start + algorithm.digestLength])
    }

    /// True when `hex` is the content's digest in `algorithm`, in lowercase hex.
    func digest(ofContent content: Int32, _ algorithm: DigestAlgorithm, equals hex: String) -> Bool {
        guard let offset = digestOffsets[algorithm] else { return false }
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

    /// Calls `body` with every entry in archive order.
    func forEachEntry(_ body: (Int32) -> Void) {
        for id in entries.indices {
            body(Int32(id))
        }
    }

    /// Calls `body` with each payload entry and the UTF-8 bytes of its path, without making a
    /// string of every path.
    func forEachPayloadEntry(_ body: (Int32, ArraySlice<UInt8>) -> Void) {
        for (id, entry) in entries.enumerated() where entry.isPayload {
            body(Int32(id), pathBytes[entry.pathStart..<entry.pathStart + Int(entry.pathLength)])
        }
    }

    func storedBytes(_ id: Int32) -> ArraySlice<UInt8> {
        let entry = entries[Int(id)]
        return pathBytes[entry.pathStart..<entry.pathStart + Int(entry.pathLength)]
    }

    // MARK: - Marks the checks set

    /// The ordinal of the last manifest that listed the entry, or -1.
    func listedIn(_ id: Int32) -> Int32 {
        entries[Int(id)].listedIn
    }

    func markListed(_ id: Int32, by manifest: Int32) {
        entries[Int(id)].listedIn = manifest
    }

    func isIndexed(_ id: Int32) -> Bool {
        entries[Int(id)].isIndexed
    }

    func markIndexed(_ id: Int32) {
        entries[Int(id)].isIndexed = true
    }

    // MARK: - Helpers

    private func matches(_ id: Int32, _ path: String) -> Bool {
        let stored = storedBytes(id)
        if stored.elementsEqual(path.utf8) { return true }
        // Same hash, other bytes: another normalization form of the name, or a collision.
        return String(decoding: stored, as: UTF8.self) == path
    }

    /// A hash of the path that canonically equivalent spellings share, as Swift hashes strings.
    private static func key(_ path: String) -> UInt64 {
        var hasher = Swift.Hasher()
        hasher.combine(path)
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }

    private static func appendBytes(ofHex hex: String, to output: inout [UInt8]) {
        var high: UInt8?
        for digit in hex.utf8 {
            let value = nibble(digit) ?? 0
            if let first = high {
                output.append(first << 4 | value)
                high = nil
            } else {
                high = value
            }
        }
    }

    /// Compares lowercase hex text with bytes, allocating nothing.
    static func hex(_ text: String, equals bytes: ArraySlice<UInt8>) -> Bool {
        guard text.utf8.count == bytes.count * 2 else { return false }
        var index = bytes.startIndex
        var high: UInt8?
        for digit in text.utf8 {
            guard let value = nibble(digit) else { return false }
            if let first = high {
                if bytes[index] != first << 4 | value { return false }
                index += 1
                high = nil
            } else {
                high = value
            }
        }
        return true
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case 0x30...0x39: return digit - 0x30
        case 0x61...0x66: return digit - 0x61 + 10
        default: return nil
        }
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
