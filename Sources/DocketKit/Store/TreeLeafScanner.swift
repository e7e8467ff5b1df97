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
