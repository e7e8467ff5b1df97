/// Names and paths inside a bundle: the bag folder, the snapshot folders and the evidence
/// file names. Every name is ASCII, so it reads the same in every tool and locale.
enum BagLayout {
    static let payloadFolder = "data"
    static let bagDeclaration = "bagit.txt"
    static let bagInfo = "bag-info.txt"
    static let sha256Manifest = "manifest-sha256.txt"
    static let sha512Manifest = "manifest-sha512.txt"
    static let tagManifest = "tagmanifest-sha256.txt"
    static let signature = "tagmanifest-sha256.txt.sig"

    static let readme = "README.txt"
    static let report = "index.html"
    static let bundleManifest = "manifest.json"
    static let runs = "runs.csv"
    static let runEndpoints = "run-endpoints.csv"
    static let inventory = "inventory.csv"
    static let changesFolder = "changes"
    static let changesTable = "changes.csv"
    static let controlsFolder = "controls"
    static let snapshotsFolder = "snapshots"
    /// The index of one snapshot folder: every resource with its digest and file.
    static let snapshotIndex = "resources.json"

    /// The SSH signature namespace of bundle signatures, so a signature made for another
    /// purpose with the same key does not verify here.
    static let signatureNamespace = "docket"

    /// `docket-<account>-<period>`: the bag's folder and the default file name.
    static func bagName(accountLabel: String, period: Period) -> String {
        "docket-\(accountLabel)-\(period.fileLabel)"
    }

    /// Returns a snapshot's folder name: its capture time in ISO 8601 basic format,
    /// `20260325T060000Z`, which sorts by time and contains no colon (Windows rejects colons in
    /// file names).
    static func snapshotFolderName(capturedAt: String) -> String {
        let digits = capturedAt.filter { $0 != "-" && $0 != ":" }
        return digits.isEmpty ? "unknown-time" : digits
    }

    /// Returns whether `byte` is an ASCII letter, digit, `.`, `_`, `-`, `@` or `+`.
    private static func isSafeByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "@"), UInt8(ascii: "+"):
            true
        default:
            false
        }
    }

    /// Reduces `name` to characters that are safe in a file name on every common system:
    /// letters, digits, `.`, `_`, `-`, `@` and `+`. Anything else becomes `_`, and the result
    /// never starts with a dot and has at most 80 characters.
    static func safeFileStem(_ name: String) -> String {
        // Most names are already safe, and are their own stem.
        if let first = name.utf8.first, first != UInt8(ascii: "."), name.utf8.count <= 80, name.utf8.allSatisfy(isSafeByte) {
            return name
        }
        var stem: [UInt8] = []
        stem.reserveCapacity(min(name.utf8.count, 80))
        for scalar in name.unicodeScalars {
            guard stem.count < 80 else { break }
            let byte = UInt8(truncatingIfNeeded: scalar.value)
            stem.append(scalar.isASCII && isSafeByte(byte) ? byte : UInt8(ascii: "_"))
        }
        if stem.isEmpty {
            stem = [UInt8(ascii: "_")]
        } else if stem[0] == UInt8(ascii: ".") {
            stem[0] = UInt8(ascii: "_")
        }
        return String(decoding: stem, as: UTF8.self)
    }

    /// File names for the resources of one kind, in the order given: `<name>.json`, or
    /// `<name>~<8 hex digits of SHA-256(key)>.json` for names that several resources share
    /// once made safe, so each name is unique and stable for the same key.
    static func resourceFileNames(_ entries: [ResourceEntry]) -> [String] {
        let stems = entries.map { safeFileStem($0.name) }
        // Compare case-insensitively, so an extracted bag has no two names that a
        // case-insensitive file system would merge. Stems are ASCII, so lowering their
        // letters is enough, and a stem without capitals is its own folded form.
        let folded = stems.map { stem in
            stem.utf8.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") } ? stem.lowercased() : stem
        }
        var counts: [String: Int] = [:]
        for stem in folded {
            counts[stem, default: 0] += 1
        }
        return zip(entries, zip(stems, folded)).map { entry, stem in
            guard counts[stem.1] == 1 else {
                return "\(stem.0)~\(Digest.sha256(entry.key).prefix(8)).json"
            }
            return stem.0 + ".json"
        }
    }

    /// Orders paths component by component in byte order, the order of every entry in a
    /// bundle: a folder's entries follow it directly, and `data` comes before `data-x`.
    ///
    /// Comparing the UTF-8 bytes with `/` ranked below every other byte gives that order
    /// without splitting the paths; a bundle sorts hundreds of thousands of names.
    static func precedes(_ left: String, _ right: String) -> Bool {
        var leftBytes = left.utf8.makeIterator()
        var rightBytes = right.utf8.makeIterator()
        while true {
            switch (leftBytes.next(), rightBytes.next()) {
            case (nil, nil):
                return false
            case (nil, _):
                return true
            case (_, nil):
                return false
            case let (leftByte?, rightByte?) where leftByte != rightByte:
                return sortRank(leftByte) < sortRank(rightByte)
            default:
                continue
            }
        }
    }

    private static func sortRank(_ byte: UInt8) -> Int {
        byte == UInt8(ascii: "/") ? -1 : Int(byte)
    }

    /// Percent-encodes the characters BagIt 1.0 requires encoded in manifest paths: CR, LF
    /// and `%`.
    static func manifestPath(_ path: String) -> String {
        let isSpecial = { (byte: UInt8) in byte == UInt8(ascii: "%") || byte == 0x0A || byte == 0x0D }
        let needsEncoding = path.utf8.withContiguousStorageIfAvailable { $0.contains(where: isSpecial) } ?? path.utf8.contains(where: isSpecial)
        guard needsEncoding else { return path }
        var encoded = ""
        for character in path.unicodeScalars {
            switch character {
            case "%": encoded += "%25"
            case "\n": encoded += "%0A"
            case "\r": encoded += "%0D"
            default: encoded.unicodeScalars.append(character)
            }
        }
        return encoded
    }
}
