import Foundation
import Testing

@testable import DocketKit

@Suite("scratch folder")
struct ScratchFolderTests {
    @Test("file written and read back")
    func writeAndRead() throws {
        let scratch = try ScratchFolder(prefix: "docket-scratch-test")
        let url = scratch.url.appendingPathComponent("one.json")
        let bytes = Array((0..<300_000).map { UInt8($0 % 251) })
        try ScratchFolder.write(bytes, to: url)
        #expect(try [UInt8](Data(contentsOf: url)) == bytes)
        try ScratchFolder.write([1, 2], to: url)
        #expect(try [UInt8](Data(contentsOf: url)) == [1, 2])
    }

    @Test("missing folder named")
    func missingFolder() throws {
        let scratch = try ScratchFolder(prefix: "docket-scratch-test")
        let url = scratch.url.appendingPathComponent("absent/one.json")
        let error = #expect(throws: DocketError.self) { try ScratchFolder.write([1], to: url) }
        #expect(error?.message.contains(url.path) == true)
        #expect(error?.message.contains("No such file or directory") == true)
    }

    @Test("full disk reported")
    func fullDisk() throws {
        try #require(FileManager.default.fileExists(atPath: "/dev/full"), "needs /dev/full")
        let error = #expect(throws: DocketError.self) { try ScratchFolder.write([1, 2, 3], to: URL(fileURLWithPath: "/dev/full")) }
        #expect(error?.message.contains("No space left on device") == true)
    }
}
