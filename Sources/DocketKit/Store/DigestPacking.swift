import Glibc

/// A reversible transform that stores the SHA-256 hex digests in an object as their 32 bytes,
/// applied before deflate.
///
/// Tree objects are mostly digests: the root names each kind's tree, a kind tree names its
/// leaves, and a leaf names every resource's body. A digest that changed since the base
/// version cannot be copied from the dictionary, so deflate codes its 64 hex digits as
/// literals. A small delta uses deflate's fixed codes of 8 or 9 bits a literal, so the digest
/// costs about 64 bytes as hex and about 33 packed. `pack` replaces each quoted digest, the 66 bytes `"`, 64
/// lowercase hex digits and `"`, by a 0x00 byte and the 32 bytes the digits encode. `unpack`
/// turns each 0x00 byte and the 32 bytes after it back into the quoted hex. A prototype on the
/// large account of the benchmark (bench/run.py) cut the tree bytes a daily capture adds from
/// 205 kB to 175 kB.
///
/// The transform is reversible only for bytes without a 0x00 byte, which is every canonical
/// JSON text, because RFC 8785 escapes control characters. `pack` returns nil for other bytes.
/// Uppercase hex and hex runs of another length stay as they are, so `unpack` always writes
/// lowercase.
enum DigestPacking {
    /// The byte that starts a packed digest. It never occurs in bytes that `pack` accepts.
    static let digestMarker: UInt8 = 0x00

    /// The length of a digest as it appears in JSON: a quote, 64 hex digits and a quote.
    static let quotedLength = 66

    /// The length of a packed digest: the marker and 32 bytes.
    static let packedLength = 33

    private static let quote = UInt8(ascii: "\"")

    /// A 0x00 byte in packed bytes with fewer than 32 bytes after it, as a damaged stream may
    /// inflate to.
    struct TruncatedDigest: Error, CustomStringConvertible, Sendable {
        /// The offset of the 0x00 byte in the packed bytes.
        let offset: Int
        /// The number of bytes after it.
        let available: Int

        var description: String {
            "unpacking digests: the packed digest at byte \(offset) has \(available) of its 32 bytes"
        }
    }

    /// Returns `bytes` with every quoted lowercase SHA-256 hex digest packed, or nil when
    /// `bytes` contain a 0x00 byte, which `unpack` would read as a packed digest.
    static func pack(_ bytes: [UInt8]) -> [UInt8]? {
        containsPackedDigest(bytes) ? nil : packed(bytes)
    }

    /// Returns a preset dictionary with its digests packed. Unlike `pack`, it accepts bytes
    /// with a 0x00 byte, because a dictionary never unpacks and only has to match what the
    /// writer deflated against, and a base object written by `putObject` may contain any bytes.
    static func packDictionary(_ bytes: [UInt8]) -> [UInt8] {
        packed(bytes)
    }

    private static func packed(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBufferPointer { input in
            [UInt8](unsafeUninitializedCapacity: input.count) { output, count in
                count = pack(input, into: output)
            }
        }
    }

    /// Returns `bytes` with every 0x00 byte and the 32 bytes after it written as a quoted
    /// lowercase hex digest.
    /// - Throws: `TruncatedDigest` when a 0x00 byte has fewer than 32 bytes after it.
    static func unpack(_ bytes: [UInt8]) throws -> [UInt8] {
        // Unpacked into a scratch buffer and copied, so the result keeps no unused capacity.
        let scratch = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(1, maximumUnpackedCount(bytes.count)))
        defer { scratch.deallocate() }
        let count = try bytes.withUnsafeBufferPointer { try unpack($0, into: scratch) }
        return Array(scratch[..<count])
    }

    /// Returns whether `bytes` contain a 0x00 byte, which starts a packed digest. Packed bytes
    /// without one unpack to themselves.
    static func containsPackedDigest(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buffer in
            guard let start = buffer.baseAddress else { return false }
            return memchr(start, Int32(digestMarker), buffer.count) != nil
        }
    }

    /// Returns the largest size that `count` packed bytes unpack to. Each 33-byte packed
    /// digest becomes 66 bytes, and every other byte stays one byte.
    static func maximumUnpackedCount(_ count: Int) -> Int {
        2 * count
    }

    /// Packs `input` into `output`, which must hold at least `input.count` bytes, in one pass,
    /// and returns the number of bytes written. A 0x00 byte in `input` is copied as it is.
    ///
    /// Every delta read of a tree packs the base's bytes as dictionary, so this jumps from
    /// quote to quote with `memchr` and copies the text between in one move.
    static func pack(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) -> Int {
        guard let source = input.baseAddress, let target = output.baseAddress else { return 0 }
        precondition(output.count >= input.count, "packing \(input.count) bytes into \(output.count)")
        let end = input.count
        var (read, written) = (0, 0)
        while read < end {
            copyRun(until: quote, from: source, end: end, to: target, read: &read, written: &written)
            guard read < end else { break }
            // A packed digest is never longer than the text it replaces, so `written + 33`
            // stays within `read + 66` and the 32 bytes fit even when they are discarded.
            if end - read >= quotedLength, source[read + quotedLength - 1] == quote,
                decodeHex(source + read + 1, into: target + written + 1)
            {
                target[written] = digestMarker
                read += quotedLength
                written += packedLength
            } else {
                target[written] = quote
                read += 1
                written += 1
            }
        }
        return written
    }

    /// Unpacks `input` into `output`, which must hold at least
    /// `maximumUnpackedCount(input.count)` bytes, in one pass. Returns the number of bytes
    /// written.
    /// - Throws: `TruncatedDigest` when a 0x00 byte has fewer than 32 bytes after it.
    static func unpack(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) throws -> Int {
        guard let source = input.baseAddress, let target = output.baseAddress else { return 0 }
        precondition(output.count >= maximumUnpackedCount(input.count), "unpacking \(input.count) bytes into \(output.count)")
        let end = input.count
        var (read, written) = (0, 0)
        while read < end {
            copyRun(until: digestMarker, from: source, end: end, to: target, read: &read, written: &written)
            guard read < end else { break }
            guard end - read >= packedLength else {
                throw TruncatedDigest(offset: read, available: end - read - 1)
            }
            target[written] = quote
            encodeHex(source + read + 1, into: target + written + 1)
            target[written + quotedLength - 1] = quote
            read += packedLength
            written += quotedLength
        }
        return written
    }

    /// Copies `source[read..<end]` up to the first `byte` (or to `end`) to `target` at
    /// `written`, in one move found with `memchr`, and advances both offsets past the copy.
    @inline(__always)
    private static func copyRun(
        until byte: UInt8, from source: UnsafePointer<UInt8>, end: Int, to target: UnsafeMutablePointer<UInt8>,
        read: inout Int, written: inout Int
    ) {
        let stop = memchr(source + read, Int32(byte), end - read).map { UnsafeRawPointer($0) - UnsafeRawPointer(source) } ?? end
        (target + written).update(from: source + read, count: stop - read)
        written += stop - read
        read = stop
    }

    /// Decodes the 64 lowercase hex digits at `digits` into 32 bytes at `bytes`. Returns false
    /// at the first other character, leaving some of the 32 bytes written.
    @inline(__always)
    private static func decodeHex(_ digits: UnsafePointer<UInt8>, into bytes: UnsafeMutablePointer<UInt8>) -> Bool {
        for index in 0..<32 {
            let high = nibble(digits[2 * index])
            let low = nibble(digits[2 * index + 1])
            guard high | low < 16 else { return false }
            bytes[index] = high << 4 | low
        }
        return true
    }

    /// Returns the value of a lowercase hex digit, or 0xFF for any other byte.
    @inline(__always)
    private static func nibble(_ digit: UInt8) -> UInt8 {
        let decimal = digit &- UInt8(ascii: "0")
        if decimal < 10 { return decimal }
        let letter = digit &- UInt8(ascii: "a")
        if letter < 6 { return letter + 10 }
        return 0xFF
    }

    /// Writes the 32 bytes at `bytes` as 64 lowercase hex digits at `digits`.
    @inline(__always)
    private static func encodeHex(_ bytes: UnsafePointer<UInt8>, into digits: UnsafeMutablePointer<UInt8>) {
        for index in 0..<32 {
            digits[2 * index] = hexDigit(bytes[index] >> 4)
            digits[2 * index + 1] = hexDigit(bytes[index] & 0x0F)
        }
    }

    @inline(__always)
    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") - 10 + value
    }
}
