internal import CArchive

/// The operations `BagArchiveScanner` reads an archive with: `ArchiveReader`, or
/// `PlainTarReader` for the tars Docket writes.
protocol TarEntrySource: AnyObject {
    /// Reads the next entry's header, or returns nil after the last entry.
    func nextEntry() throws -> ArchiveEntryInfo?
    /// Streams the current entry's contents to `body` in chunks.
    func readData(_ body: (UnsafeRawBufferPointer) throws -> Void) throws
    func close() throws
}

extension ArchiveReader: TarEntrySource {}

/// Reads a POSIX tar of the plain kind Docket writes, parsing the headers itself: libarchive
/// only decompresses the stream, through its raw format.
///
/// libarchive's tar reader took about 3 µs an entry, half of `docket verify`'s scan of a
/// 90-day bundle with a million entries (perf). This reader accepts only ustar headers with
/// magic `ustar`, version `00`, a valid checksum and octal fields. They are regular files,
/// folders, hard and symbolic links with ASCII names, led at most by a pax header. Its
/// records are `path`, `linkpath`, `size` and the ones verify ignores (times, owners).
/// Anything else, damage and truncation included, throws `Unsupported`, and the caller
/// reads the whole archive again with `ArchiveReader`, so every other tar and every error
/// is read and reported as libarchive does.
///
/// NOTE: tests compare this reader with libarchive's on Docket's archives and on GNU tar's
/// ustar and pax archives. A tar from another writer that falls in the subset is assumed,
/// not tested, to read the same.
final class PlainTarReader: TarEntrySource {
    /// The archive is not in the plain form this reader accepts.
    struct Unsupported: Error {
        let reason: String
    }

    private let handle: OpaquePointer
    private let path: String
    /// Decompressed bytes read ahead; `start..<end` are not consumed yet.
    private var buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private var isStreamFinished = false
    /// The current entry's data bytes not read yet, and the padding after them.
    private var remaining: Int64 = 0
    private var padding = 0

    private static let blockSize = TarHeaders.blockSize
    private static let bufferSize = 1 << 20

    /// Opens `path` and its decompression filter.
    /// - Throws: `Unsupported` when libarchive cannot open the file as a stream.
    init(path: String) throws {
        guard let handle = archive_read_new() else { throw Unsupported(reason: "out of memory") }
        self.handle = handle
        self.path = path
        buffer = .allocate(byteCount: Self.bufferSize, alignment: 16)
        guard archive_read_support_filter_all(handle) == ARCHIVE_OK, archive_read_support_format_raw(handle) == ARCHIVE_OK,
            archive_read_open_filename(handle, path, 64 * 1024) == ARCHIVE_OK
        else { throw Unsupported(reason: "libarchive cannot open the stream") }
        var entry: OpaquePointer?
        guard archive_read_next_header(handle, &entry) == ARCHIVE_OK else {
            throw Unsupported(reason: "the stream has no data")
        }
    }

    deinit {
        archive_read_free(handle)
        buffer.deallocate()
    }

    func nextEntry() throws -> ArchiveEntryInfo? {
        try skipRest()
        var records: [String: String] = [:]
        var hasRecords = false
        while true {
            guard try fill(Self.blockSize) else { throw Unsupported(reason: "the stream ends inside a header") }
            let header = UnsafeRawBufferPointer(rebasing: buffer[start..<(start + Self.blockSize)])
            if header[0] == 0 && header.allSatisfy({ $0 == 0 }) {
                guard !hasRecords, try fill(2 * Self.blockSize),
                    buffer[(start + Self.blockSize)..<(start + 2 * Self.blockSize)].allSatisfy({ $0 == 0 })
                else { throw Unsupported(reason: "a single zero block") }
                start += 2 * Self.blockSize
                return nil
            }
            let fields = try Self.fields(of: header)
            start += Self.blockSize
            if fields.type == UInt8(ascii: "x") {
                guard !hasRecords, fields.size <= Self.bufferSize, try fill(Int(fields.size)) else {
                    throw Unsupported(reason: "a pax header that is repeated, long or cut off")
                }
                records = try Self.records(UnsafeRawBufferPointer(rebasing: buffer[start..<(start + Int(fields.size))]))
                hasRecords = true
                start += Int(fields.size)
                try skipPadding(after: fields.size)
                continue
            }
            return try entry(fields, records: records)
        }
    }

    func readData(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        while remaining > 0 {
            guard try fill(1) else { throw Unsupported(reason: "the stream ends inside a file") }
            let count = Int(min(Int64(end - start), remaining, 64 * 1024))
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[start..<(start + count)])
            start += count
            remaining -= Int64(count)
            try body(chunk)
        }
    }

    func close() throws {
        guard archive_read_close(handle) == ARCHIVE_OK else { throw Unsupported(reason: "closing the stream failed") }
    }

    /// The fields of a ustar header this reader uses.
    private struct HeaderFields {
        var name: String
        var linkName: String
        var type: UInt8
        var size: Int64
    }

    private static func fields(of header: UnsafeRawBufferPointer) throws -> HeaderFields {
        guard header[257..<265].elementsEqual("ustar\u{0}00".utf8) else { throw Unsupported(reason: "not a POSIX ustar header") }
        var sum = byteSum(header)
        for byte in header[148..<156] {
            sum += 0x20 - Int64(byte)
        }
        guard try octal(header[148..<156]) == sum else { throw Unsupported(reason: "a header checksum that does not match") }
        let size = try octal(header[124..<136])
        let nameLength = try textLength(header, from: 0, limit: 100)
        let prefixLength = try textLength(header, from: 345, limit: 155)
        let name: String
        if prefixLength == 0 {
            name = String(decoding: UnsafeRawBufferPointer(rebasing: header[0..<nameLength]), as: UTF8.self)
        } else {
            // libarchive joins the prefix and the name with a slash unless the prefix ends in one.
            let slashes = header[345 + prefixLength - 1] == UInt8(ascii: "/") ? 0 : 1
            name = String(unsafeUninitializedCapacity: prefixLength + slashes + nameLength) { text in
                _ = UnsafeMutableRawBufferPointer(text).initializeMemory(as: UInt8.self, from: header[345..<(345 + prefixLength)])
                if slashes == 1 { text[prefixLength] = UInt8(ascii: "/") }
                let rest = UnsafeMutableBufferPointer(rebasing: text[(prefixLength + slashes)...])
                _ = UnsafeMutableRawBufferPointer(rest).initializeMemory(as: UInt8.self, from: header[0..<nameLength])
                return prefixLength + slashes + nameLength
            }
        }
        let linkLength = try textLength(header, from: 157, limit: 100)
        let linkName = String(decoding: UnsafeRawBufferPointer(rebasing: header[157..<(157 + linkLength)]), as: UTF8.self)
        return HeaderFields(name: name, linkName: linkName, type: header[156], size: size)
    }

    /// Returns the length of the NUL-terminated name field of `limit` bytes at `offset`.
    /// - Throws: `Unsupported` for a byte that is not ASCII.
    private static func textLength(_ header: UnsafeRawBufferPointer, from offset: Int, limit: Int) throws -> Int {
        var length = 0
        while length < limit {
            let byte = header[offset + length]
            if byte == 0 { break }
            guard byte < 0x80 else { throw Unsupported(reason: "a name that is not ASCII") }
            length += 1
        }
        return length
    }

    /// Returns the sum of a block's 512 bytes, adding eight at a time in 16-bit lanes of a
    /// 64-bit word: 64 words of at most 2 × 255 a lane stay below 65,536.
    private static func byteSum(_ block: UnsafeRawBufferPointer) -> Int64 {
        let mask: UInt64 = 0x00FF_00FF_00FF_00FF
        var lanes: UInt64 = 0
        for offset in stride(from: 0, to: blockSize, by: 8) {
            let word = block.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            lanes &+= (word & mask) &+ ((word >> 8) & mask)
        }
        var sum: Int64 = 0
        for lane in 0..<4 {
            sum += Int64((lanes >> (16 * UInt64(lane))) & 0xFFFF)
        }
        return sum
    }

    /// Reads an octal field: optional leading spaces, octal digits, then only spaces and NULs.
    private static func octal(_ field: Slice<UnsafeRawBufferPointer>) throws -> Int64 {
        var value: Int64 = 0
        var digits = 0
        var isDone = false
        for byte in field {
            switch byte {
            case UInt8(ascii: " ") where digits == 0 && !isDone:
                continue
            case UInt8(ascii: "0")...UInt8(ascii: "7") where !isDone:
                value = value * 8 + Int64(byte - UInt8(ascii: "0"))
                digits += 1
            case UInt8(ascii: " "), 0:
                isDone = true
            default:
                throw Unsupported(reason: "a numeric field that is not plain octal")
            }
        }
        guard digits > 0 else { throw Unsupported(reason: "an empty numeric field") }
        return value
    }

    /// Reads pax records `<length> <key>=<value>\n`, keeping `path`, `linkpath` and `size`.
    private static let ignoredRecords: Set<String> = ["mtime", "atime", "ctime", "uid", "gid", "uname", "gname"]

    private static func records(_ data: UnsafeRawBufferPointer) throws -> [String: String] {
        var records: [String: String] = [:]
        var position = 0
        while position < data.count {
            guard let space = data[position...].firstIndex(of: UInt8(ascii: " ")), space > position,
                data[position..<space].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
                let length = Int(String(decoding: data[position..<space], as: UTF8.self)), length > space - position,
                position + length <= data.count, data[position + length - 1] == UInt8(ascii: "\n"),
                let equals = data[(space + 1)..<(position + length)].firstIndex(of: UInt8(ascii: "="))
            else { throw Unsupported(reason: "a malformed pax record") }
            let key = String(decoding: data[(space + 1)..<equals], as: UTF8.self)
            let value = data[(equals + 1)..<(position + length - 1)]
            guard value.allSatisfy({ $0 < 0x80 && $0 != 0 }) else { throw Unsupported(reason: "a pax value that is not ASCII") }
            switch key {
            case "path", "linkpath", "size":
                guard records[key] == nil else { throw Unsupported(reason: "a repeated pax record") }
                records[key] = String(decoding: value, as: UTF8.self)
            case _ where ignoredRecords.contains(key):
                break
            default:
                throw Unsupported(reason: "the pax record \(key)")
            }
            position += length
        }
        return records
    }

    private func entry(_ fields: HeaderFields, records: [String: String]) throws -> ArchiveEntryInfo {
        let path = records["path"] ?? fields.name
        let linkName = records["linkpath"] ?? fields.linkName
        var size = fields.size
        if let text = records["size"] {
            guard let value = Int64(text), value >= 0 else { throw Unsupported(reason: "a pax size that is not a number") }
            size = value
        }
        guard !path.isEmpty else { throw Unsupported(reason: "an empty name") }
        let kind: ArchiveEntryInfo.Kind
        switch fields.type {
        case UInt8(ascii: "0"), 0:
            // libarchive reads a file whose name ends in / as a folder.
            guard !path.hasSuffix("/") else { throw Unsupported(reason: "a file named like a folder") }
            kind = .regular
        case UInt8(ascii: "5"):
            kind = .directory
        case UInt8(ascii: "1"):
            kind = .hardLink(target: linkName)
        case UInt8(ascii: "2"):
            kind = .symbolicLink(target: linkName)
        default:
            throw Unsupported(reason: "the entry type \(fields.type)")
        }
        guard kind == .regular || size == 0 else { throw Unsupported(reason: "data in a folder or link entry") }
        if case .hardLink(let target) = kind, target.isEmpty { throw Unsupported(reason: "a link without a target") }
        if case .symbolicLink(let target) = kind, target.isEmpty { throw Unsupported(reason: "a link without a target") }
        remaining = size
        padding = TarHeaders.padding(after: size)
        return ArchiveEntryInfo(path: path, kind: kind, size: size)
    }

    /// Moves past the current entry's unread data and its padding.
    private func skipRest() throws {
        try readData { _ in }
        try skip(padding)
        padding = 0
    }

    private func skipPadding(after size: Int64) throws {
        try skip(TarHeaders.padding(after: size))
    }

    private func skip(_ count: Int) throws {
        guard count > 0 else { return }
        guard try fill(count) else { throw Unsupported(reason: "the stream ends inside padding") }
        start += count
    }

    /// Reads from the stream until at least `count` bytes are unconsumed, moving them to the
    /// buffer's start first when the rest of the buffer is too short. Returns false when the
    /// stream ends before.
    private func fill(_ count: Int) throws -> Bool {
        precondition(count <= Self.bufferSize, "a read of \(count) bytes")
        while end - start < count {
            if isStreamFinished { return false }
            if end == Self.bufferSize || Self.bufferSize - start < count {
                let pending = end - start
                if pending > 0 {
                    UnsafeMutableRawBufferPointer(rebasing: buffer[0..<pending]).copyMemory(
                        from: UnsafeRawBufferPointer(rebasing: buffer[start..<end]))
                }
                start = 0
                end = pending
            }
            let read = archive_read_data(handle, buffer.baseAddress! + end, Self.bufferSize - end)
            guard read >= 0 else { throw Unsupported(reason: "the stream cannot be decompressed") }
            if read == 0 {
                isStreamFinished = true
            }
            end += read
        }
        return true
    }
}
