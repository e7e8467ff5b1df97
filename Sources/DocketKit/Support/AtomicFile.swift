import Foundation

/// Replaces a file so that a reader sees either the old contents or the new ones, never a
/// partial file: write a temporary file in the same folder, flush it, rename it over the
/// target, flush the folder.
public enum AtomicFile {
    /// Writes `bytes` to `path` with `mode`, whatever the process umask.
    /// - Parameter purpose: what the file is, for the error message ("the metrics file").
    /// - Throws: `DocketError` (category `.failure`) naming the path, the failed step and the
    ///   system's reason; the temporary file is removed on failure.
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t, purpose: String) throws {
        let temporary = path + ".\(getpid()).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode)
        guard descriptor >= 0 else { throw failure(purpose, path, "cannot create \(temporary)", errno: errno) }
        var isRenamed = false
        defer {
            if !isRenamed { unlink(temporary) }
        }

        // The mode is set explicitly because open() applies the umask (0077 under the
        // generated service), which would hide a metrics file from node_exporter.
        let isWritten = bytes.withUnsafeBytes { FileWrite.all($0, to: descriptor) }
        let isFlushed = isWritten && fchmod(descriptor, mode) == 0 && fsync(descriptor) == 0
        let flushError = errno
        guard close(descriptor) == 0 else { throw failure(purpose, path, "cannot close \(temporary)", errno: errno) }
        guard isFlushed else { throw failure(purpose, path, "cannot write \(temporary)", errno: flushError) }

        guard rename(temporary, path) == 0 else {
            throw failure(purpose, path, "cannot rename \(temporary) to it", errno: errno)
        }
        isRenamed = true

        // The rename is durable only once the folder itself is flushed.
        let folderDescriptor = open(folder(of: path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderDescriptor >= 0 {
            fsync(folderDescriptor)
            close(folderDescriptor)
        }
    }

    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let folder = String(path[..<slash])
        return folder.isEmpty ? "/" : folder
    }

    private static func failure(_ purpose: String, _ path: String, _ step: String, errno code: Int32) -> DocketError {
        let reason = String(cString: strerror(code))
        return DocketError(
            .failure, "cannot write \(purpose) \(path): \(step): \(reason). Check that its folder exists and is writable.")
    }
}
