internal import CZlib

/// A failed zlib call: the return code, zlib's own message and what Docket was doing.
public struct ZlibError: Error, CustomStringConvertible, Sendable {
    public let code: Int32
    public let message: String
    public let context: String

    public var description: String { "\(context): \(message) (zlib code \(code))" }
}

/// Deflate streams of store objects, either standalone or deflated against a preset
/// dictionary.
///
/// The dictionary is the canonical bytes of a similar object, such as the previous version of
/// the same resource. Deflate then copies unchanged runs from it, so a resource whose
/// counters moved costs about as many bytes as the fields that changed. Deflate looks back
/// at most 32 KiB, so only the last 32 KiB of a dictionary can help.
///
/// A body is written as `packedMarker` followed by a raw deflate stream (RFC 1951). Stores
/// before schema 4 hold zlib streams (RFC 1950), which start with `zlibMarker`; both read.
/// The zlib wrapper added 10 bytes to every object (a header, the dictionary's Adler-32 and
/// the output's Adler-32) and checked nothing that the SHA-256 of every read does not check
/// again: `SnapshotStore.objectBytes` re-hashes what it returns, and `docket check` re-hashes
/// every object. On the benchmark's large account a daily capture writes about 4,000 objects.
/// Canonical JSON starts with neither marker, so a stored body shows by itself whether it is
/// compressed.
enum ObjectCompression {
    /// The first byte of every body this type writes: a raw deflate stream follows.
    static let packedMarker: UInt8 = 0x01

    /// The first byte of a zlib stream with a 32 KiB window, as schema 3 and earlier wrote.
    static let zlibMarker: UInt8 = 0x78

    /// zlib's default level: on Docket's objects, level 9 saves under 1 % more and costs
    /// about twice the time.
    static let level: Int32 = 6

    static func isCompressed(_ body: [UInt8]) -> Bool {
        body.first == packedMarker || body.first == zlibMarker
    }

    /// Deflates `bytes` into `packedMarker` and a raw deflate stream, using `dictionary` as
    /// preset dictionary when given; `decompress` then needs the same dictionary.
    /// - Throws: `ZlibError` when zlib fails, which only happens when it runs out of memory.
    static func compress(_ bytes: [UInt8], dictionary: [UInt8]? = nil) throws -> [UInt8] {
        var stream = z_stream()
        try check(docket_deflate_init_raw(&stream, level), &stream, "starting deflate")
        defer { deflateEnd(&stream) }
        if let dictionary, !dictionary.isEmpty {
            let code = dictionary.withUnsafeBufferPointer { deflateSetDictionary(&stream, $0.baseAddress, uInt($0.count)) }
            try check(code, &stream, "setting the deflate dictionary")
        }

        // The margin is for older zlibs, whose bound was looser.
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 17)
        output[0] = packedMarker
        var input = bytes
        let code = input.withUnsafeMutableBufferPointer { inputBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer in
                stream.next_in = inputBuffer.baseAddress
                stream.avail_in = uInt(inputBuffer.count)
                stream.next_out = outputBuffer.baseAddress! + 1
                stream.avail_out = uInt(outputBuffer.count - 1)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard code == Z_STREAM_END else {
            throw ZlibError(code: code, message: message(of: &stream), context: "deflating \(bytes.count) bytes")
        }
        output.removeSubrange((1 + Int(stream.total_out))...)
        return output
    }

    /// Inflates one body that `isCompressed` accepts. A stream written with a dictionary needs
    /// the same bytes as `dictionary`. A zlib stream's dictionary is checked against the
    /// Adler-32 the stream records. A raw stream inflated against other bytes fails or
    /// returns other bytes, which the caller's digest check rejects.
    /// - Throws: `ZlibError` when the stream is damaged or truncated, has bytes after its end,
    ///   or needs a dictionary that is missing or different (as far as zlib can tell).
    static func decompress(_ compressed: [UInt8], dictionary: [UInt8]? = nil) throws -> [UInt8] {
        try Inflater().decompress(compressed, dictionary: dictionary.map(ChecksummedBytes.init)).bytes
    }

    /// Returns the Adler-32 of `bytes`, the checksum a zlib stream records for its output and
    /// for its dictionary.
    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { UInt32(truncatingIfNeeded: CZlib.adler32(1, $0.baseAddress, uInt($0.count))) }
    }

    /// Bytes and, when known, their Adler-32. Inflating a zlib stream yields the checksum of
    /// its bytes, and the next version in the chain records the same checksum for its
    /// dictionary, so the dictionary is checked without being summed again. A raw stream
    /// records no checksum, so its bytes are summed only if a zlib stream uses them.
    struct ChecksummedBytes {
        var bytes: [UInt8]
        var knownAdler32: UInt32?

        init(_ bytes: [UInt8]) {
            self.bytes = bytes
        }

        init(bytes: [UInt8], adler32: UInt32) {
            self.bytes = bytes
            knownAdler32 = adler32
        }

        var adler32: UInt32 { knownAdler32 ?? ObjectCompression.adler32(bytes) }
    }

    /// The zlib header of a stream (RFC 1950, section 2.2): two bytes, then the Adler-32 of
    /// the preset dictionary when the stream was written with one.
    struct StreamHeader {
        var count: Int
        var dictionaryID: UInt32?

        /// Parses and checks the header as zlib's inflate does, with zlib's messages.
        init(_ stream: [UInt8]) throws {
            guard stream.count >= 2 else { throw Self.truncated }
            let method = stream[0]
            let flags = stream[1]
            guard (UInt16(method) << 8 | UInt16(flags)) % 31 == 0 else { throw Self.invalid("incorrect header check") }
            guard Int32(method & 0x0F) == Z_DEFLATED else { throw Self.invalid("unknown compression method") }
            guard method >> 4 <= 7 else { throw Self.invalid("invalid window size") }
            guard flags & 0x20 != 0 else {
                count = 2
                return
            }
            guard stream.count >= 6 else { throw Self.truncated }
            count = 6
            dictionaryID = stream[2..<6].reduce(0) { $0 << 8 | UInt32($1) }
        }

        static let truncated = ZlibError(code: Z_BUF_ERROR, message: "the stream ends before its end marker", context: "inflating")

        static func invalid(_ message: String) -> ZlibError {
            ZlibError(code: Z_DATA_ERROR, message: message, context: "inflating")
        }
    }

    /// An inflate stream and output buffer kept for many objects. Reading one version of an
    /// object inflates its whole delta chain, and setting up a stream allocates zlib's state
    /// and its 32 KiB window. `inflateReset` keeps both, so one `Inflater` serves every
    /// stream a store reads. It is not safe to share between threads.
    ///
    /// zlib inflates the deflate data raw. For a zlib stream `Inflater` checks the header and
    /// the Adler-32 trailer itself, because zlib would otherwise sum every dictionary again to
    /// compare it with the header, while the caller already has that sum from inflating the
    /// dictionary.
    final class Inflater {
        /// zlib keeps a pointer back to the stream, so it must not move while in use.
        private let stream: UnsafeMutablePointer<z_stream>
        private var output: UnsafeMutableBufferPointer<UInt8>

        /// The largest output buffer kept between objects. A larger object grows the buffer,
        /// which is released after that object, so the memory kept stays bounded.
        static let keptOutputCapacity = 1 << 20

        init() throws {
            let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            stream.initialize(to: z_stream())
            let code = docket_inflate_init_raw(stream)
            guard code == Z_OK else {
                let error = ZlibError(code: code, message: ObjectCompression.message(of: &stream.pointee), context: "starting inflate")
                stream.deallocate()
                throw error
            }
            self.stream = stream
            output = .allocate(capacity: 64 << 10)
        }

        deinit {
            inflateEnd(stream)
            stream.deallocate()
            output.deallocate()
        }

        /// Inflates one zlib stream, as `ObjectCompression.decompress` describes, and returns
        /// the bytes with their Adler-32.
        func decompress(_ compressed: [UInt8], dictionary: ChecksummedBytes?) throws -> ChecksummedBytes {
            try ObjectCompression.check(inflateReset(stream), &stream.pointee, "resetting inflate")
            defer { shrinkOutput() }
            let isPacked = compressed.first == packedMarker
            var headerCount = 1
            if isPacked {
                // A raw stream records no dictionary id, so the dictionary is set unchecked.
                if let dictionary, !dictionary.bytes.isEmpty {
                    let code = dictionary.bytes.withUnsafeBufferPointer { inflateSetDictionary(stream, $0.baseAddress, uInt($0.count)) }
                    try ObjectCompression.check(code, &stream.pointee, "setting the inflate dictionary")
                }
            } else {
                let header = try StreamHeader(compressed)
                if let dictionaryID = header.dictionaryID {
                    try setDictionary(dictionary, recordedID: dictionaryID)
                }
                headerCount = header.count
            }
            return try compressed.withUnsafeBufferPointer { input in
                // zlib reads through next_in but never writes to it.
                stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + headerCount)
                stream.pointee.avail_in = uInt(input.count - headerCount)
                // A version is usually about as long as its base, and a standalone stream
                // expands a few times.
                reserveOutput(max(dictionary?.bytes.count ?? 0, input.count * 4) + 256)
                try inflateAll()
                let bytes = Array(output[..<Int(stream.pointee.total_out)])
                guard isPacked else { return try checkTrailer(of: bytes, in: input) }
                let remaining = Int(stream.pointee.avail_in)
                guard remaining == 0 else {
                    throw ZlibError(code: Z_STREAM_END, message: "\(remaining) bytes follow the end of the stream", context: "inflating")
                }
                return ChecksummedBytes(bytes)
            }
        }

        /// Gives zlib the dictionary after checking it against the Adler-32 in the header.
        private func setDictionary(_ dictionary: ChecksummedBytes?, recordedID: UInt32) throws {
            guard let dictionary else {
                throw ZlibError(code: Z_NEED_DICT, message: "the stream needs a dictionary and none was given", context: "inflating")
            }
            let context = "setting the inflate dictionary (Z_DATA_ERROR: not the dictionary the stream was written with)"
            guard dictionary.adler32 == recordedID else {
                throw ZlibError(code: Z_DATA_ERROR, message: ObjectCompression.message(of: &stream.pointee), context: context)
            }
            let code = dictionary.bytes.withUnsafeBufferPointer { inflateSetDictionary(stream, $0.baseAddress, uInt($0.count)) }
            try ObjectCompression.check(code, &stream.pointee, context)
        }

        /// Runs inflate until the end of the deflate data.
        private func inflateAll() throws {
            while true {
                if stream.pointee.avail_out == 0 {
                    reserveOutput(output.count * 2)
                }
                let code = inflate(stream, Z_NO_FLUSH)
                switch code {
                case Z_STREAM_END:
                    return
                case Z_OK:
                    continue
                case Z_BUF_ERROR where stream.pointee.avail_in == 0:
                    throw StreamHeader.truncated
                default:
                    throw ZlibError(code: code, message: ObjectCompression.message(of: &stream.pointee), context: "inflating")
                }
            }
        }

        /// Checks the four bytes after the deflate data, the Adler-32 of `bytes`, and that
        /// nothing follows them, in the order zlib's inflate checks them.
        private func checkTrailer(of bytes: [UInt8], in input: UnsafeBufferPointer<UInt8>) throws -> ChecksummedBytes {
            let remaining = Int(stream.pointee.avail_in)
            guard remaining >= 4 else { throw StreamHeader.truncated }
            let trailerStart = input.count - remaining
            let recorded = input[trailerStart..<(trailerStart + 4)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            let checksum = ObjectCompression.adler32(bytes)
            guard recorded == checksum else { throw StreamHeader.invalid("incorrect data check") }
            guard remaining == 4 else {
                throw ZlibError(code: Z_STREAM_END, message: "\(remaining - 4) bytes follow the end of the stream", context: "inflating")
            }
            return ChecksummedBytes(bytes: bytes, adler32: checksum)
        }

        /// Makes the output buffer hold at least `capacity` bytes, keeping what inflate wrote,
        /// and points the stream past that output.
        private func reserveOutput(_ capacity: Int) {
            let written = Int(stream.pointee.total_out)
            if capacity > output.count {
                let larger = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: capacity)
                _ = larger.initialize(from: output[..<written])
                output.deallocate()
                output = larger
            }
            stream.pointee.next_out = output.baseAddress! + written
            stream.pointee.avail_out = uInt(clamping: output.count - written)
        }

        private func shrinkOutput() {
            guard output.count > Self.keptOutputCapacity else { return }
            output.deallocate()
            output = .allocate(capacity: 64 << 10)
        }
    }

    fileprivate static func check(_ code: Int32, _ stream: inout z_stream, _ context: String) throws {
        guard code == Z_OK else {
            throw ZlibError(code: code, message: message(of: &stream), context: context)
        }
    }

    fileprivate static func message(of stream: inout z_stream) -> String {
        stream.msg.map { String(cString: $0) } ?? "no message"
    }
}
