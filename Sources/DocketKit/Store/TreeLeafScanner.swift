import Foundation

/// A reader of tree leaves straight from their canonical bytes, with no `JSONValue` per entry.
///
/// It accepts only the form Docket writes, `{"entries":[{"app":…,"digest":…,"key":…,"name":…,
/// "parent":…},…]}` with unescaped string members. For anything else (a bucketed kind tree, an
/// escape, a malformed leaf) it returns nil, and the caller parses the object as JSON.
struct TreeLeafScanner {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    /// Returns the entries of the leaf in `bytes` in their stored order, or nil when the bytes
    /// are not a leaf in Docket's plain canonical form.
    static func entries(kind: String, bytes: [UInt8]) -> [ResourceEntry]? {
        bytes.withUnsafeBufferPointer { buffer in
            var scanner = TreeLeafScanner(bytes: buffer)
            return scanner.scanLeaf(kind: kind)
        }
    }

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    private mutating func scanLeaf(kind: String) -> [ResourceEntry]? {
        guard skip(#"{"entries":["#) else { return nil }
        var entries: [ResourceEntry] = []
        if skip("]") {
            return skip("}") && index == bytes.count ? entries : nil
        }
        while true {
            guard let entry = scanEntry(kind: kind) else { return nil }
            entries.append(entry)
            if skip(",") { continue }
            guard skip("]}"), index == bytes.count else { return nil }
            return entries
        }
    }

    /// Reads one entry object: the three required members and the two optional ones, in the
    /// canonical order (`app`, `digest`, `key`, `name`, `parent`), names matched as bytes.
    private mutating func scanEntry(kind: String) -> ResourceEntry? {
        guard skip("{") else { return nil }
        var appKey: String?
        if skip(#""app":"#) {
            guard let value = scanString(), skip(",") else { return nil }
            appKey = value
        }
        guard skip(#""digest":"#), let digest = scanString(), skip(#","key":"#), let key = scanString(),
            skip(#","name":"#), let name = scanString()
        else { return nil }
        var parentKey: String?
        if skip(#","parent":"#) {
            guard let value = scanString() else { return nil }
            parentKey = value
        }
        guard skip("}") else { return nil }
        return ResourceEntry(kind: kind, key: key, name: name, parentKey: parentKey, appKey: appKey, digest: digest)
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

    /// Moves past `text` when the bytes at the current position spell it.
    private mutating func skip(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        let matches = text.withUTF8Buffer { expected in
            (0..<count).allSatisfy { bytes[index + $0] == expected[$0] }
        }
        if matches { index += count }
        return matches
    }
}

extension TreeLeafScanner {
    /// Returns the entries of two leaves of one place, `old` and `new`, leaving out each entry
    /// whose bytes are the same in both, so that only entries that differ become values. Both
    /// lists stay sorted by key. Returns nil when either leaf is not in Docket's plain
    /// canonical form, or has a key outside ASCII, whose byte order may differ from the order
    /// of Swift strings that the leaves are sorted in.
    static func differingEntries(kind: String, old: [UInt8], new: [UInt8]) -> (old: [ResourceEntry], new: [ResourceEntry])? {
        old.withUnsafeBufferPointer { oldBytes in
            new.withUnsafeBufferPointer { newBytes in
                var oldScanner = TreeLeafScanner(bytes: oldBytes)
                var newScanner = TreeLeafScanner(bytes: newBytes)
                guard let oldSpans = oldScanner.scanSpans(), let newSpans = newScanner.scanSpans() else { return nil }
                var oldEntries: [ResourceEntry] = []
                var newEntries: [ResourceEntry] = []
                var oldIndex = 0
                var newIndex = 0
                while oldIndex < oldSpans.count || newIndex < newSpans.count {
                    let order: Int
                    if oldIndex == oldSpans.count {
                        order = 1
                    } else if newIndex == newSpans.count {
                        order = -1
                    } else {
                        order = compare(oldBytes, oldSpans[oldIndex].key, newBytes, newSpans[newIndex].key)
                    }
                    if order == 0 && oldBytes[oldSpans[oldIndex].entry].elementsEqual(newBytes[newSpans[newIndex].entry]) {
                        oldIndex += 1
                        newIndex += 1
                        continue
                    }
                    if order <= 0 {
                        guard let entry = oldScanner.entry(kind: kind, at: oldSpans[oldIndex].entry) else { return nil }
                        oldEntries.append(entry)
                        oldIndex += 1
                    }
                    if order >= 0 {
                        guard let entry = newScanner.entry(kind: kind, at: newSpans[newIndex].entry) else { return nil }
                        newEntries.append(entry)
                        newIndex += 1
                    }
                }
                return (oldEntries, newEntries)
            }
        }
    }

    /// The bytes of one entry and of its key's text.
    private struct Span {
        var entry: Range<Int>
        var key: Range<Int>
    }

    /// Finds where each entry and its key lie, checking the layout `scanEntry` reads, without
    /// making strings. Returns nil when the leaf has another form, or when its keys are not
    /// ASCII in strictly increasing byte order.
    private mutating func scanSpans() -> [Span]? {
        guard skip(#"{"entries":["#) else { return nil }
        var spans: [Span] = []
        if skip("]") {
            return skip("}") && index == bytes.count ? spans : nil
        }
        while true {
            let start = index
            guard skip("{") else { return nil }
            if skip(#""app":"#) {
                guard skipString(), skip(",") else { return nil }
            }
            guard skip(#""digest":"#), skipString(), skip(#","key":"#) else { return nil }
            let keyStart = index + 1
            guard skipString() else { return nil }
            let key = keyStart..<(index - 1)
            guard skip(#","name":"#), skipString() else { return nil }
            if skip(#","parent":"#) {
                guard skipString() else { return nil }
            }
            guard skip("}"), bytes[key].allSatisfy({ $0 < 0x80 }) else { return nil }
            if let last = spans.last, Self.compare(bytes, last.key, bytes, key) >= 0 { return nil }
            spans.append(Span(entry: start..<index, key: key))
            if skip(",") { continue }
            guard skip("]}"), index == bytes.count else { return nil }
            return spans
        }
    }

    /// Moves past a string with no escape and no control character, quotes included.
    private mutating func skipString() -> Bool {
        guard skip("\"") else { return false }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return true
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { return false }
            index += 1
        }
        return false
    }

    /// Reads the entry at `range` with `scanEntry`.
    private mutating func entry(kind: String, at range: Range<Int>) -> ResourceEntry? {
        index = range.lowerBound
        guard let entry = scanEntry(kind: kind), index == range.upperBound else { return nil }
        return entry
    }

    /// Compares two byte ranges lexicographically: negative, zero or positive.
    private static func compare(
        _ left: UnsafeBufferPointer<UInt8>, _ leftRange: Range<Int>, _ right: UnsafeBufferPointer<UInt8>, _ rightRange: Range<Int>
    ) -> Int {
        let count = min(leftRange.count, rightRange.count)
        let order = memcmp(left.baseAddress! + leftRange.lowerBound, right.baseAddress! + rightRange.lowerBound, count)
        if order != 0 { return Int(order) }
        return leftRange.count - rightRange.count
    }
}
