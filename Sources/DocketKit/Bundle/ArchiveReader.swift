internal import CArchive
import Foundation

/// One entry header read from an archive.
struct ArchiveEntryInfo: Sendable {
    enum Kind: Sendable, Equatable {
        case regular
        case directory
        case symbolicLink(target: String)
        case hardLink(target: String)
        /// A device, FIFO or socket, named as tar names it.
        case special(String)
    }

    /// The path as stored, decoded as UTF-8.
    let path: String
    let kind: Kind
    /// The size in the header; 0 for links and directories.
    let size: Int64
}

/// Reads a tar archive entry by entry as a stream, never extracting. It accepts every tar
/// format libarchive reads (ustar, pax, GNU, v7) and every compression filter (gzip, zstd,
/// xz, bzip2...). Other archive formats are rejected: a bag travels as a tar.
///
/// The reader owns its `struct archive`. `close()` reports a failure that `deinit` would
/// have to ignore.
final class ArchiveReader {
    private let handle: OpaquePointer
    let path: String
    private var currentPath = ""
    /// One read buffer for every entry, so reading many small files allocates nothing.
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)

    /// Opens the archive at `path`.
    /// - Throws: `ArchiveError` when the file cannot be opened or does not start like a tar.
    init(path: String) throws {
        guard let handle = archive_read_new() else {
            buffer.deallocate()
            throw ArchiveError(code: ARCHIVE_FATAL, message: "out of memory", context: "creating an archive reader for \(path)")
        }
        self.handle = handle
        self.path = path
        try check(archive_read_support_filter_all(handle), "enabling decompression filters")
        // Only tar: with every format enabled, libarchive reads any text file as an mtree
        // specification, and a stray text file would look like an empty bag.
        try check(archive_read_support_format_tar(handle), "enabling the tar formats")
        try check(archive_read_open_filename(handle, path, 64 * 1024), "opening \(path)")
    }

    deinit {
        archive_read_free(handle)
        buffer.deallocate()
    }

    /// Reads the next entry's header; returns nil after the last entry.
    /// - Throws: `ArchiveError` for a damaged or truncated archive.
    func nextEntry() throws -> ArchiveEntryInfo? {
        var entryPointer: OpaquePointer?
        var code = archive_read_next_header(handle, &entryPointer)
        while code == ARCHIVE_RETRY {
            code = archive_read_next_header(handle, &entryPointer)
        }
        if code == ARCHIVE_EOF { return nil }
        // ARCHIVE_WARN reports a lossy name conversion or an odd header field; the entry is
        // still usable, and the name checks downstream judge the result.
        guard code == ARCHIVE_OK || code == ARCHIVE_WARN, let entry = entryPointer else {
            throw error(code, "reading the entry after \(currentPath.isEmpty ? "the start" : currentPath) in \(path)")
        }
        let info = Self.describe(entry)
        currentPath = info.path
        return info
    }

    /// Streams the current entry's contents to `body` in chunks of up to 64 KiB.
    /// - Throws: `ArchiveError` when the data cannot be read (a truncated archive ends here),
    ///   or whatever `body` throws.
    func readData(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        while true {
            let count = archive_read_data(handle, buffer.baseAddress, buffer.count)
            if count == 0 { return }
            guard count > 0 else {
                throw error(Int32(count), "reading the contents of \(currentPath) in \(path)")
            }
            try body(UnsafeRawBufferPointer(rebasing: buffer.prefix(count)))
        }
    }

    /// The names of the format and the outermost filter, such as `POSIX pax interchange format`
    /// and `gzip`; meaningful after the first header was read.
    var formatDescription: String {
        let format = archive_format_name(handle).map { String(cString: $0) } ?? "unknown format"
        let filter = archive_filter_name(handle, 0).map { String(cString: $0) } ?? "none"
        return filter == "none" ? format : "\(format), \(filter)"
    }

    func close() throws {
        try check(archive_read_close(handle), "closing \(path)")
    }

    private static func describe(_ entry: OpaquePointer) -> ArchiveEntryInfo {
        let path = text(archive_entry_pathname_utf8(entry) ?? archive_entry_pathname(entry))
        let size = archive_entry_size_is_set(entry) != 0 ? archive_entry_size(entry) : 0
        if let target = archive_entry_hardlink_utf8(entry) ?? archive_entry_hardlink(entry) {
            return ArchiveEntryInfo(path: path, kind: .hardLink(target: text(target)), size: size)
        }
        let type = UInt32(archive_entry_filetype(entry)) & ArchiveFileType.mask
        let kind: ArchiveEntryInfo.Kind
        switch type {
        case ArchiveFileType.regular:
            kind = .regular
        case ArchiveFileType.directory:
            kind = .directory
        case ArchiveFileType.symbolicLink:
            kind = .symbolicLink(target: text(archive_entry_symlink_utf8(entry) ?? archive_entry_symlink(entry)))
        default:
            kind = .special(specialName(type))
        }
        return ArchiveEntryInfo(path: path, kind: kind, size: size)
    }

    private static func text(_ pointer: UnsafePointer<CChar>?) -> String {
        pointer.map { String(cString: $0) } ?? ""
    }

    private static func specialName(_ type: UInt32) -> String {
        switch type {
        case 0o020000: return "character device"
        case 0o060000: return "block device"
        case 0o010000: return "FIFO"
        case 0o140000: return "socket"
        default: return "entry of unknown type \(String(type, radix: 8))"
        }
    }

    private func check(_ code: Int32, _ context: String) throws {
        guard code != ARCHIVE_OK else { return }
        throw error(code, context)
    }

    private func error(_ code: Int32, _ context: String) -> ArchiveError {
        let message = archive_error_string(handle).map { String(cString: $0) } ?? "libarchive returned \(code) without a message"
        return ArchiveError(code: code, message: message, context: context)
    }
}
