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
struct IndexScanner {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    /// The members of an index that verify reads.
    struct Contents: Equatable {
        var kinds: [String] = []
        var resources: [IndexedResource] = []
    }

    /// Returns the kinds and resources of the index in `bytes`, or nil when the bytes are not
    /// in the subset this scanner reads.
    static func contents(of bytes: [UInt8]) -> Contents? {
        bytes.withUnsafeBufferPointer { buffer in
            var scanner = IndexScanner(bytes: buffer)
            return scanner.scanIndex()
        }
    }

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
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
                    guard let resources = scanArray({ $0.scanResource() }) else { return nil }
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
