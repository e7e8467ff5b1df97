import DocketTestSupport
import Foundation

@testable import DocketKit

/// Paths shared by the unit tests: the repository root and the shared test suites beside it.
enum TestPaths {
    static let repository: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url
            }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    /// The test suites written outside this project (RFC 8785 vectors, BagIt bags, JSON Patch).
    static let sharedTestdata = repository.deletingLastPathComponent().appendingPathComponent("shared/testdata")

    /// A fresh, empty directory for one test.
    static func temporaryDirectory() -> URL {
        Repository.temporaryDirectory(prefix: "docket-test")
    }
}

extension SQLiteValue {
    /// Converts a hex digest to its `object_keys` key, for tests that alter stored rows
    /// directly. Returns NULL, which matches no row, for text that is not a digest.
    static func objectKey(_ digest: String) -> SQLiteValue {
        ObjectIndex.prefixes.key(digest) ?? .null
    }
}

extension SnapshotStore {
    /// Returns the row that the index lists under the key of `digest`, for tests that alter
    /// stored rows directly.
    func rowID(of digest: String) throws -> Int64? {
        try database.query("SELECT id FROM object_keys WHERE prefix = ?", [.objectKey(digest)]).first?.int(0)
    }

    /// Overwrites the stored body of object `digest`, as damage to the file would.
    func overwriteBody(of digest: String, with body: [UInt8]) throws {
        try database.query("UPDATE objects SET body = ? WHERE id = (SELECT id FROM object_keys WHERE prefix = ?)", [.blob(body), .objectKey(digest)])
    }
}
