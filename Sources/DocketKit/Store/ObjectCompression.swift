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
    /// the same bytes as `dictionary`. zlib checks a zlib stream's dictionary against the
    /// Adler-32 the stream records; a raw stream inflated against other bytes fails or
    /// returns other bytes, which the caller's digest check rejects.
    /// - Throws: `ZlibError` when the stream is damaged or truncated, has bytes after its end,
    ///   or needs a dictionary that is missing or different (as far as zlib can tell).
    static func decompress(_ compressed: [UInt8], dictionary: [UInt8]? = nil) throws -> [UInt8] {
        let isPacked = compressed.first == packedMarker
        var stream = z_stream()
        let started = isPacked ? docket_inflate_init_raw(&stream) : docket_inflate_init(&stream)
        try check(started, &stream, "starting inflate")
        defer { inflateEnd(&stream) }
        if isPacked, let dictionary, !dictionary.isEmpty {
            // A raw stream records no dictionary id, so inflate never returns Z_NEED_DICT and
            // the dictionary is set before the first call.
            let set = dictionary.withUnsafeBufferPointer { inflateSetDictionary(&stream, $0.baseAddress, uInt($0.count)) }
            try check(set, &stream, "setting the inflate dictionary")
        }
        var input = isPacked ? Array(compressed.dropFirst()) : compressed
        return try input.withUnsafeMutableBufferPointer { inputBuffer in
            stream.next_in = inputBuffer.baseAddress
            stream.avail_in = uInt(inputBuffer.count)
            return try inflateAll(&stream, dictionary: isPacked ? nil : dictionary)
        }
    }

    /// Runs inflate until the end of the stream, supplying the dictionary when zlib asks.
    private static func inflateAll(_ stream: inout z_stream, dictionary: [UInt8]?) throws -> [UInt8] {
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: max(4096, Int(stream.avail_in) * 8))
        var isDictionarySet = false
        while true {
            let code = chunk.withUnsafeMutableBufferPointer { buffer in
                stream.next_out = buffer.baseAddress
                stream.avail_out = uInt(buffer.count)
                return inflate(&stream, Z_NO_FLUSH)
            }
            output += chunk[..<(chunk.count - Int(stream.avail_out))]
            switch code {
            case Z_STREAM_END:
                guard stream.avail_in == 0 else {
                    throw ZlibError(code: code, message: "\(stream.avail_in) bytes follow the end of the stream", context: "inflating")
                }
                return output
            case Z_NEED_DICT:
                guard let dictionary, !isDictionarySet else {
                    throw ZlibError(code: code, message: "the stream needs a dictionary and none was given", context: "inflating")
                }
                let set = dictionary.withUnsafeBufferPointer { inflateSetDictionary(&stream, $0.baseAddress, uInt($0.count)) }
                try check(set, &stream, "setting the inflate dictionary (Z_DATA_ERROR: not the dictionary the stream was written with)")
                isDictionarySet = true
            case Z_OK:
                continue
            case Z_BUF_ERROR where stream.avail_in == 0:
                throw ZlibError(code: code, message: "the stream ends before its end marker", context: "inflating")
            default:
                throw ZlibError(code: code, message: message(of: &stream), context: "inflating")
            }
        }
    }

    private static func check(_ code: Int32, _ stream: inout z_stream, _ context: String) throws {
        guard code == Z_OK else {
            throw ZlibError(code: code, message: message(of: &stream), context: context)
        }
    }

    private static func message(of stream: inout z_stream) -> String {
        stream.msg.map { String(cString: $0) } ?? "no message"
    }
}
