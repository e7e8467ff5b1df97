internal import CArchive
internal import CGlibc
import Foundation

/// Writes a POSIX tar (pax restricted: plain ustar headers, pax extended headers only for
/// long names), optionally through gzip or zstd.
///
/// Every entry is owned by uid and gid 0 with no user or group name. It has a fixed mode (0644
/// for files, 0755 for directories) and the modification time the caller gives, so the same
/// entries in the same order always give the same bytes. The gzip header carries no file name
/// and a zero time.
///
/// `TarHeaders` formats the headers, and the tar stream goes through libarchive's raw format,
/// which compresses it and pads the last block as it pads a tar of its own. The bytes are
/// those libarchive's own tar writer gave before.
///
/// The writer owns its `struct archive` and its file. `close()` writes the tar trailer and
/// must be called, because a failure there means the bundle is incomplete. `deinit` only
/// frees. The bytes libarchive writes to the file pass through `ArchiveOutput`, which hashes
/// them, so the archive's size and SHA-256 are known without reading it back.
///
/// A thread of the writer's own hands the stream to libarchive, which compresses, hashes and
/// writes it while the caller prepares the next entries. A failure there is reported by the
/// next call that writes, or by `close()`.
final class ArchiveWriter {
    private let handle: OpaquePointer
    private let file: ArchiveOutput
    /// The thread that passes blocks of the stream to libarchive, started once the writer is
    /// set up.
    private var blocks: BlockQueue?
    let path: String
    private var isClosed = false
    /// The entry being written by `beginFile`, and the bytes it still expects.
    private var openEntry: (path: [UInt8], size: Int64, remaining: Int64)?
    /// Headers and small files wait here and go to libarchive in blocks of about
    /// `flushSize` bytes, because each call into libarchive costs more than the copy.
    private var pending: [UInt8] = []
    private static let flushSize = 256 * 1024

    /// Creates the archive file at `path` (replacing any file there).
    /// - Throws: `ArchiveError` when libarchive cannot set the format or filter, or open the file.
    init(path: String, compression: BundleCompression) throws {
        guard let handle = archive_write_new() else {
            throw ArchiveError(code: ARCHIVE_FATAL, message: "out of memory", context: "creating a tar writer for \(path)")
        }
        self.handle = handle
        self.path = path
        do {
            file = try ArchiveOutput(path: path)
        } catch {
            archive_write_free(handle)
            throw error
        }
        pending.reserveCapacity(Self.flushSize + 64 * 1024)
        try check(archive_write_set_format_raw(handle), "choosing libarchive's raw format")
        switch compression {
        case .uncompressed:
            break
        case .gzip:
            try check(archive_write_add_filter_gzip(handle), "adding the gzip filter")
            // libarchive stores the current time in the gzip header unless this option clears it.
            try check(archive_write_set_options(handle, "gzip:!timestamp"), "clearing the gzip timestamp")
        case .zstd:
            try check(archive_write_add_filter_zstd(handle), "adding the zstd filter (is libarchive built with libzstd?)")
        }
        // Opening a regular file itself, libarchive would pad the last block to a multiple of
        // 1 byte, which is no padding. Its default for other outputs pads a whole block.
        try check(archive_write_set_bytes_in_last_block(handle, 1), "setting the padding of \(path)")
        let client = Unmanaged.passUnretained(file).toOpaque()
        try check(archive_write_open(handle, client, nil, archiveOutputWrite, nil), "opening \(path) for writing")
        // The raw format takes one entry, the whole tar stream, whose header it does not write.
        let stream = try ArchiveEntryHandle()
        stream.reset(path: "tar", type: ArchiveFileType.regular, permissions: 0o644, size: 0, modificationTime: 0)
        try check(archive_write_header(handle, stream.pointer), "starting \(path)")
        let archive = Lent(handle)
        let file = Lent(file)
        blocks = BlockQueue { block in
            let written = block.withUnsafeBytes { archive_write_data(archive.value, $0.baseAddress, $0.count) }
            guard written == block.count else {
                throw Self.error(archive.value, file.value, Int32(written < 0 ? Int(written) : Int(ARCHIVE_FATAL)), "writing \(path)")
            }
        }
    }

    deinit {
        // The thread must be done with the handle before it is freed.
        _ = try? blocks?.finish()
        archive_write_free(handle)
    }

    /// Writes a directory entry, mode 0755. `path` ends without a slash.
    func addDirectory(_ path: String, modificationTime: Int64) throws {
        try finishOpenEntry()
        TarHeaders.append(
            path: Array((path + "/").utf8), type: .directory, mode: 0o755, size: 0, modificationTime: modificationTime,
            linkTarget: nil, to: &pending)
        try flushIfFull()
    }

    /// Writes a regular file, mode 0644, with all of its bytes.
    func addFile(_ path: String, bytes: [UInt8], modificationTime: Int64) throws {
        try addFile(Array(path.utf8), bytes: bytes, modificationTime: modificationTime)
    }

    /// Writes a regular file as `addFile(_:bytes:modificationTime:)` does, named by the UTF-8
    /// bytes of its path.
    func addFile(_ path: [UInt8], bytes: [UInt8], modificationTime: Int64) throws {
        try beginFile(path, size: Int64(bytes.count), modificationTime: modificationTime)
        try writeData(bytes[...])
        try finishOpenEntry()
    }

    /// Starts a regular file of `size` bytes, whose contents follow through `writeData`.
    /// - Throws: `ArchiveError` for a file of 8 GiB or more, which a ustar header cannot
    ///   record, or when writing fails.
    func beginFile(_ path: String, size: Int64, modificationTime: Int64) throws {
        try beginFile(Array(path.utf8), size: size, modificationTime: modificationTime)
    }

    /// Starts a regular file as `beginFile(_:size:modificationTime:)` does, named by the
    /// UTF-8 bytes of its path.
    func beginFile(_ path: [UInt8], size: Int64, modificationTime: Int64) throws {
        try finishOpenEntry()
        guard size <= TarHeaders.maximumSize else {
            throw ArchiveError(
                code: ARCHIVE_FAILED,
                message: "the file is \(size) bytes, over the 8 GiB a ustar header can record. Bundle a shorter period.",
                context: "writing the header of \(Self.text(path))")
        }
        TarHeaders.append(
            path: path, type: .file, mode: 0o644, size: size, modificationTime: modificationTime, linkTarget: nil, to: &pending)
        openEntry = (path, size, size)
    }

    /// Writes the next bytes of the file started by `beginFile`.
    func writeData(_ bytes: ArraySlice<UInt8>) throws {
        guard let current = openEntry else {
            preconditionFailure("writeData called with no file entry open")
        }
        precondition(Int64(bytes.count) <= current.remaining, "more bytes than announced for \(Self.text(current.path))")
        // Large files go in blocks of `flushSize`, so the blocks waiting for the thread stay small.
        var start = bytes.startIndex
        while start < bytes.endIndex {
            let end = min(start + Self.flushSize, bytes.endIndex)
            pending += bytes[start..<end]
            try flushIfFull()
            start = end
        }
        openEntry = (current.path, current.size, current.remaining - Int64(bytes.count))
    }

    /// Writes a hard link to `target`, an earlier entry of this archive. The link carries no
    /// data: extracting tools create it from the target.
    func addHardLink(_ path: String, target: String, modificationTime: Int64) throws {
        try addHardLink(Array(path.utf8), target: Array(target.utf8), modificationTime: modificationTime)
    }

    /// Writes a hard link as `addHardLink(_:target:modificationTime:)` does, with both paths
    /// as UTF-8 bytes.
    func addHardLink(_ path: [UInt8], target: [UInt8], modificationTime: Int64) throws {
        try finishOpenEntry()
        TarHeaders.append(
            path: path, type: .hardLink, mode: 0o644, size: 0, modificationTime: modificationTime, linkTarget: target,
            to: &pending)
        try flushIfFull()
    }

    /// Finishes the last entry, writes the tar trailer (two zero blocks), flushes the
    /// compressor and closes the file. Returns the size and SHA-256 of the file's bytes.
    /// - Throws: `ArchiveError` when any of that fails: the file is then incomplete.
    @discardableResult
    func close() throws -> (size: Int64, sha256: String) {
        try finishOpenEntry()
        isClosed = true
        pending.append(contentsOf: repeatElement(0, count: 2 * TarHeaders.blockSize))
        try flush()
        try blocks?.finish()
        try check(archive_write_close(handle), "finishing \(path)")
        try file.close()
        return (file.byteCount, file.hasher.finalizeHex())
    }

    private func finishOpenEntry() throws {
        precondition(!isClosed, "the archive \(path) is already closed")
        guard let current = openEntry else { return }
        guard current.remaining == 0 else {
            preconditionFailure("\(Self.text(current.path)) is \(current.remaining) bytes short of its announced size")
        }
        openEntry = nil
        TarHeaders.appendPadding(after: current.size, to: &pending)
        try flushIfFull()
    }

    /// Returns a path given as bytes as text, for a message.
    private static func text(_ path: [UInt8]) -> String {
        String(decoding: path, as: UTF8.self)
    }

    private func flushIfFull() throws {
        if pending.count >= Self.flushSize {
            try flush()
        }
    }

    private func flush() throws {
        guard !pending.isEmpty, let blocks else { return }
        try blocks.append(pending)
        pending = blocks.emptyBlock(capacity: Self.flushSize + 64 * 1024)
    }

    private func check(_ code: Int32, _ context: String) throws {
        guard code != ARCHIVE_OK else { return }
        throw Self.error(handle, file, code, context)
    }

    private static func error(_ handle: OpaquePointer, _ file: ArchiveOutput, _ code: Int32, _ context: String) -> ArchiveError {
        if let failure = file.failure {
            return ArchiveError(code: code, message: failure, context: context)
        }
        let message = archive_error_string(handle).map { String(cString: $0) } ?? "libarchive returned \(code) without a message"
        return ArchiveError(code: code, message: message, context: context)
    }
}

/// Blocks of bytes passed in order to `write` on a thread of their own. At most
/// `maximumWaiting` blocks wait, so memory stays bounded when writing is the slower side.
/// Emptied blocks are kept for reuse.
private final class BlockQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var waiting: [[UInt8]] = []
    private var emptied: [[UInt8]] = []
    private var isClosed = false
    private var isDone = false
    private var failure: Error?
    private static let maximumWaiting = 4

    /// Starts the thread, which calls `write` with each block until the queue is finished or
    /// `write` throws.
    init(write: @escaping @Sendable ([UInt8]) throws -> Void) {
        let thread = Thread { [self] in
            while let block = next() {
                do {
                    try write(block)
                } catch {
                    stop(with: error)
                    return
                }
                recycle(block)
            }
        }
        thread.start()
    }

    /// Queues `block`, waiting while the queue is full.
    /// - Throws: the error that stopped the thread.
    func append(_ block: [UInt8]) throws {
        condition.lock()
        defer { condition.unlock() }
        while waiting.count >= Self.maximumWaiting && failure == nil && !isDone {
            condition.wait()
        }
        if let failure { throw failure }
        waiting.append(block)
        condition.broadcast()
    }

    /// Returns an empty block, reusing one the thread has written when there is one.
    func emptyBlock(capacity: Int) -> [UInt8] {
        condition.lock()
        let block = emptied.popLast()
        condition.unlock()
        guard let block else {
            var fresh: [UInt8] = []
            fresh.reserveCapacity(capacity)
            return fresh
        }
        return block
    }

    /// Lets the thread write what is queued, waits for it to end, and rethrows its failure.
    /// Calling it again only rethrows.
    func finish() throws {
        condition.lock()
        defer { condition.unlock() }
        isClosed = true
        condition.broadcast()
        while !isDone {
            condition.wait()
        }
        if let failure { throw failure }
    }

    private func next() -> [UInt8]? {
        condition.lock()
        defer { condition.unlock() }
        while waiting.isEmpty && !isClosed {
            condition.wait()
        }
        guard !waiting.isEmpty else {
            isDone = true
            condition.broadcast()
            return nil
        }
        let block = waiting.removeFirst()
        condition.broadcast()
        return block
    }

    private func recycle(_ block: [UInt8]) {
        var block = block
        block.removeAll(keepingCapacity: true)
        condition.lock()
        if emptied.count < Self.maximumWaiting { emptied.append(block) }
        condition.unlock()
    }

    private func stop(with error: Error) {
        condition.lock()
        failure = error
        waiting.removeAll()
        isDone = true
        condition.broadcast()
        condition.unlock()
    }
}

/// The file an `ArchiveWriter` writes: libarchive's output goes to it through
/// `archiveOutputWrite`, in order, and is hashed on the way.
private final class ArchiveOutput {
    private var descriptor: Int32
    let hasher = Hasher(.sha256)
    private(set) var byteCount: Int64 = 0
    /// The bytes before this offset are on their way to disk (see `writebackInterval`).
    private var writebackStart: Int64 = 0
    /// The bytes after which the file's new pages are sent to disk without waiting, as
    /// PostgreSQL's `*_flush_after` settings do with sync_file_range(2). The flush before the
    /// rename then waits for the last few only, where it took 0.7 s for the benchmark's 1.4 GB.
    static let writebackInterval: Int64 = 8 << 20
    /// The reason the last write failed, for the error libarchive then reports without one.
    private(set) var failure: String?

    /// Creates or truncates the file at `path`, as libarchive opens a file it writes.
    init(path: String) throws {
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else {
            throw ArchiveError(code: ARCHIVE_FATAL, message: String(cString: strerror(errno)), context: "opening \(path) for writing")
        }
    }

    deinit {
        if descriptor >= 0 { _ = Glibc.close(descriptor) }
    }

    /// Writes all of `bytes` and hashes them. Returns false on failure, keeping the reason.
    func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard FileWrite.all(bytes, to: descriptor) else {
            failure = String(cString: strerror(errno))
            return false
        }
        hasher.update(bytes)
        byteCount += Int64(bytes.count)
        if byteCount - writebackStart >= Self.writebackInterval {
            // Only a request: a failure here shows in the final flush, which reports it.
            _ = docket_start_writeback(descriptor, writebackStart, byteCount - writebackStart)
            writebackStart = byteCount
        }
        return true
    }

    /// Closes the file, reporting what `close` reports, such as a delayed write error.
    func close() throws {
        let code = Glibc.close(descriptor)
        descriptor = -1
        guard code == 0 else {
            throw ArchiveError(code: ARCHIVE_FATAL, message: String(cString: strerror(errno)), context: "closing the archive file")
        }
    }
}

/// libarchive's write callback: passes each block to the `ArchiveOutput` in its client data.
private func archiveOutputWrite(
    _ archive: OpaquePointer?, _ client: UnsafeMutableRawPointer?, _ buffer: UnsafeRawPointer?, _ length: Int
) -> Int {
    guard let client, let buffer, length > 0 else { return 0 }
    let output = Unmanaged<ArchiveOutput>.fromOpaque(client).takeUnretainedValue()
    return output.write(UnsafeRawBufferPointer(start: buffer, count: length)) ? length : -1
}

/// File type bits of `archive_entry_filetype`, which Swift does not import from the header
/// because the C macros are casts.
enum ArchiveFileType {
    static let mask: UInt32 = 0o170000
    static let regular: UInt32 = 0o100000
    static let directory: UInt32 = 0o040000
    static let symbolicLink: UInt32 = 0o120000
}

/// One reusable `struct archive_entry`, freed with its owner.
final class ArchiveEntryHandle {
    let pointer: OpaquePointer

    init() throws {
        guard let pointer = archive_entry_new() else {
            throw ArchiveError(code: ARCHIVE_FATAL, message: "out of memory", context: "creating a tar entry")
        }
        self.pointer = pointer
    }

    deinit {
        archive_entry_free(pointer)
    }

    /// Clears the entry and sets the fields Docket writes; owner and group stay 0 and unnamed.
    func reset(path: String, type: UInt32, permissions: UInt32, size: Int64, modificationTime: Int64) {
        archive_entry_clear(pointer)
        archive_entry_set_pathname_utf8(pointer, path)
        archive_entry_set_filetype(pointer, type)
        archive_entry_set_perm(pointer, permissions)
        archive_entry_set_size(pointer, size)
        archive_entry_set_uid(pointer, 0)
        archive_entry_set_gid(pointer, 0)
        archive_entry_set_mtime(pointer, time_t(modificationTime), 0)
    }
}
