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
/// before schema 4 hold zlib streams (RFC 1950), which start with `zlibMarker`. Both forms read.
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
    /// the same bytes as `dictionary`. zlib checks a zlib stream's dictionary against the
    /// Adler-32 the stream records. A raw stream inflated against other bytes fails or
    /// returns other bytes, which the caller's digest check rejects.
    /// - Throws: `ZlibError` when the stream is damaged or truncated, has bytes after its end,
    ///   or needs a dictionary that is missing or different (as far as zlib can tell).
    static func decompress(_ compressed: [UInt8], dictionary: [UInt8]? = nil) throws -> [UInt8] {
        try Inflater().decompress(compressed, dictionary: dictionary)
    }

    /// An inflate stream and output buffer kept for many objects. Reading one version of an
    /// object inflates its whole delta chain, and setting up a stream allocates zlib's state
    /// and its 32 KiB window. `inflateReset2` keeps both and switches between raw and zlib
    /// streams, so one `Inflater` serves every stream a store reads. It is not safe to share
    /// between threads.
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

        /// Inflates one body, as `ObjectCompression.decompress` describes.
        func decompress(_ compressed: [UInt8], dictionary: [UInt8]?) throws -> [UInt8] {
            guard !compressed.isEmpty else { throw Self.truncated }
            let isPacked = compressed.first == packedMarker
            let windowBits = isPacked ? -MAX_WBITS : MAX_WBITS
            try ObjectCompression.check(inflateReset2(stream, windowBits), &stream.pointee, "resetting inflate")
            defer { shrinkOutput() }
            if isPacked, let dictionary, !dictionary.isEmpty {
                // A raw stream records no dictionary id, so zlib never requests the dictionary
                // and it is set before the first call.
                try setDictionary(dictionary)
            }
            let skipped = isPacked ? 1 : 0
            return try compressed.withUnsafeBufferPointer { input in
                // zlib reads through next_in but never writes to it.
                stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + skipped)
                stream.pointee.avail_in = uInt(input.count - skipped)
                // A version is usually about as long as its base, and a standalone stream
                // expands a few times.
                reserveOutput(max(dictionary?.count ?? 0, input.count * 4) + 256)
                try inflateAll(dictionary: isPacked ? nil : dictionary)
                let remaining = Int(stream.pointee.avail_in)
                guard remaining == 0 else {
                    throw ZlibError(code: Z_STREAM_END, message: "\(remaining) bytes follow the end of the stream", context: "inflating")
                }
                return Array(output[..<Int(stream.pointee.total_out)])
            }
        }

        static let truncated = ZlibError(code: Z_BUF_ERROR, message: "the stream ends before its end marker", context: "inflating")

        private func setDictionary(_ dictionary: [UInt8]) throws {
            let code = dictionary.withUnsafeBufferPointer { inflateSetDictionary(stream, $0.baseAddress, uInt($0.count)) }
            try ObjectCompression.check(
                code, &stream.pointee, "setting the inflate dictionary (Z_DATA_ERROR: not the dictionary the stream was written with)")
        }

        /// Runs inflate until the end of the stream, giving a zlib stream `dictionary` when
        /// zlib requests it.
        private func inflateAll(dictionary: [UInt8]?) throws {
            var isDictionarySet = false
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
                case Z_NEED_DICT:
                    guard let dictionary, !isDictionarySet else {
                        throw ZlibError(code: code, message: "the stream needs a dictionary and none was given", context: "inflating")
                    }
                    try setDictionary(dictionary)
                    isDictionarySet = true
                case Z_BUF_ERROR where stream.pointee.avail_in == 0:
                    throw Self.truncated
                default:
                    throw ZlibError(code: code, message: ObjectCompression.message(of: &stream.pointee), context: "inflating")
                }
            }
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
