import Foundation
import Testing

@testable import DocketKit

/// `PlainTarReader` must read every archive it accepts as libarchive's tar reader does, and
/// reject the others so that verify reads them with libarchive.
@Suite("Plain tar reader")
struct PlainTarReaderTests {
    struct ReadEntry: Equatable {
        let path: String
        let kind: ArchiveEntryInfo.Kind
        let size: Int64
        let data: [UInt8]
    }

    static func readAll(_ source: TarEntrySource) throws -> [ReadEntry] {
        var entries: [ReadEntry] = []
        while let entry = try source.nextEntry() {
            var data: [UInt8] = []
            // Every third entry is skipped unread, as verify skips some.
            if entries.count % 3 != 2 {
                try source.readData { data.append(contentsOf: $0) }
            }
            entries.append(ReadEntry(path: entry.path, kind: entry.kind, size: entry.size, data: data))
        }
        try source.close()
        return entries
    }

    /// Returns the entries both readers read, or nil when the plain reader rejects the archive.
    static func compare(_ path: String) throws -> [ReadEntry]? {
        let expected = try readAll(ArchiveReader(path: path))
        do {
            let plain = try readAll(PlainTarReader(path: path))
            #expect(plain == expected, "\(path)")
            return plain
        } catch is PlainTarReader.Unsupported {
            return nil
        }
    }

    @Test("Docket's archives read as libarchive reads them", arguments: BundleCompression.allCases)
    func docketArchives(compression: BundleCompression) throws {
        let folder = TestPaths.temporaryDirectory()
        for (index, entries) in [TarHeadersTests.boundaryEntries, TarHeadersTests.randomEntries(count: 400, seed: 3)].enumerated() {
            let path = folder.appendingPathComponent("docket-\(index)\(compression.rawValue)").path
            try TarHeadersTests.writeWithDocket(entries, to: path, time: 1_775_000_000, compression: compression)
            let read = try #require(try Self.compare(path), "the plain reader rejected \(path)")
            #expect(read.count == entries.count)
        }
    }

    /// GNU tar's formats: ustar and pax are plain unless a name needs more, gnu and v7 never are.
    @Test("GNU tar's archives read alike or rejected", arguments: ["ustar", "pax", "gnu", "v7"])
    func gnuTarArchives(format: String) throws {
        let folder = TestPaths.temporaryDirectory()
        let tree = folder.appendingPathComponent("tree")
        let deep = tree.appendingPathComponent(String(repeating: "folder-name/", count: 6))
        try FileManager.default.createDirectory(at: deep, withIntermediateDirectories: true)
        try Data("one\n".utf8).write(to: tree.appendingPathComponent("one.txt"))
        try Data(repeating: 7, count: 1300).write(to: deep.appendingPathComponent("long.bin"))
        try FileManager.default.linkItem(at: tree.appendingPathComponent("one.txt"), to: tree.appendingPathComponent("hard.txt"))
        try FileManager.default.createSymbolicLink(atPath: tree.appendingPathComponent("soft.txt").path, withDestinationPath: "one.txt")
        let archive = folder.appendingPathComponent("\(format).tar").path
        let result = try ToolRunner.run(
            ["tar", "--format=\(format)", "--sort=name", "-cf", archive, "-C", folder.path, "tree"], environment: ["LC_ALL": "C.UTF-8"])
        #expect(result.status == 0, "\(result.errorOutput)")
        let read = try Self.compare(archive)
        if format == "gnu" || format == "v7" {
            #expect(read == nil)
        } else {
            #expect(read?.count == 11, "\(read.map { "\($0.count) entries" } ?? "rejected")")
        }
    }

    /// libarchive adds no second slash between a prefix that ends in one and the name.
    @Test("prefix ending in a slash")
    func prefixWithSlash() throws {
        let path = TestPaths.temporaryDirectory().appendingPathComponent("prefix.tar").path
        let long = String(repeating: "folder/", count: 16) + "file.json"
        try TarHeadersTests.writeWithDocket([.file(long, [1, 2])], to: path, time: 1_775_000_000, compression: .uncompressed)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let prefixLength = try #require(bytes[345..<500].firstIndex(of: 0)) - 345
        #expect(prefixLength > 0)
        bytes[345 + prefixLength] = UInt8(ascii: "/")
        bytes.replaceSubrange(148..<156, with: Array("        ".utf8))
        let checksum = bytes[0..<512].reduce(0) { $0 + Int($1) }
        bytes.replaceSubrange(148..<156, with: Array((String(repeating: "0", count: 6 - String(checksum, radix: 8).count) + String(checksum, radix: 8)).utf8) + [0, 32])
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let read = try #require(try Self.compare(path))
        #expect(read.map(\.path) == [long])
    }

    @Test("damaged archives rejected", arguments: ["truncated", "checksum", "size", "empty"])
    func damagedArchives(damage: String) throws {
        let folder = TestPaths.temporaryDirectory()
        let path = folder.appendingPathComponent("bag.tar").path
        try TarHeadersTests.writeWithDocket(TarHeadersTests.boundaryEntries, to: path, time: 1_775_000_000, compression: .uncompressed)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        switch damage {
        case "truncated": bytes = Array(bytes.prefix(5000))
        case "checksum": bytes[600] ^= 0x20
        case "size": bytes[512 + 124] = UInt8(ascii: "9")
        default: bytes = []
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: PlainTarReader.Unsupported.self) {
            _ = try Self.readAll(PlainTarReader(path: path))
        }
    }
}
