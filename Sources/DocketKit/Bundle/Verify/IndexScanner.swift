import Foundation

/// A reader of a snapshot's `resources.json` straight from its bytes, with no `JSONValue` per
/// resource.
///
/// It accepts a subset of JSON that the full parser reads the same way. The text is one object
/// whose members come in strictly increasing byte order, so none repeats. `kinds` is an array
/// of strings, `resources` an array of objects whose members are strings in the same order,
/// and any other member is a string. No string has an escape or a control character, and
/// whitespace may stand between any two tokens. Docket's own indexes are all in this form.
/// For anything else it returns nil, and the caller parses the bytes as JSON. A 90-day bundle of the benchmark's
/// small account has 216 MB of indexes, and parsing them into values took a fifth of `docket
/// verify`'s CPU time (perf, both threads).
///
/// Consecutive snapshots list mostly the same resources, byte for byte. Given the reading of
/// the index before, a resource object whose bytes equal an object of that index takes its
/// fields from there, and the reading records where each came from (`origins`).
struct IndexScanner {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    /// The index read before, as bytes, with its objects and their fields.
    private let previous: (reading: Reading, bytes: UnsafeBufferPointer<UInt8>)?
    /// How far the previous index's resources are ahead of this one's (resources added minus
    /// resources removed so far), so the next match is looked for where the last one was.
    private var shift = 0
    private var objects: [Range<Int>] = []
    private var origins: [Int?] = []
    /// The previous index's objects by a hash of their bytes, built at the first object not
    /// found near its place.
    private var previousByHash: [Int: Int]?

    /// The members of an index that verify reads.
    struct Contents: Equatable {
        var kinds: [String] = []
        var resources: [IndexedResource] = []
    }

    /// An index read in full, kept for reading the next.
    struct Reading {
        let contents: Contents
        let bytes: [UInt8]
        /// The byte range of each resource's object in `bytes`.
        let objects: [Range<Int>]
        /// For each resource, the position in the previous reading of the resource whose
        /// object had the same bytes, or nil when none had.
        let origins: [Int?]
    }

    /// Returns the kinds and resources of the index in `bytes`, or nil when the bytes are not
    /// in the subset this scanner reads.
    static func contents(of bytes: [UInt8]) -> Contents? {
        read(bytes, after: nil)?.contents
    }

    /// Reads the index in `bytes` as `contents(of:)` does, reusing the fields of `previous`'s
    /// objects that recur with the same bytes. Returns nil when the bytes are not in the
    /// subset this scanner reads.
    static func read(_ bytes: [UInt8], after previous: Reading?) -> Reading? {
        func scan(_ previousBytes: UnsafeBufferPointer<UInt8>?) -> Reading? {
            bytes.withUnsafeBufferPointer { buffer in
                var scanner = IndexScanner(bytes: buffer, previous: previous.flatMap { reading in previousBytes.map { (reading, $0) } })
                guard let contents = scanner.scanIndex() else { return nil }
                return Reading(contents: contents, bytes: bytes, objects: scanner.objects, origins: scanner.origins)
            }
        }
        guard let previous else { return scan(nil) }
        return previous.bytes.withUnsafeBufferPointer { scan($0) }
    }

    private init(bytes: UnsafeBufferPointer<UInt8>, previous: (reading: Reading, bytes: UnsafeBufferPointer<UInt8>)?) {
        self.bytes = bytes
        self.previous = previous
    }

    private mutating func scanIndex() -> Contents? {
        var contents = Contents()
        guard skip("{") else { return nil }
        var previousName: String?
        if !skip("}") {
            while true {
                guard let name = scanString(), previousName.map({ Self.precedes($0, name) }) ?? true, skip(":") else {
                    return nil
                }
                previousName = name
                switch name {
                case "kinds":
                    guard let kinds = scanArray({ $0.scanString() }) else { return nil }
                    contents.kinds = kinds
                case "resources":
                    guard let resources = scanArray({ $0.scanRecordedResource() }) else { return nil }
                    contents.resources = resources
                default:
                    guard scanString() != nil else { return nil }
                }
                if skip(",") { continue }
                guard skip("}") else { return nil }
                break
            }
        }
        skipWhitespace()
        return index == bytes.count ? contents : nil
    }

    /// Reads an array whose elements `scanElement` reads, and returns nil when it cannot read one.
    private mutating func scanArray<Element>(_ scanElement: (inout IndexScanner) -> Element?) -> [Element]? {
        guard skip("[") else { return nil }
        var elements: [Element] = []
        if skip("]") { return elements }
        while true {
            guard let element = scanElement(&self) else { return nil }
            elements.append(element)
            if skip(",") { continue }
            return skip("]") ? elements : nil
        }
    }

    /// Reads one resource object, from the previous index when an object there has the same
    /// bytes, and records where it lies and where it came from.
    private mutating func scanRecordedResource() -> IndexedResource? {
        skipWhitespace()
        let start = index
        let position = objects.count
        if let previous, let end = objectEnd(from: start), let origin = match(start..<end, at: position, in: previous) {
            index = end
            objects.append(start..<end)
            origins.append(origin)
            return previous.reading.contents.resources[origin]
        }
        guard let resource = scanResource() else { return nil }
        objects.append(start..<index)
        origins.append(nil)
        return resource
    }

    /// Returns the end of the object at `start`, skipping its strings without reading them.
    /// Returns nil at an escape, a control character or a nested object or array.
    private func objectEnd(from start: Int) -> Int? {
        guard start < bytes.count, bytes[start] == UInt8(ascii: "{") else { return nil }
        var position = start + 1
        var isInString = false
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            if isInString {
                if byte == UInt8(ascii: "\"") {
                    isInString = false
                } else if byte == UInt8(ascii: "\\") || byte < 0x20 {
                    return nil
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): isInString = true
            case UInt8(ascii: "}"): return position
            case UInt8(ascii: "{"), UInt8(ascii: "["): return nil
            default: break
            }
        }
        return nil
    }

    /// Finds the previous index's object with the same bytes as `range`, first near where the
    /// last match puts it and then by a hash of the bytes. Resources added or removed between
    /// two snapshots move the rest by as many places.
    private mutating func match(_ range: Range<Int>, at position: Int, in previous: (reading: Reading, bytes: UnsafeBufferPointer<UInt8>)) -> Int? {
        let objects = previous.reading.objects
        let start = bytes.baseAddress! + range.lowerBound
        func isSame(_ candidate: Int) -> Bool {
            candidate >= 0 && candidate < objects.count && objects[candidate].count == range.count
                && memcmp(start, previous.bytes.baseAddress! + objects[candidate].lowerBound, range.count) == 0
        }
        for offset in [0, 1, -1, 2, -2] where isSame(position + shift + offset) {
            shift += offset
            return position + shift
        }
        if previousByHash == nil {
            var byHash: [Int: Int] = [:]
            byHash.reserveCapacity(objects.count)
            for (place, object) in objects.enumerated().reversed() {
                byHash[Self.hash(UnsafeBufferPointer(rebasing: previous.bytes[object]))] = place
            }
            previousByHash = byHash
        }
        guard let candidate = previousByHash?[Self.hash(UnsafeBufferPointer(rebasing: bytes[range]))], isSame(candidate) else {
            return nil
        }
        shift = candidate - position
        return candidate
    }

    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var hasher = Swift.Hasher()
        hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
        return hasher.finalize()
    }

    /// Reads one resource object whose members are all strings, keeping those
    /// `IndexedResource` reads.
    private mutating func scanResource() -> IndexedResource? {
        guard skip("{") else { return nil }
        var resource = IndexedResource()
        if skip("}") { return resource }
        var previousName: String?
        while true {
            guard let name = scanString(), previousName.map({ Self.precedes($0, name) }) ?? true, skip(":"),
                let value = scanString()
            else { return nil }
            previousName = name
            resource.set(name, to: value)
            if skip(",") { continue }
            return skip("}") ? resource : nil
        }
    }

    /// True when `first` sorts before `second` byte by byte, as canonical JSON orders members.
    private static func precedes(_ first: String, _ second: String) -> Bool {
        first.utf8.lexicographicallyPrecedes(second.utf8)
    }

    /// Reads a string with no escape and no control character. Returns nil for any other string
    /// and for bytes that are not UTF-8.
    private mutating func scanString() -> String? {
        guard skip("\""), let plain = JSONParser.unescapedString(in: bytes, from: index), let text = plain.text else {
            return nil
        }
        index = plain.end + 1
        return text
    }

    /// Moves past whitespace, then past `byte` when it comes next.
    private mutating func skip(_ byte: Unicode.Scalar) -> Bool {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: byte) else { return false }
        index += 1
        return true
    }

    /// Moves past the four whitespace bytes JSON allows between tokens.
    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }
}
