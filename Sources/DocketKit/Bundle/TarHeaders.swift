/// The header blocks of a POSIX tar entry in pax restricted form: a plain ustar header, led
/// by a pax extended header only when a name needs one.
///
/// The bytes are those libarchive's `pax_restricted` writer gives the entries Docket writes
/// (owner and group 0 without names, no access or change time), so bundles stay byte for byte
/// what earlier versions wrote. In a C test libarchive took about 7 µs a header, and perf put
/// most of it in allocations and a character-by-character check of the names' encoding. A
/// 90-day bundle of the benchmark's small account has a million headers. The rules
/// below follow POSIX (pax, ustar) and libarchive's choices where POSIX leaves one open:
/// - A path of at most 100 bytes goes in the name field. A longer one is split at a `/` into
///   a prefix of at most 155 bytes and a name of at most 100, taking the first `/` that
///   leaves a name short enough.
/// - A path that cannot be split, or that is not ASCII, goes in a `path` record, and the
///   ustar header carries a shortened form (`shortenedName`).
/// - A link target of more than 100 bytes, or not ASCII, goes in a `linkpath` record. A long
///   one is replaced in the ustar header by `././@LongHardLink`.
/// - A modification time from 2038-01-19T03:14:07Z on goes in an `mtime` record, in a pax
///   header made for it when no name needs one.
/// - The pax header is named `<folder>/PaxHeader/<file>` after the ustar name, has the
///   entry's mode, owner and time (clipped to 2038), and type `x`.
enum TarHeaders {
    static let blockSize = 512

    enum EntryType: UInt8 {
        case file = 0x30  // "0"
        case hardLink = 0x31  // "1"
        case directory = 0x35  // "5"
        case extendedHeader = 0x78  // "x"
    }

    /// The largest size a ustar size field can record in octal: 8 GiB minus one byte.
    static let maximumSize: Int64 = (1 << 33) - 1

    /// The first modification time libarchive writes in an `mtime` record, 2038-01-19T03:14:07Z,
    /// and the latest a pax header itself carries.
    static let firstRecordedTime: Int64 = 0x7fff_ffff

    /// Appends the header blocks of one entry to `output`: a pax extended header with its
    /// records when a name or the time needs one, then the ustar header. A directory's
    /// `path` ends in `/`. `linkTarget` is given for a hard link only.
    static func append(
        path: [UInt8], type: EntryType, mode: Int, size: Int64, modificationTime: Int64, linkTarget: [UInt8]?,
        to output: inout [UInt8]
    ) {
        precondition(size >= 0 && size <= maximumSize, "a tar entry of \(size) bytes")
        precondition(modificationTime >= 0 && modificationTime < 1 << 33, "a tar entry dated \(modificationTime)")
        // The records are sized first and then written straight after their header, because
        // a separate buffer for them cost an allocation for most of a bundle's hard links.
        var recordsSize = 0
        var name = path
        let pathRecord = !isASCII(path) || (path.count > 100 && splitPoint(path) == nil)
        if pathRecord {
            recordsSize += recordLength(key: pathKey, valueCount: path.count)
            name = shortenedName(path, inserting: nil)
        }
        var linkName = linkTarget ?? []
        var linkRecord: [UInt8]?
        if let linkTarget, linkTarget.count > 100 || !isASCII(linkTarget) {
            linkRecord = linkTarget
            recordsSize += recordLength(key: linkPathKey, valueCount: linkTarget.count)
            if linkTarget.count > 100 {
                linkName = longLinkName
            }
        }
        let timeRecord = modificationTime >= firstRecordedTime ? Array(String(modificationTime).utf8) : nil
        if let timeRecord {
            recordsSize += recordLength(key: timeKey, valueCount: timeRecord.count)
        }
        if recordsSize > 0 {
            appendUstar(
                name: shortenedName(paxBaseName(name), inserting: paxHeaderFolder), type: .extendedHeader,
                mode: mode, size: Int64(recordsSize), modificationTime: min(modificationTime, firstRecordedTime),
                linkName: [], to: &output)
            if pathRecord { appendRecord(key: pathKey, path, to: &output) }
            if let linkRecord { appendRecord(key: linkPathKey, linkRecord, to: &output) }
            if let timeRecord { appendRecord(key: timeKey, timeRecord, to: &output) }
            appendPadding(after: Int64(recordsSize), to: &output)
        }
        appendUstar(name: name, type: type, mode: mode, size: size, modificationTime: modificationTime, linkName: linkName, to: &output)
    }

    private static let pathKey = Array("path".utf8)
    private static let linkPathKey = Array("linkpath".utf8)
    private static let timeKey = Array("mtime".utf8)
    private static let longLinkName = Array("././@LongHardLink".utf8)
    private static let paxHeaderFolder = Array("PaxHeader".utf8)

    /// Returns how many zero bytes fill the last block of `size` bytes of data.
    static func padding(after size: Int64) -> Int {
        Int((Int64(blockSize) - size % Int64(blockSize)) % Int64(blockSize))
    }

    /// Appends the zero bytes that fill the last block of `size` bytes of data.
    static func appendPadding(after size: Int64, to output: inout [UInt8]) {
        output.append(contentsOf: repeatElement(0, count: padding(after: size)))
    }

    private static let template: [UInt8] = {
        var block = [UInt8](repeating: 0, count: blockSize)
        func put(_ text: String, at offset: Int) {
            block.replaceSubrange(offset..<(offset + text.utf8.count), with: text.utf8)
        }
        put("000000 \0", at: 100)  // mode
        put("000000 \0", at: 108)  // uid
        put("000000 \0", at: 116)  // gid
        put("00000000000 ", at: 124)  // size
        put("00000000000 ", at: 136)  // mtime
        put("        ", at: 148)  // checksum, counted as spaces
        put("ustar\000", at: 257)  // magic and version
        put("000000 \0", at: 329)  // devmajor
        put("000000 \0", at: 337)  // devminor
        return block
    }()

    /// Appends one ustar header block, filled in place after the template, because a block
    /// built apart and then copied cost an allocation per entry.
    private static func appendUstar(
        name: [UInt8], type: EntryType, mode: Int, size: Int64, modificationTime: Int64, linkName: [UInt8],
        to output: inout [UInt8]
    ) {
        var split: Int?
        if name.count > 100 {
            guard let slash = splitPoint(name) else {
                preconditionFailure("the tar name \(String(decoding: name, as: UTF8.self)) has no split point")
            }
            split = slash
        }
        let start = output.count
        output.append(contentsOf: template)
        output.withUnsafeMutableBufferPointer { whole in
            let block = UnsafeMutableBufferPointer(rebasing: whole[start..<(start + blockSize)])
            if let split {
                copy(name[..<split], into: block, at: 345)
                copy(name[(split + 1)...], into: block, at: 0)
            } else {
                copy(name[...], into: block, at: 0)
            }
            copy(linkName[...], into: block, at: 157)
            writeOctal(Int64(mode & 0o7777), into: block, at: 100, digits: 6)
            writeOctal(size, into: block, at: 124, digits: 11)
            writeOctal(modificationTime, into: block, at: 136, digits: 11)
            block[156] = type.rawValue
            var checksum: Int64 = 0
            for byte in block {
                checksum += Int64(byte)
            }
            writeOctal(checksum, into: block, at: 148, digits: 6)
            block[154] = 0
        }
    }

    private static func copy(_ bytes: ArraySlice<UInt8>, into block: UnsafeMutableBufferPointer<UInt8>, at offset: Int) {
        bytes.withUnsafeBufferPointer { source in
            _ = UnsafeMutableBufferPointer(rebasing: block[offset..<(offset + source.count)]).initialize(from: source)
        }
    }

    /// Writes `value` as `digits` octal digits, the most significant first. `append`'s
    /// preconditions keep sizes and times within 11 digits.
    private static func writeOctal(_ value: Int64, into block: UnsafeMutableBufferPointer<UInt8>, at offset: Int, digits: Int) {
        var rest = value
        for index in stride(from: offset + digits - 1, through: offset, by: -1) {
            block[index] = UInt8(ascii: "0") + UInt8(rest & 7)
            rest >>= 3
        }
    }

    /// Returns the index of the `/` where a name of more than 100 bytes splits into a prefix
    /// of at most 155 bytes and a non-empty name of at most 100, or nil when it cannot.
    /// The search starts where the name part would be 100 bytes long and never splits at
    /// the first byte, which would leave the prefix empty.
    static func splitPoint(_ name: [UInt8]) -> Int? {
        let slash = UInt8(ascii: "/")
        guard var point = name[(name.count - 101)...].firstIndex(of: slash) else { return nil }
        if point == 0 {
            guard let next = name[1...].firstIndex(of: slash) else { return nil }
            point = next
        }
        guard point != name.count - 1, point <= 155 else { return nil }
        return point
    }

    /// Returns a name that fits a ustar header for `path`, with `insert` as an extra folder
    /// before the file name when given. It keeps the leading folders that fit in the prefix,
    /// then as many of the following folders as fit beside the file name, whose own length
    /// is cut to fit, and a final `/` when `path` has one.
    ///
    /// The limits are one byte short of the fields, 98 and 154 bytes, as in libarchive since
    /// its fix for CVE-2025-5917 (Debian 12's 3.6.2-1+deb12u5 has it). Earlier versions wrote
    /// names one byte longer.
    static func shortenedName(_ path: [UInt8], inserting insert: [UInt8]?) -> [UInt8] {
        let slash = UInt8(ascii: "/")
        if path.count < 100 && insert == nil { return path }
        var room = 98
        var fileEnd = path.count
        var keepsSlash = false
        while true {
            if fileEnd > 0 && path[fileEnd - 1] == slash {
                fileEnd -= 1
                keepsSlash = true
            } else if fileEnd > 1 && path[fileEnd - 1] == UInt8(ascii: ".") && path[fileEnd - 2] == slash {
                fileEnd -= 2
                keepsSlash = true
            } else {
                break
            }
        }
        if keepsSlash { room -= 1 }
        var fileStart = max(fileEnd - 1, 0)
        while fileStart > 0 && path[fileStart] != slash { fileStart -= 1 }
        if path[fileStart] == slash && fileStart < fileEnd - 1 { fileStart += 1 }
        room -= insert.map { $0.count + 2 } ?? 0
        fileEnd = min(fileEnd, fileStart + room)
        room -= fileEnd - fileStart

        var prefixEnd = min(154, fileStart)
        while prefixEnd > 0 && path[prefixEnd] != slash { prefixEnd -= 1 }
        if prefixEnd < fileStart && path[prefixEnd] == slash { prefixEnd += 1 }
        var middleEnd = max(min(prefixEnd + room, fileStart), prefixEnd)
        while middleEnd > prefixEnd && path[middleEnd] != slash { middleEnd -= 1 }
        if middleEnd < fileStart && path[middleEnd] == slash { middleEnd += 1 }

        var result: [UInt8] = []
        // The folders kept, the inserted folder and its slash, the file name and a final slash.
        result.reserveCapacity(middleEnd + (insert.map { $0.count + 1 } ?? 0) + (fileEnd - fileStart) + 1)
        result += path[..<middleEnd]
        if let insert {
            result += insert
            result.append(slash)
        }
        result += path[fileStart..<fileEnd]
        if keepsSlash { result.append(slash) }
        return result
    }

    /// Returns the name a pax header is built from: the ustar name without final `/` and
    /// `/.` parts, as libarchive prunes it before inserting `PaxHeader`.
    private static func paxBaseName(_ name: [UInt8]) -> [UInt8] {
        guard let last = name.last, last == UInt8(ascii: "/") || last == UInt8(ascii: ".") else { return name }
        var end = name.count
        while true {
            if end > 0 && name[end - 1] == UInt8(ascii: "/") {
                end -= 1
            } else if end > 1 && name[end - 1] == UInt8(ascii: ".") && name[end - 2] == UInt8(ascii: "/") {
                end -= 1
            } else {
                break
            }
        }
        return Array(name[..<end])
    }

    /// Returns the length of the pax record `<length> <key>=<value>\n`, which counts its own
    /// digits.
    private static func recordLength(key: [UInt8], valueCount: Int) -> Int {
        let length = key.count + valueCount + 3
        var digits = decimalDigitCount(length)
        // Counting its own digits may make the length one digit longer.
        if decimalDigitCount(length + digits) > digits { digits += 1 }
        return length + digits
    }

    /// Appends the pax record `<length> <key>=<value>\n`.
    private static func appendRecord(key: [UInt8], _ value: [UInt8], to output: inout [UInt8]) {
        let length = recordLength(key: key, valueCount: value.count)
        var divisor = 1
        while divisor * 10 <= length { divisor *= 10 }
        while divisor > 0 {
            output.append(UInt8(ascii: "0") + UInt8(length / divisor % 10))
            divisor /= 10
        }
        output.append(UInt8(ascii: " "))
        output += key
        output.append(UInt8(ascii: "="))
        output += value
        output.append(UInt8(ascii: "\n"))
    }

    private static func decimalDigitCount(_ value: Int) -> Int {
        var count = 1
        var rest = value
        while rest >= 10 {
            rest /= 10
            count += 1
        }
        return count
    }

    private static func isASCII(_ bytes: [UInt8]) -> Bool {
        bytes.allSatisfy { $0 < 0x80 }
    }
}
