import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A temporary file holding the contents `verify` reads after the scan: tag files, payload
/// manifests and the snapshot indexes. A bag's manifests grow with its file count (about
/// 200 MB for 550,000 files), so they wait on disk rather than in memory, and the checks
/// read them back in chunks. The file is unlinked as soon as it is created, so the system
/// frees it when the process ends, however it ends.
final class ContentSpool {
    /// The location of one stored file's contents in the spool.
    struct Span: Sendable {
        let offset: Int64
        let count: Int
    }

    private let descriptor: Int32
    private var end: Int64 = 0

    /// - Throws: `DocketError` (failure) when no temporary file can be created.
    init() throws {
        let folder = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(folder)/docket-verify-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw DocketError(.failure, "cannot create a temporary file in \(folder) to verify the bundle: \(String(cString: strerror(errno)))")
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        self.descriptor = descriptor
    }

    deinit {
        Glibc.close(descriptor)
    }

    /// The offset the next write goes to.
    var endOffset: Int64 { end }

    /// Appends `bytes` at the end.
    /// - Throws: `DocketError` (failure) when the disk is full or the write fails.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var written = 0
        while written < bytes.count {
            let result = pwrite(descriptor, bytes.baseAddress! + written, bytes.count - written, off_t(end) + off_t(written))
            guard result > 0 else {
                throw DocketError(.failure, "cannot write the temporary file verify keeps the bag's manifests in: \(String(cString: strerror(errno)))")
            }
            written += result
        }
        end += Int64(bytes.count)
    }

    /// Forgets what was written from `offset` on; the next write overwrites it.
    func discard(from offset: Int64) {
        end = offset
    }

    /// Reads the whole span back.
    func read(_ span: Span) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(span.count)
        forEachChunk(of: span) { bytes.append(contentsOf: $0) }
        return bytes
    }

    /// Calls `body` with the span's bytes in chunks of up to 1 MiB.
    func forEachChunk(of span: Span, _ body: (UnsafeRawBufferPointer) -> Void) {
        let chunkSize = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: min(chunkSize, max(span.count, 1)), alignment: 16)
        defer { buffer.deallocate() }
        var done = 0
        while done < span.count {
            let requested = min(buffer.count, span.count - done)
            let result = pread(descriptor, buffer.baseAddress!, requested, off_t(span.offset) + off_t(done))
            // The spool is this process's own file: a short read means the disk failed, and
            // the checks then see a truncated manifest and report its missing lines.
            guard result > 0 else { return }
            body(UnsafeRawBufferPointer(rebasing: buffer.prefix(result)))
            done += result
        }
    }
}
