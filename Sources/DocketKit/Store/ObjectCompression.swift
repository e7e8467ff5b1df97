internal import CZlib

/// A failed zlib call: the return code, zlib's own message and what Docket was doing.
public struct ZlibError: Error, CustomStringConvertible, Sendable {
    public let code: Int32
    public let message: String
    public let context: String

    public var description: String { "\(context): \(message) (zlib code \(code))" }
}

/// zlib streams (RFC 1950) of store objects, either standalone or deflated against a preset
/// dictionary.
///
/// The dictionary is the canonical bytes of a similar object, such as the previous version of
/// the same resource. Deflate then copies unchanged runs from it, so a resource whose
/// counters moved costs about as many bytes as the fields that changed. Deflate looks back
/// at most 32 KiB, so only the last 32 KiB of a dictionary can help.
enum ObjectCompression {
    /// The first byte of every stream this type writes (deflate with a 32 KiB window).
    /// Canonical JSON never starts with it, so a stored body shows by itself whether it is
    /// compressed.
    static let streamMarker: UInt8 = 0x78

    /// zlib's default level: on Docket's objects, level 9 saves under 1 % more and costs
    /// about twice the time.
    static let level: Int32 = 6

    static func isCompressed(_ body: [UInt8]) -> Bool {
        body.first == streamMarker
    }

    /// Deflates `bytes` into one zlib stream, using `dictionary` as preset dictionary when
    /// given; `decompress` then needs the same dictionary.
    /// - Throws: `ZlibError` when zlib fails, which only happens when it runs out of memory.
    static func compress(_ bytes: [UInt8], dictionary: [UInt8]? = nil) throws -> [UInt8] {
        var stream = z_stream()
        try check(docket_deflate_init(&stream, level), &stream, "starting deflate")
        defer { deflateEnd(&stream) }
        if let dictionary, !dictionary.isEmpty {
            let code = dictionary.withUnsafeBufferPointer { deflateSetDictionary(&stream, $0.baseAddress, uInt($0.count)) }
            try check(code, &stream, "setting the deflate dictionary")
        }

        // deflateBound covers the dictionary id in the header; the margin is for older zlibs.
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 16)
        var input = bytes
        let code = input.withUnsafeMutableBufferPointer { inputBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer in
                stream.next_in = inputBuffer.baseAddress
                stream.avail_in = uInt(inputBuffer.count)
                stream.next_out = outputBuffer.baseAddress
                stream.avail_out = uInt(outputBuffer.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard code == Z_STREAM_END else {
            throw ZlibError(code: code, message: message(of: &stream), context: "deflating \(bytes.count) bytes")
        }
        output.removeSubrange(Int(stream.total_out)...)
        return output
    }

    /// Inflates one zlib stream. A stream written with a dictionary needs the same bytes as
    /// `dictionary`; zlib checks them against the Adler-32 the stream records.
    /// - Throws: `ZlibError` when the stream is damaged or truncated, has bytes after its end,
    ///   or needs a dictionary that is missing or different.
    static func decompress(_ compressed: [UInt8], dictionary: [UInt8]? = nil) throws -> [UInt8] {
        var stream = z_stream()
        try check(docket_inflate_init(&stream), &stream, "starting inflate")
        defer { inflateEnd(&stream) }
        var input = compressed
        return try input.withUnsafeMutableBufferPointer { inputBuffer in
            stream.next_in = inputBuffer.baseAddress
            stream.avail_in = uInt(inputBuffer.count)
            return try inflateAll(&stream, dictionary: dictionary)
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
