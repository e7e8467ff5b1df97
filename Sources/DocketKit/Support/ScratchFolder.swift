import Foundation

/// A new folder in the temporary folder, removed with this object, for files a command
/// builds before it writes them elsewhere.
final class ScratchFolder: @unchecked Sendable {
    let url: URL

    /// Creates `<prefix>-<UUID>` in the temporary folder.
    /// - Throws: a file error when the folder cannot be created.
    init(prefix: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}
