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
/// A body starts with a marker byte that names its form:
/// - `digestPackedMarker` (0x02): a raw deflate stream (RFC 1951) of the bytes with their
///   quoted SHA-256 hex digests packed to 33 bytes each (see `DigestPacking`), deflated
///   against the dictionary packed the same way. `compress` writes this form where it is
///   the smaller one. Tree objects are mostly digests, and in a small delta a changed
///   digest costs about 33 bytes packed against 64 as hex. On the benchmark's large account,
///   a prototype cut the tree bytes a daily capture adds from 205 kB to 175 kB.
/// - `rawDeflateMarker` (0x01): a raw deflate stream of the bytes as they are. `compress`
///   writes it for bytes without digests or with a 0x00 byte, and where it is the smaller
///   one. Schema 4 stores hold it for every compressed body.
/// - `zlibMarker` (0x78): a zlib stream (RFC 1950), as stores before schema 4 hold.
/// - `copyDeltaMarker` (0x03): not a deflate stream but a copy delta against the base, with
///   digests packed on both sides (see `CopyDelta`). `delta(_:against:packedBase:)` writes
///   it where it is at most `copyDeltaAllowance` bytes larger than the deflate stream.
///
/// All four forms read. The zlib wrapper added 10 bytes to every object (a header, the
/// dictionary's Adler-32 and the output's Adler-32). It checked nothing that the SHA-256 of
/// every read does not check again, because `SnapshotStore.objectBytes` re-hashes what it
/// returns, and `docket check` re-hashes every object. That check also catches a damaged stream that
/// inflates to other bytes or unpacks to other digests. On the benchmark's large account a
/// daily capture writes about 4,000 objects. Canonical JSON starts with none of the markers,
/// so a stored body shows by itself whether it is compressed.
enum ObjectCompression {
    /// The first byte of a raw deflate stream of the bytes as they are.
    static let rawDeflateMarker: UInt8 = 0x01

    /// The first byte of a raw deflate stream of the bytes with their digests packed by
    /// `DigestPacking`.
    static let digestPackedMarker: UInt8 = 0x02

    /// The first byte of a zlib stream with a 32 KiB window, as schema 3 and earlier wrote.
    static let zlibMarker: UInt8 = 0x78

    /// The first byte of a copy delta (see `CopyDelta`), as schema 6 and later write.
    static let copyDeltaMarker: UInt8 = 0x03

    /// How many bytes more a copy delta may take than the deflate stream of the same change,
    /// and still be the one stored. Applying a copy delta copies runs, where inflating decodes
    /// every byte. On 3,000 deltas of the benchmark's `estate` store, 8 bytes kept the copy
    /// delta for 90 % of them, and the deltas took 2.8 % fewer bytes than deflate streams alone.
    static let copyDeltaAllowance = 8

    /// zlib's default level: on Docket's objects, level 9 saves under 1 % more and costs
    /// about twice the time.
    static let level: Int32 = 6

    static func isCompressed(_ body: [UInt8]) -> Bool {
        guard let marker = body.first else { return false }
        return marker == rawDeflateMarker || marker == digestPackedMarker || marker == zlibMarker || marker == copyDeltaMarker
    }

    /// Encodes `bytes` as a delta against `base`: the copy delta when it takes at most
    /// `copyDeltaAllowance` bytes more than the deflate stream `compress` writes against
    /// `base`, else that stream. `packedBase`, when given, must be `base` packed by
    /// `DigestPacking.packDictionary`. Bytes with a 0x00 byte, which packing cannot tell from
    /// a packed digest, get the deflate stream.
    /// - Throws: `ZlibError` when zlib fails, which only happens when it runs out of memory.
    static func delta(_ bytes: [UInt8], against base: [UInt8], packedBase: [UInt8]? = nil) throws -> [UInt8] {
        let deflated = try compress(bytes, dictionary: base)
        guard let packed = DigestPacking.pack(bytes) else { return deflated }
        var body = [copyDeltaMarker]
        body += CopyDelta.encode(packed, from: packedBase ?? DigestPacking.packDictionary(base))
        return body.count <= deflated.count + copyDeltaAllowance ? body : deflated
    }

    /// Deflates `bytes` into a body, using `dictionary` as preset dictionary when given.
    /// `decompress` then needs the same dictionary. When `bytes` contain digests, the body is
    /// the smaller of two: `digestPackedMarker` and a raw deflate stream of the packed bytes,
    /// or `rawDeflateMarker` and a raw deflate stream of `bytes` as they are. Packing wins
    /// where a few digests changed against the dictionary. Without a dictionary, deflate
    /// codes hex in about 4 bits a digit, and raw digest bytes make every other byte's code
    /// longer, so a standalone tree is often smaller unpacked. Bytes with a 0x00 byte,
    /// which packing cannot tell from a packed digest, are never packed.
    /// - Throws: `ZlibError` when zlib fails, which only happens when it runs out of memory.
    static func compress(_ bytes: [UInt8], dictionary: [UInt8]? = nil) throws -> [UInt8] {
        let unpacked = try deflateRaw(bytes, dictionary: dictionary, marker: rawDeflateMarker)
        guard let packed = DigestPacking.pack(bytes), packed.count < bytes.count else { return unpacked }
        let body = try deflateRaw(packed, dictionary: dictionary.map(DigestPacking.packDictionary), marker: digestPackedMarker)
        return body.count < unpacked.count ? body : unpacked
    }

    /// Deflates `bytes` into `marker` followed by a raw deflate stream, against `dictionary`
    /// when given. It does not pack digests, so with `digestPackedMarker` the caller passes
    /// packed bytes and a packed dictionary.
    /// - Throws: `ZlibError` when zlib fails, which only happens when it runs out of memory.
    static func deflateRaw(_ bytes: [UInt8], dictionary: [UInt8]?, marker: UInt8) throws -> [UInt8] {
        var stream = z_stream()
        try check(docket_deflate_init_raw(&stream, level), &stream, "starting deflate")
        defer { deflateEnd(&stream) }
        if let dictionary, !dictionary.isEmpty {
            let code = dictionary.withUnsafeBufferPointer { deflateSetDictionary(&stream, $0.baseAddress, uInt($0.count)) }
            try check(code, &stream, "setting the deflate dictionary")
        }

        // The margin is for older zlibs, whose bound was looser.
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 17)
        output[0] = marker
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
    /// returns other bytes, which the caller's digest check rejects. A `digestPackedMarker`
    /// stream is inflated against the packed dictionary and then unpacked.
    /// - Throws: `ZlibError` when the stream is damaged or truncated, has bytes after its end,
    ///   or needs a dictionary that is missing or different (as far as zlib can tell), and
    ///   `DigestPacking.TruncatedDigest` when a packed stream inflates to a cut-off digest.
    static func decompress(_ compressed: [UInt8], dictionary: [UInt8]? = nil) throws -> [UInt8] {
        try Inflater().decompress(compressed, dictionary: dictionary)
    }

    /// An inflate stream and buffers kept for many objects. Reading one version of an
    /// object inflates its whole delta chain, and setting up a stream allocates zlib's state
    /// and its 32 KiB window. `inflateReset2` keeps both and switches between raw and zlib
    /// streams, so one `Inflater` serves every stream a store reads. It is not safe to share
    /// between threads.
    final class Inflater {
        /// zlib keeps a pointer back to the stream, so it must not move while in use.
        private let stream: UnsafeMutablePointer<z_stream>
        private var output: UnsafeMutableBufferPointer<UInt8>
        /// The dictionary of a `digestPackedMarker` stream, packed.
        private var packedDictionary: UnsafeMutableBufferPointer<UInt8>
        /// The output of a `digestPackedMarker` stream, unpacked.
        private var unpacked: UnsafeMutableBufferPointer<UInt8>

        /// The largest buffer of each kind kept between objects. A larger object grows the
        /// buffers it needs, which are released after that object, so the memory kept stays
        /// bounded.
        static let keptOutputCapacity = 1 << 20

        static let initialCapacity = 64 << 10

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
            output = .allocate(capacity: Self.initialCapacity)
            packedDictionary = .allocate(capacity: Self.initialCapacity)
            unpacked = .allocate(capacity: Self.initialCapacity)
        }

        deinit {
            inflateEnd(stream)
            stream.deallocate()
            output.deallocate()
            packedDictionary.deallocate()
            unpacked.deallocate()
        }

        /// The bytes of one inflated body, and for a `digestPackedMarker` body the packed bytes
        /// it inflated to. Those equal its bytes packed as a dictionary, so a version stored
        /// against this one can use them without packing them again.
        struct Output {
            var bytes: [UInt8]
            var packed: [UInt8]?
        }

        /// Inflates one body, as `ObjectCompression.decompress` describes.
        func decompress(_ compressed: [UInt8], dictionary: [UInt8]?) throws -> [UInt8] {
            try decompressKeepingPacked(compressed, dictionary: dictionary, packedDictionary: nil).bytes
        }

        /// Inflates one body, as `ObjectCompression.decompress` describes. `packedDictionary`,
        /// when given, must be `dictionary` packed by `DigestPacking.packDictionary`. The
        /// `packed` output of the body that `dictionary` came from is such bytes. With it, a
        /// `digestPackedMarker` body inflates without packing its dictionary again. Reading a
        /// tree inflates its chain, and packing each base took 7 % of a diff's time.
        func decompressKeepingPacked(_ compressed: [UInt8], dictionary: [UInt8]?, packedDictionary knownPacked: [UInt8]?) throws -> Output {
            guard let marker = compressed.first else { throw Self.truncated }
            if marker == copyDeltaMarker {
                return try applyCopyDelta(compressed, base: dictionary, packedBase: knownPacked)
            }
            let hasPackedDigests = marker == digestPackedMarker
            let isRaw = marker == rawDeflateMarker || hasPackedDigests
            try ObjectCompression.check(inflateReset2(stream, isRaw ? -MAX_WBITS : MAX_WBITS), &stream.pointee, "resetting inflate")
            defer { shrinkBuffers() }
            if isRaw, let dictionary, !dictionary.isEmpty {
                // A raw stream records no dictionary id, so zlib never requests the dictionary
                // and it is set before the first call.
                if hasPackedDigests, let knownPacked {
                    try knownPacked.withUnsafeBufferPointer { try setDictionary($0) }
                } else if hasPackedDigests {
                    try setPackedDictionary(dictionary)
                } else {
                    try dictionary.withUnsafeBufferPointer { try setDictionary($0) }
                }
            }

            let skipped = isRaw ? 1 : 0
            try compressed.withUnsafeBufferPointer { input in
                // zlib reads through next_in but never writes to it.
                stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + skipped)
                stream.pointee.avail_in = uInt(input.count - skipped)
                // A version is usually about as long as its base, and a standalone stream
                // expands a few times.
                reserveOutput(max(dictionary?.count ?? 0, input.count * 4) + 256)
                try inflateAll(dictionary: isRaw ? nil : dictionary)
                let remaining = Int(stream.pointee.avail_in)
                guard remaining == 0 else {
                    throw ZlibError(code: Z_STREAM_END, message: "\(remaining) bytes follow the end of the stream", context: "inflating")
                }
            }

            let inflated = UnsafeBufferPointer(rebasing: output[..<Int(stream.pointee.total_out)])
            guard hasPackedDigests else { return Output(bytes: Array(inflated), packed: nil) }
            return Output(bytes: try unpack(inflated), packed: Array(inflated))
        }

        static let truncated = ZlibError(code: Z_BUF_ERROR, message: "the stream ends before its end marker", context: "inflating")

        /// Applies a `copyDeltaMarker` body to `base`, packed, and unpacks what it builds.
        /// - Throws: `CopyDelta.Malformed` when there is no base or the delta does not apply,
        ///   and `DigestPacking.TruncatedDigest` when it builds a cut-off digest.
        private func applyCopyDelta(_ body: [UInt8], base: [UInt8]?, packedBase: [UInt8]?) throws -> Output {
            guard let base else { throw CopyDelta.Malformed(description: "a copy delta needs a base, and the object has none") }
            let packedBase = packedBase ?? DigestPacking.packDictionary(base)
            let packed = try body.withUnsafeBufferPointer { body in
                try packedBase.withUnsafeBufferPointer { try CopyDelta.apply(UnsafeBufferPointer(rebasing: body[1...]), to: $0) }
            }
            guard DigestPacking.containsPackedDigest(packed) else { return Output(bytes: packed, packed: packed) }
            let bytes = try packed.withUnsafeBufferPointer { try unpack($0) }
            return Output(bytes: bytes, packed: packed)
        }

        private func setDictionary(_ dictionary: UnsafeBufferPointer<UInt8>) throws {
            let code = inflateSetDictionary(stream, dictionary.baseAddress, uInt(dictionary.count))
            try ObjectCompression.check(
                code, &stream.pointee, "setting the inflate dictionary (Z_DATA_ERROR: not the dictionary the stream was written with)")
        }

        /// Packs `dictionary` as the writer did, in one pass into a kept buffer, and sets it.
        private func setPackedDictionary(_ dictionary: [UInt8]) throws {
            Self.reserve(&packedDictionary, dictionary.count)
            let count = dictionary.withUnsafeBufferPointer { DigestPacking.pack($0, into: packedDictionary) }
            try setDictionary(UnsafeBufferPointer(rebasing: packedDictionary[..<count]))
        }

        /// Unpacks inflated bytes into a kept buffer and returns a copy of exactly their size,
        /// since the bytes may stay in the store's cache of recent bases.
        private func unpack(_ packed: UnsafeBufferPointer<UInt8>) throws -> [UInt8] {
            Self.reserve(&unpacked, DigestPacking.maximumUnpackedCount(packed.count))
            let count = try DigestPacking.unpack(packed, into: unpacked)
            return Array(unpacked[..<count])
        }

        /// Replaces `buffer` by a larger one when it has room for fewer than `capacity` bytes,
        /// without keeping its contents.
        private static func reserve(_ buffer: inout UnsafeMutableBufferPointer<UInt8>, _ capacity: Int) {
            guard capacity > buffer.count else { return }
            buffer.deallocate()
            buffer = .allocate(capacity: capacity)
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
                    try dictionary.withUnsafeBufferPointer { try setDictionary($0) }
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

        private func shrinkBuffers() {
            Self.shrink(&output)
            Self.shrink(&packedDictionary)
            Self.shrink(&unpacked)
        }

        private static func shrink(_ buffer: inout UnsafeMutableBufferPointer<UInt8>) {
            guard buffer.count > keptOutputCapacity else { return }
            buffer.deallocate()
            buffer = .allocate(capacity: initialCapacity)
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
