/// A lowercase hex digest packed into 64-bit words. It is half the size of the hex text and
/// stored inline, so the bundle's record of each distinct file needs no heap block per digest.
struct PackedDigest<Words: SIMD>: Hashable where Words.Scalar == UInt64 {
    private let words: Words

    /// Packs `hex`, or returns nil unless it is exactly 16 lowercase hex digits per word.
    init?(hex: String) {
        guard hex.utf8.count == Words.scalarCount * 16 else { return nil }
        var hex = hex
        // Each word is built in a local and stored once: a generic SIMD element store per
        // digit took a tenth of preparing a snapshot folder.
        let packed: Words? = hex.withUTF8 { digits in
            var words = Words()
            for index in 0..<Words.scalarCount {
                var word: UInt64 = 0
                for digit in digits[(index * 16)..<(index * 16 + 16)] {
                    switch digit {
                    case UInt8(ascii: "0")...UInt8(ascii: "9"): word = word << 4 | UInt64(digit - UInt8(ascii: "0"))
                    case UInt8(ascii: "a")...UInt8(ascii: "f"): word = word << 4 | UInt64(digit - UInt8(ascii: "a") + 10)
                    default: return nil
                    }
                }
                words[index] = word
            }
            return words
        }
        guard let packed else { return nil }
        words = packed
    }

    /// Hashes `bytes` with `algorithm`, whose digest must have this type's size.
    init(_ algorithm: DigestAlgorithm, of bytes: [UInt8]) {
        guard let packed = Self(hex: Digest.hex(algorithm, bytes)) else {
            preconditionFailure("a \(algorithm) digest does not fit \(Words.scalarCount) words")
        }
        self = packed
    }

    /// Unpacks the raw digest `bytes`, or returns nil unless there are exactly 8 per word.
    init?(bytes: [UInt8]) {
        guard bytes.count == Words.scalarCount * 8 else { return nil }
        var words = Words()
        for (offset, byte) in bytes.enumerated() {
            words[offset / 8] = words[offset / 8] << 8 | UInt64(byte)
        }
        self.words = words
    }

    /// The raw digest, as many bytes as the hash function outputs.
    var bytes: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Words.scalarCount * 8)
        for index in 0..<Words.scalarCount {
            withUnsafeBytes(of: words[index].bigEndian) { bytes += $0 }
        }
        return bytes
    }

    /// The digest as lowercase hex, as it was packed.
    var hex: String {
        var text: [UInt8] = []
        appendHex(to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// Appends the digest as lowercase hex to `output`, for the manifest line of every
    /// payload file.
    func appendHex(to output: inout [UInt8]) {
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: Words.scalarCount * 16))
        output.withUnsafeMutableBufferPointer { text in
            var position = start
            for index in 0..<Words.scalarCount {
                let word = words[index]
                for shift in stride(from: 60, through: 0, by: -4) {
                    text[position] = lowercaseHexDigit(UInt8(truncatingIfNeeded: word >> UInt64(shift)) & 0x0F)
                    position += 1
                }
            }
        }
    }
}

typealias PackedSHA256 = PackedDigest<SIMD4<UInt64>>
typealias PackedSHA512 = PackedDigest<SIMD8<UInt64>>

extension PackedDigest: Sendable where Words: Sendable {}
