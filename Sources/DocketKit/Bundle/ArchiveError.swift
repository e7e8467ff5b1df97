/// A failed libarchive call: the return code, libarchive's own message and what Docket was
/// doing, such as writing an entry of a bundle.
public struct ArchiveError: Error, CustomStringConvertible, Sendable {
    /// The libarchive status (`ARCHIVE_WARN` -20, `ARCHIVE_FAILED` -25, `ARCHIVE_FATAL` -30).
    public let code: Int32
    /// `archive_error_string`, or a fixed text when libarchive gave none.
    public let message: String
    /// The operation that failed, naming the archive and the entry.
    public let context: String

    public var description: String { "\(context): \(message)" }
}

/// The compression of a bundle, chosen by the output file's suffix.
public enum BundleCompression: String, Sendable, CaseIterable {
    case uncompressed = ".tar"
    case gzip = ".tar.gz"
    case zstd = ".tar.zst"

    /// Returns the compression for `path`'s suffix: `.tar`, `.tar.gz` (also `.tgz`) or
    /// `.tar.zst`. Returns nil for any other suffix.
    public static func forPath(_ path: String) -> BundleCompression? {
        let lowered = path.lowercased()
        if lowered.hasSuffix(".tar.gz") || lowered.hasSuffix(".tgz") { return .gzip }
        if lowered.hasSuffix(".tar.zst") { return .zstd }
        if lowered.hasSuffix(".tar") { return .uncompressed }
        return nil
    }
}
