import CArchive
import Foundation
import Testing

@testable import DocketKit

/// `ArchiveWriter` formats tar headers itself. These tests write the same entries through it
/// and through libarchive's own pax restricted writer, and compare the files byte for byte.
@Suite("Tar headers")
struct TarHeadersTests {
    enum Entry {
        case directory(String)
        case file(String, [UInt8])
        case link(String, target: String)
    }

    /// Paths around each limit: 100 bytes for a name, 155 for a prefix, 100 for a link target.
    static let boundaryEntries: [Entry] = {
        let bag = "docket-acme-2026-01-01_2026-03-31"
        var entries: [Entry] = [.directory(bag), .file("\(bag)/bagit.txt", Array("BagIt-Version: 1.0\n".utf8))]
        for length in [98, 99, 100, 101, 102, 155, 156, 157, 254, 255, 256, 300] {
            let folder = "\(bag)/data/snapshots/"
            let name = folder + String(repeating: "n", count: max(1, length - folder.count - 5)) + ".json"
            entries.append(.file(name, Array("\(length)\n".utf8)))
            entries.append(.link(name + "-link", target: name))
        }
        // A last component longer than 100 bytes, and a prefix that needs more than 155.
        entries.append(.file("\(bag)/data/" + String(repeating: "x", count: 120) + ".json", [1, 2, 3]))
        entries.append(.file(String(repeating: "deep/", count: 40) + "file.json", []))
        // Folders whose only split point would be their final slash.
        entries.append(.directory("\(bag)/" + String(repeating: "d", count: 100 - bag.count)))
        entries.append(.directory("\(bag)/" + String(repeating: "d", count: 120)))
        entries.append(.directory(String(repeating: "folder/", count: 30) + "last"))
        for length in [99, 100, 101, 200] {
            entries.append(.link("\(bag)/short-\(length)", target: String(repeating: "t", count: length)))
        }
        entries.append(.link(String(repeating: "p", count: 130), target: String(repeating: "q", count: 130)))
        // Data of 511, 512 and 513 bytes, and one file longer than the writer's buffer.
        for size in [511, 512, 513, 300_000] {
            entries.append(.file("\(bag)/data/size-\(size).bin", (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7) }))
        }
        return entries
    }()

    /// Random paths of 1 to 12 components of 1 to 60 bytes, so that splits fall everywhere.
    static func randomEntries(count: Int, seed: UInt64) -> [Entry] {
        var generator = SeededGenerator(seed: seed)
        let letters = Array("abcdefghij-._0123456789".utf8)
        var entries: [Entry] = []
        var previous: String?
        for index in 0..<count {
            let components = (0...generator.next(12)).map { _ in
                String(decoding: (0...generator.next(60)).map { _ in letters[generator.next(letters.count)] }, as: UTF8.self)
            }
            let path = components.joined(separator: "/") + "-\(index)"
            switch generator.next(3) {
            case 0: entries.append(.directory(path))
            case 1: entries.append(.file(path, Array(path.utf8)))
            default: entries.append(.link(path, target: previous ?? "first"))
            }
            previous = path
        }
        return entries
    }

    static func writeWithDocket(_ entries: [Entry], to path: String, time: Int64, compression: BundleCompression) throws {
        let writer = try ArchiveWriter(path: path, compression: compression)
        for entry in entries {
            switch entry {
            case .directory(let name): try writer.addDirectory(name, modificationTime: time)
            case .file(let name, let bytes): try writer.addFile(name, bytes: bytes, modificationTime: time)
            case .link(let name, let target): try writer.addHardLink(name, target: target, modificationTime: time)
            }
        }
        try writer.close()
    }

    /// Writes `entries` with libarchive's tar writer, set up as Docket's writer was before it
    /// formatted headers itself.
    static func writeWithLibarchive(_ entries: [Entry], to path: String, time: Int64, compression: BundleCompression) throws {
        let archive = try #require(archive_write_new())
        defer { archive_write_free(archive) }
        #expect(archive_write_set_format_pax_restricted(archive) == ARCHIVE_OK)
        switch compression {
        case .uncompressed: break
        case .gzip:
            #expect(archive_write_add_filter_gzip(archive) == ARCHIVE_OK)
            #expect(archive_write_set_options(archive, "gzip:!timestamp") == ARCHIVE_OK)
        case .zstd:
            #expect(archive_write_add_filter_zstd(archive) == ARCHIVE_OK)
        }
        #expect(archive_write_open_filename(archive, path) == ARCHIVE_OK)
        let entry = try #require(archive_entry_new())
        defer { archive_entry_free(entry) }
        for item in entries {
            archive_entry_clear(entry)
            archive_entry_set_uid(entry, 0)
            archive_entry_set_gid(entry, 0)
            archive_entry_set_mtime(entry, time_t(time), 0)
            var data: [UInt8] = []
            switch item {
            case .directory(let name):
                archive_entry_set_pathname_utf8(entry, name + "/")
                archive_entry_set_filetype(entry, 0o040000)
                archive_entry_set_perm(entry, 0o755)
            case .file(let name, let bytes):
                archive_entry_set_pathname_utf8(entry, name)
                archive_entry_set_filetype(entry, 0o100000)
                archive_entry_set_perm(entry, 0o644)
                archive_entry_set_size(entry, Int64(bytes.count))
                data = bytes
            case .link(let name, let target):
                archive_entry_set_pathname_utf8(entry, name)
                archive_entry_set_filetype(entry, 0o100000)
                archive_entry_set_perm(entry, 0o644)
                archive_entry_set_hardlink_utf8(entry, target)
            }
            #expect(archive_write_header(archive, entry) == ARCHIVE_OK, "\(item)")
            if !data.isEmpty {
                #expect(data.withUnsafeBytes { archive_write_data(archive, $0.baseAddress, $0.count) } == data.count)
            }
            #expect(archive_write_finish_entry(archive) == ARCHIVE_OK)
        }
        #expect(archive_write_close(archive) == ARCHIVE_OK)
    }

    /// Writes `entries` both ways and compares the files, naming the first differing byte.
    static func compare(_ entries: [Entry], time: Int64, compression: BundleCompression) throws {
        let folder = TestPaths.temporaryDirectory()
        let ours = folder.appendingPathComponent("docket\(compression.rawValue)").path
        let reference = folder.appendingPathComponent("libarchive\(compression.rawValue)").path
        try writeWithDocket(entries, to: ours, time: time, compression: compression)
        try writeWithLibarchive(entries, to: reference, time: time, compression: compression)
        let oursBytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: ours)))
        let referenceBytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: reference)))
        let firstDifference = zip(oursBytes, referenceBytes).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        let isSame = oursBytes == referenceBytes
        #expect(
            isSame,
            "\(compression.rawValue): \(oursBytes.count) bytes against \(referenceBytes.count), first difference at byte \(firstDifference.map(String.init) ?? "none")")
    }

    @Test("boundary names match libarchive", arguments: BundleCompression.allCases)
    func boundaryNames(compression: BundleCompression) throws {
        try Self.compare(Self.boundaryEntries, time: 1_775_000_000, compression: compression)
    }

    @Test("random names match libarchive", arguments: [7, 8, 9] as [UInt64])
    func randomNames(seed: UInt64) throws {
        try Self.compare(Self.randomEntries(count: 600, seed: seed), time: 1_775_000_000, compression: .uncompressed)
    }

    /// From 2038-01-19T03:14:07Z libarchive records the time in a pax header, and clips the
    /// time of the pax header itself.
    @Test("times from 2038 match libarchive", arguments: [0, 0x7fff_fffe, 0x7fff_ffff, 0x8000_0000, 5_000_000_000] as [Int64])
    func lateTimes(time: Int64) throws {
        try Self.compare(Array(Self.boundaryEntries.prefix(8)), time: time, compression: .uncompressed)
    }

    /// A name's split point: the first `/` that leaves at most 100 bytes after it, never the
    /// first byte or the last, and at most 155 bytes before it.
    @Test("split point")
    func splitPoint() {
        let long = String(repeating: "a", count: 60) + "/" + String(repeating: "b", count: 60)
        #expect(TarHeaders.splitPoint(Array(long.utf8)) == 60)
        #expect(TarHeaders.splitPoint(Array(("/" + String(repeating: "c", count: 100)).utf8)) == nil)
        #expect(TarHeaders.splitPoint(Array((String(repeating: "d", count: 120) + "/").utf8)) == nil)
        #expect(TarHeaders.splitPoint(Array((String(repeating: "e", count: 156) + "/f").utf8)) == nil)
        #expect(TarHeaders.splitPoint(Array((String(repeating: "e", count: 155) + "/f").utf8)) == 155)
    }

    /// libarchive fails on a non-ASCII name in a process running under the C locale, as this
    /// one does, so such names are compared with what GNU tar reads back instead.
    @Test("non-ASCII names read back with GNU tar")
    func nonASCIINames() throws {
        let folder = TestPaths.temporaryDirectory()
        let archivePath = folder.appendingPathComponent("names.tar").path
        let writer = try ArchiveWriter(path: archivePath, compression: .uncompressed)
        try writer.addFile("bag/café.json", bytes: Array("one\n".utf8), modificationTime: 0)
        try writer.addHardLink("bag/link.json", target: "bag/café.json", modificationTime: 0)
        try writer.close()

        let listing = try ToolRunner.run(["tar", "-tf", archivePath], environment: ["LC_ALL": "C.UTF-8"])
        #expect(listing.status == 0, "\(listing.errorOutput)")
        #expect(listing.output == "bag/café.json\nbag/link.json\n")
        let verbose = try ToolRunner.run(["tar", "-tvf", archivePath], environment: ["LC_ALL": "C.UTF-8"])
        #expect(verbose.output.contains("bag/link.json link to bag/café.json"), "\(verbose.output)")
    }

    /// The stream is written on the writer's own thread, so the failure surfaces in the next
    /// call that writes or in `close()`.
    @Test("write failure names its cause")
    func writeFailure() throws {
        let writer = try ArchiveWriter(path: "/dev/full", compression: .uncompressed)
        let error = try #require(throws: ArchiveError.self) {
            try writer.addFile("bag/large.bin", bytes: [UInt8](repeating: 7, count: 1 << 20), modificationTime: 0)
            try writer.close()
        }
        #expect("\(error)".contains(String(cString: strerror(ENOSPC))), "\(error)")
        #expect("\(error)".contains("/dev/full"), "\(error)")
    }

    /// At most four blocks wait for the writer's thread, so the error reaches the caller within
    /// a few files of 300 KB (two blocks each), well before `close()`.
    @Test("failure reaches the next writes")
    func laterWritesAfterFailure() throws {
        let writer = try ArchiveWriter(path: "/dev/full", compression: .uncompressed)
        var failedAt: Int?
        for index in 0..<64 {
            do {
                try writer.addFile("bag/\(index).bin", bytes: [UInt8](repeating: 1, count: 300_000), modificationTime: 0)
            } catch is ArchiveError {
                failedAt = index
                break
            }
        }
        let failure = try #require(failedAt)
        #expect(failure < 8)
    }

    @Test("size and SHA-256 of what was written")
    func sizeAndDigest() throws {
        for compression in [BundleCompression.uncompressed, .gzip, .zstd] {
            let path = TestPaths.temporaryDirectory().appendingPathComponent("digest.tar").path
            let writer = try ArchiveWriter(path: path, compression: compression)
            try writer.addFile("bag/a.txt", bytes: Array("alpha\n".utf8), modificationTime: 0)
            try writer.addFile("bag/big.bin", bytes: (0..<(1 << 19)).map { UInt8(truncatingIfNeeded: $0 * 7) }, modificationTime: 0)
            let (size, sha256) = try writer.close()
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(size == Int64(bytes.count), "\(compression)")
            #expect(sha256 == Digest.sha256(bytes), "\(compression)")
        }
    }

    /// An archive past the writeback interval, whose pages go to disk while it is written.
    @Test("archive past writeback interval")
    func pastWriteback() throws {
        let folder = TestPaths.temporaryDirectory()
        let path = folder.appendingPathComponent("large.tar").path
        let writer = try ArchiveWriter(path: path, compression: .uncompressed)
        let block = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 * 13) }
        for number in 0..<20 {
            try writer.addFile("bag/\(number).bin", bytes: block, modificationTime: 0)
        }
        let (size, sha256) = try writer.close()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(size > 20 << 20)
        #expect(size == Int64(bytes.count))
        #expect(sha256 == Digest.sha256(bytes))
        try ToolRunner.require("tar", package: "tar")
        let listing = try ToolRunner.run(["tar", "-tvf", path])
        #expect(listing.status == 0, "\(listing.combined)")
        #expect(listing.output.split(separator: "\n").count == 20)
    }

    @Test("file of 8 GiB rejected")
    func hugeFileRefused() throws {
        let path = TestPaths.temporaryDirectory().appendingPathComponent("huge.tar").path
        let writer = try ArchiveWriter(path: path, compression: .uncompressed)
        let error = try #require(throws: ArchiveError.self) {
            try writer.beginFile("bag/huge.bin", size: 1 << 33, modificationTime: 0)
        }
        #expect("\(error)".contains("bag/huge.bin"), "\(error)")
        #expect("\(error)".contains("over the 8 GiB a ustar header can record"), "\(error)")
    }
}
