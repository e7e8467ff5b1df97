import Foundation

/// A reader of tree leaves straight from their canonical bytes, with no `JSONValue` per entry.
///
/// It accepts only the form Docket writes, `{"entries":[{"app":…,"digest":…,"key":…,"name":…,
/// "parent":…},…]}` with unescaped string members in that order. For anything else (a
/// bucketed kind tree, an escape, another order, a malformed leaf) it returns nil, and the
/// caller parses the object as JSON.
///
/// One pass finds where each entry and its member values lie without making strings. The
/// full read turns every entry into a value, and the read of two leaves only the entries
/// whose bytes differ.
struct TreeLeafScanner {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    /// The bytes of one entry and of its member values, quotes excluded.
    private struct Span {
        var entry: Range<Int>
        var app: Range<Int>?
        var digest: Range<Int>
        var key: Range<Int>
        var name: Range<Int>
        var parent: Range<Int>?
    }

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Returns the entries of the leaf in `bytes` in their stored order, or nil when the bytes
    /// are not a leaf in Docket's plain canonical form or a value is not UTF-8.
    static func entries(kind: String, bytes: [UInt8]) -> [ResourceEntry]? {
        bytes.withUnsafeBufferPointer { buffer in
            var scanner = TreeLeafScanner(bytes: buffer)
            guard let spans = scanner.scanLeaf() else { return nil }
            var entries: [ResourceEntry] = []
            entries.reserveCapacity(spans.count)
            for span in spans {
                guard let entry = scanner.entry(kind: kind, span) else { return nil }
                entries.append(entry)
            }
            return entries
        }
    }

    /// Returns the entries of two leaves of one place, `old` and `new`, leaving out each entry
    /// whose bytes are the same in both, so that only entries that differ become values. Both
    /// lists stay sorted by key. Returns nil when either leaf is not in Docket's plain
    /// canonical form, or has a key outside ASCII, whose byte order may differ from the order
    /// of Swift strings that the leaves are sorted in, or keys out of order.
    static func differingEntries(kind: String, old: [UInt8], new: [UInt8]) -> (old: [ResourceEntry], new: [ResourceEntry])? {
        old.withUnsafeBufferPointer { oldBytes in
            new.withUnsafeBufferPointer { newBytes in
                var oldScanner = TreeLeafScanner(bytes: oldBytes)
                var newScanner = TreeLeafScanner(bytes: newBytes)
                guard let oldSpans = oldScanner.scanLeaf(), oldScanner.hasIncreasingASCIIKeys(oldSpans),
                    let newSpans = newScanner.scanLeaf(), newScanner.hasIncreasingASCIIKeys(newSpans)
                else { return nil }

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
                    if order == 0 && compare(oldBytes, oldSpans[oldIndex].entry, newBytes, newSpans[newIndex].entry) == 0 {
                        oldIndex += 1
                        newIndex += 1
                        continue
                    }
                    if order <= 0 {
                        guard let entry = oldScanner.entry(kind: kind, oldSpans[oldIndex]) else { return nil }
                        oldEntries.append(entry)
                        oldIndex += 1
                    }
                    if order >= 0 {
                        guard let entry = newScanner.entry(kind: kind, newSpans[newIndex]) else { return nil }
                        newEntries.append(entry)
                        newIndex += 1
                    }
                }
                return (oldEntries, newEntries)
            }
        }
    }

    /// Finds where each entry and its member values lie: the three required members and the
    /// two optional ones in canonical order, names matched as bytes. Returns nil for any other
    /// form.
    private mutating func scanLeaf() -> [Span]? {
        guard skip(#"{"entries":["#) else { return nil }
        var spans: [Span] = []
        if skip("]") {
            return skip("}") && index == bytes.count ? spans : nil
        }
        while true {
            guard let span = scanEntry() else { return nil }
            spans.append(span)
            if skip(",") { continue }
            guard skip("]}"), index == bytes.count else { return nil }
            return spans
        }
    }

    private mutating func scanEntry() -> Span? {
        let start = index
        guard skip("{") else { return nil }
        var app: Range<Int>?
        if skip(#""app":"#) {
            guard let value = scanString(), skip(",") else { return nil }
            app = value
        }
        guard skip(#""digest":"#), let digest = scanString(), skip(#","key":"#), let key = scanString(),
            skip(#","name":"#), let name = scanString()
        else { return nil }
        var parent: Range<Int>?
        if skip(#","parent":"#) {
            guard let value = scanString() else { return nil }
            parent = value
        }
        guard skip("}") else { return nil }
        return Span(entry: start..<index, app: app, digest: digest, key: key, name: name, parent: parent)
    }

    /// Moves past a string with no escape and no control character, and returns the range of
    /// its text. Returns nil for any other string.
    private mutating func scanString() -> Range<Int>? {
        guard skip("\""), index < bytes.count, let base = bytes.baseAddress else { return nil }
        let start = index
        // memchr finds the closing quote many bytes at a time. The text before it is then
        // checked for an escape or a control character.
        guard let quote = memchr(base + start, Int32(UInt8(ascii: "\"")), bytes.count - start) else { return nil }
        let end = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(quote))
        for position in start..<end {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
        }
        index = end + 1
        return start..<end
    }

    /// Makes the value of the entry at `span`, or nil when a member is not UTF-8.
    private func entry(kind: String, _ span: Span) -> ResourceEntry? {
        guard let digest = text(span.digest), let key = text(span.key), let name = text(span.name) else { return nil }
        var appKey: String?
        if let range = span.app {
            guard let value = text(range) else { return nil }
            appKey = value
        }
        var parentKey: String?
        if let range = span.parent {
            guard let value = text(range) else { return nil }
            parentKey = value
        }
        return ResourceEntry(kind: kind, key: key, name: name, parentKey: parentKey, appKey: appKey, digest: digest)
    }

    /// Decodes the bytes at `range`, or returns nil when they are not UTF-8. ASCII, which most
    /// values are, is valid UTF-8 already.
    private func text(_ range: Range<Int>) -> String? {
        let slice = UnsafeBufferPointer(rebasing: bytes[range])
        return slice.allSatisfy({ $0 < 0x80 }) ? String(decoding: slice, as: UTF8.self) : String(validating: slice, as: UTF8.self)
    }

    /// True when every key is ASCII and each is greater than the one before in byte order.
    private func hasIncreasingASCIIKeys(_ spans: [Span]) -> Bool {
        for (position, span) in spans.enumerated() {
            guard bytes[span.key].allSatisfy({ $0 < 0x80 }) else { return false }
            if position > 0 && Self.compare(bytes, spans[position - 1].key, bytes, span.key) >= 0 { return false }
        }
        return true
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
