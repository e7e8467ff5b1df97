import Foundation

/// The declaration in `bagit.txt`.
struct BagDeclaration {
    let version: String
    let encoding: String

    /// True for BagIt 1.0 and later, whose rules are stricter than the drafts' (a file listed
    /// twice is an error, not a warning).
    var isVersion1OrLater: Bool {
        (Int(version.split(separator: ".").first ?? "") ?? 0) >= 1
    }

    /// Parses `bagit.txt`, appending problems for what is malformed; nil when no usable
    /// declaration remains.
    static func parse(_ bytes: [UInt8], problems: inout [BagProblem]) -> BagDeclaration? {
        let file = BagLayout.bagDeclaration
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            problems.append(BagProblem(.error, file, "starts with a byte-order mark, which BagIt forbids in bagit.txt"))
            return nil
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            problems.append(BagProblem(.error, file, "is not valid UTF-8, which BagIt requires for bagit.txt"))
            return nil
        }
        var fields: [String: String] = [:]
        for line in TagText.lines(text) where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":"), line[line.index(after: colon)...].hasPrefix(" ") else {
                problems.append(BagProblem(.error, file, "malformed line \"\(line)\": expected \"Label: value\""))
                continue
            }
            let label = String(line[..<colon])
            guard label == "BagIt-Version" || label == "Tag-File-Character-Encoding" else {
                problems.append(BagProblem(.error, file, "unexpected line \"\(line)\": bagit.txt contains only BagIt-Version and Tag-File-Character-Encoding"))
                continue
            }
            fields[label] = line[line.index(colon, offsetBy: 2)...].trimmingCharacters(in: .whitespaces)
        }
        guard let version = fields["BagIt-Version"] else {
            problems.append(BagProblem(.error, file, "has no BagIt-Version line"))
            return nil
        }
        guard let encoding = fields["Tag-File-Character-Encoding"] else {
            problems.append(BagProblem(.error, file, "has no Tag-File-Character-Encoding line"))
            return nil
        }
        guard version.wholeMatch(of: /[0-9]+\.[0-9]+/) != nil else {
            problems.append(BagProblem(.error, file, "invalid BagIt-Version \"\(version)\": expected MAJOR.MINOR, such as 1.0"))
            return nil
        }
        guard TagText.encoding(named: encoding) != nil else {
            problems.append(BagProblem(.error, file, "unsupported Tag-File-Character-Encoding \"\(encoding)\": verify reads UTF-8, UTF-16 and ISO-8859-1"))
            return nil
        }
        return BagDeclaration(version: version, encoding: encoding)
    }
}

/// Decoding and splitting of tag files.
enum TagText {
    static func encoding(named name: String) -> String.Encoding? {
        switch name.uppercased().replacingOccurrences(of: "_", with: "-") {
        case "UTF-8", "UTF8": return .utf8
        case "UTF-16", "UTF16": return .utf16
        case "UTF-16BE": return .utf16BigEndian
        case "UTF-16LE": return .utf16LittleEndian
        case "ISO-8859-1", "LATIN-1", "LATIN1": return .isoLatin1
        case "US-ASCII", "ASCII": return .ascii
        default: return nil
        }
    }

    /// Decodes a tag file in `encoding` and drops a leading byte-order mark. Returns nil when
    /// the bytes are not valid in that encoding.
    static func decode(_ bytes: [UInt8], encoding: String.Encoding) -> String? {
        if encoding == .utf8 {
            let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
            return String(validating: body, as: UTF8.self)
        }
        guard let text = String(data: Data(bytes), encoding: encoding) else { return nil }
        return text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
    }

    /// Lines split at LF, CRLF or CR, as BagIt allows all three.
    static func lines(_ text: String) -> [String] {
        text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }.map(String.init)
    }
}

/// The labels and values of `bag-info.txt`.
struct BagInfo {
    /// Every `Label: value` pair in order; a label may repeat.
    let fields: [(label: String, value: String)]

    func value(_ label: String) -> String? {
        fields.first { $0.label.caseInsensitiveCompare(label) == .orderedSame }?.value
    }

    /// Parses the text leniently, as bags in the wild write it: whitespace around the colon,
    /// and continuation lines that start with a space or tab.
    static func parse(_ text: String, problems: inout [BagProblem]) -> BagInfo {
        var fields: [(label: String, value: String)] = []
        for line in TagText.lines(text) where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            if line.first == " " || line.first == "\t", !fields.isEmpty {
                fields[fields.count - 1].value += " " + line.trimmingCharacters(in: .whitespaces)
                continue
            }
            guard let colon = line.firstIndex(of: ":") else {
                problems.append(BagProblem(.error, BagLayout.bagInfo, "malformed line \"\(line)\": expected \"Label: value\""))
                continue
            }
            let label = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            fields.append((label, value))
        }
        return BagInfo(fields: fields)
    }
}

/// One line of a payload or tag manifest.
struct ManifestLine {
    let digest: String
    /// The path after percent-decoding and removing a leading `./`.
    let path: String
    /// The path as written, for messages.
    let written: String
}

/// A manifest file: its name, algorithm and text, read line by line so that a manifest of
/// many files is never held as an array of parsed lines.
struct ManifestFile {
    let name: String
    let algorithm: DigestAlgorithm
    let text: String

    /// Returns the algorithm a manifest's file name names (`manifest-sha256.txt`), or nil when
    /// the name is not a manifest's. `supported` is nil for an algorithm verify cannot compute.
    static func algorithm(ofFile name: String, prefix: String) -> (name: String, supported: DigestAlgorithm?)? {
        guard name.hasPrefix(prefix), name.hasSuffix(".txt"), !name.contains("/") else { return nil }
        let algorithmName = String(name.dropFirst(prefix.count).dropLast(4))
        guard !algorithmName.isEmpty else { return nil }
        return (algorithmName, DigestAlgorithm(rawValue: algorithmName.lowercased()))
    }

    /// Calls `body` with each line, parsed: `<digest><whitespace><path>`. md5sum's
    /// binary-mode marker (`*` before the path) and a leading `./` are accepted with a warning.
    func forEachLine(problems: inout [BagProblem], _ body: (ManifestLine, inout [BagProblem]) -> Void) {
        // Splitting the UTF-8 bytes at CR and LF gives the same lines as splitting the
        // characters, because a line break is always a character of its own; it is many
        // times faster on a manifest of a million lines.
        for bytes in text.utf8.split(whereSeparator: { $0 == 0x0A || $0 == 0x0D }) {
            if let line = Self.parseLine(Substring(bytes), manifest: name, problems: &problems) {
                body(line, &problems)
            }
        }
    }

    /// Parses one line, without its line break; nil for a blank or malformed line (the latter
    /// recorded in `problems`).
    static func parseLine(_ line: Substring, manifest name: String, problems: inout [BagProblem]) -> ManifestLine? {
        let trimmed = Self.trimmingWhitespace(line)
        guard !trimmed.isEmpty else { return nil }
        guard let separator = trimmed.utf8.firstIndex(where: { $0 == 0x20 || $0 == 0x09 }) else {
            problems.append(BagProblem(.error, name, "malformed line \"\(trimmed)\": expected a digest and a path"))
            return nil
        }
        let digestText = trimmed[..<separator]
        // Digests are ASCII hex, most often lowercase already, which needs no case mapping.
        let isLowercaseASCII = digestText.utf8.allSatisfy { $0 < 0x80 && !(UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }
        let digest = isLowercaseASCII ? String(digestText) : digestText.lowercased()
        let pathStart = trimmed.utf8[separator...].firstIndex { $0 != 0x20 && $0 != 0x09 } ?? trimmed.endIndex
        var written = String(Self.trimmingWhitespace(trimmed[pathStart...]))
        if written.hasPrefix("*") {
            problems.append(BagProblem(.warning, name, "the line for \(written) has md5sum's binary-mode marker *, which BagIt does not define"))
            written.removeFirst()
        }
        var path = BagPath.decodeManifestPath(written)
        if path.hasPrefix("./") {
            problems.append(BagProblem(.warning, name, "lists \(written) with a leading ./, which BagIt does not use"))
            while path.hasPrefix("./") { path.removeFirst(2) }
        }
        return ManifestLine(digest: digest, path: path, written: written)
    }

    /// Reads a line in the form most bags use from its UTF-8 bytes. That form is a lowercase
    /// hex digest of `digestLength` bytes, spaces or tabs, and a printable ASCII path that
    /// `parseLine` keeps as written. Such a path has no `%` or backslash, no `*` or `./` in
    /// front, no space at the end, and none of the forms `BagPath.escapeReason` rejects.
    /// Returns nil for any other line, which `parseLine` reads. For a line in this form both
    /// give the same digest and path.
    static func plainLine(_ line: UnsafeRawBufferPointer, digestLength: Int) -> (digest: UnsafeRawBufferPointer, path: String)? {
        let digestEnd = digestLength * 2
        guard line.count > digestEnd + 1 else { return nil }
        for byte in line[..<digestEnd] {
            guard (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte) else { return nil }
        }

        var pathStart = digestEnd
        while pathStart < line.count && (line[pathStart] == 0x20 || line[pathStart] == 0x09) {
            pathStart += 1
        }
        guard pathStart > digestEnd, pathStart < line.count else { return nil }

        let path = UnsafeRawBufferPointer(rebasing: line[pathStart...])
        guard path[path.count - 1] != 0x20 else { return nil }
        switch path[0] {
        case UInt8(ascii: "*"), UInt8(ascii: "/"), UInt8(ascii: "~"), 0x20: return nil
        default: break
        }
        if path.count > 1 && path[1] == UInt8(ascii: ":") { return nil }

        // Component by component: no `.` or `..` component (so no leading `./`), and only
        // printable ASCII other than `%` and the backslash.
        var componentLength = 0
        var dots = 0
        for byte in path {
            switch byte {
            case UInt8(ascii: "/"):
                if componentLength == dots && dots <= 2 { return nil }
                componentLength = 0
                dots = 0
            case UInt8(ascii: "%"), UInt8(ascii: "\\"), 0x7F...0xFF, 0x00..<0x20:
                return nil
            default:
                componentLength += 1
                if byte == UInt8(ascii: ".") { dots += 1 }
            }
        }
        if componentLength == dots && dots <= 2 { return nil }

        return (UnsafeRawBufferPointer(rebasing: line[..<digestEnd]), String(decoding: path, as: UTF8.self))
    }

    /// `text` without leading and trailing whitespace (spaces, tabs and the other Unicode
    /// space separators). Most lines have none, which the first and last byte show.
    static func trimmingWhitespace(_ text: Substring) -> Substring {
        guard let first = text.utf8.first, let last = text.utf8.last else { return text }
        let isPlain = { (byte: UInt8) in byte < 0x80 && byte != 0x20 && byte != 0x09 }
        if isPlain(first) && isPlain(last) {
            return text
        }
        return Substring(text.trimmingCharacters(in: .whitespaces))
    }
}

/// The lines of a UTF-8 tag file kept in the spool, read in chunks so that a manifest of a
/// million lines is never in memory whole.
struct SpooledLines {
    let spool: ContentSpool
    let span: ContentSpool.Span

    /// True when the file is valid UTF-8. A line break byte is never part of a multi-byte
    /// sequence, so the file is valid when each line is.
    func isValidUTF8() -> Bool {
        var isASCII = true
        spool.forEachChunk(of: span) { chunk in
            if isASCII && !chunk.allSatisfy({ $0 < 0x80 }) { isASCII = false }
        }
        if isASCII { return true }
        var isValid = true
        forEachLine { bytes in
            if isValid && !bytes.allSatisfy({ $0 < 0x80 }) && String(validating: bytes, as: UTF8.self) == nil {
                isValid = false
            }
        }
        return isValid
    }

    /// Calls `body` with each line's bytes, split at CR or LF; a leading byte-order mark is
    /// dropped. Empty pieces between line breaks are skipped, as `ManifestFile` skips them.
    func forEachLine(_ body: (UnsafeRawBufferPointer) -> Void) {
        var carry: [UInt8] = []
        var isFirst = true
        func emit(_ bytes: UnsafeRawBufferPointer) {
            var line = bytes
            if isFirst {
                isFirst = false
                if line.starts(with: [0xEF, 0xBB, 0xBF]) {
                    line = UnsafeRawBufferPointer(rebasing: line.dropFirst(3))
                }
            }
            if !line.isEmpty { body(line) }
        }
        spool.forEachChunk(of: span) { chunk in
            var start = 0
            for index in 0..<chunk.count where chunk[index] == 0x0A || chunk[index] == 0x0D {
                if carry.isEmpty {
                    emit(UnsafeRawBufferPointer(rebasing: chunk[start..<index]))
                } else {
                    carry.append(contentsOf: chunk[start..<index])
                    carry.withUnsafeBytes { emit($0) }
                    carry.removeAll(keepingCapacity: true)
                }
                start = index + 1
            }
            carry.append(contentsOf: chunk[start...])
        }
        if !carry.isEmpty {
            carry.withUnsafeBytes { emit($0) }
        }
    }
}
