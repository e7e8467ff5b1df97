import Foundation
import Testing

@testable import DocketKit

@Suite("Bundle writing")
struct BundleWriterTests {
    @Test("smoke")
    func smoke() throws {
        let fixture = try BundleFixture.make()
        let output = fixture.folder.appendingPathComponent("out.tar").path
        let result = try BundleWriter(store: fixture.store).write(BundleRequest(period: try Period.parse("2026-03"), outputPath: output))
        print("BUNDLE", result.path, result.payloadFiles, result.linkedFiles, result.archiveBytes)
    }
}
