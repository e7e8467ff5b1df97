/// Copy deltas: a body form that rebuilds an object from its base by copying runs of the
/// base's bytes and inserting the bytes that are new, as git's pack deltas do.
///
/// A deflate stream against a preset dictionary (`ObjectCompression`) codes a change in about
/// as few bytes, but inflating it decodes every byte of the version, and a read inflates every
/// version of its chain. Applying a copy delta moves whole runs with `memcpy`. On the
/// benchmark's `estate` account, zlib took 23 % of the CPU samples of `docket diff` (perf),
/// mostly for tree leaves, whose reads inflated five versions on average. A prototype in
/// Python tried 3,000 of that store's deltas. The copy delta was at most 8 bytes larger than
/// the deflate stream for 90 % of them. Kept there, it made the deltas 2.8 % smaller in all,
/// because where it is the smaller one it is smaller by more.
///
/// Both sides are packed by `DigestPacking`: the delta turns the base packed as a dictionary
/// into the version packed, so a changed digest costs its 33 packed bytes.
///
/// The instructions follow `ObjectCompression.copyDeltaMarker` up to the end of the body:
/// - `0x01` to `0x7F`: insert. That many bytes follow, and are written as they are.
/// - `0x80`: copy. An offset and a length follow, each an unsigned LEB128 number, and the
///   length bytes of the base from that offset on are written.
/// - Any other byte is invalid.
enum CopyDelta {
    /// A copy delta that cannot be applied to its base: it ends inside an instruction, has an
    /// invalid instruction byte, or copies bytes from outside the base.
    struct Malformed: Error, CustomStringConvertible, Sendable {
        let description: String
    }

    /// The shortest run of the base that a copy takes. A copy instruction costs at least 3
    /// bytes (its byte, an offset and a length), so a shorter run is about as cheap inserted.
    static let minimumMatch = 4

    /// The maximum number of places in the base that the encoder compares with each position
    /// of the version, latest first, as zlib bounds its hash chains.
    static let candidatesCompared = 8

    static let copyInstruction: UInt8 = 0x80
    static let longestInsert = 0x7F

    /// Returns the instructions that turn `base` into `target`, without the marker byte.
    ///
    /// Each 4-byte run of the base is hashed into a table with a chain of earlier places per
    /// entry. At each position of the target, the longest match is copied, extended back over
    /// bytes not yet written, and bytes with no match are inserted. The place that continues
    /// the last copy is compared first and wins a tie. JSON repeats its keys, so the latest
    /// places with the same 4 bytes are often in another entry, and an unchanged run would
    /// otherwise be copied in pieces from wherever its text repeats.
    static func encode(_ target: [UInt8], from base: [UInt8]) -> [UInt8] {
        var instructions: [UInt8] = []
        instructions.reserveCapacity(target.count / 8 + 16)
        target.withUnsafeBufferPointer { target in
            base.withUnsafeBufferPointer { base in
                encode(target, from: base, into: &instructions)
            }
        }
        return instructions
    }

    private static func encode(_ target: UnsafeBufferPointer<UInt8>, from base: UnsafeBufferPointer<UInt8>, into instructions: inout [UInt8]) {
        var bits = 8
        while 1 << bits < 2 * base.count && bits < 20 {
            bits += 1
        }
        var latest = [Int32](repeating: -1, count: 1 << bits)
        var earlier = [Int32](repeating: -1, count: max(base.count, 1))
        if base.count >= minimumMatch {
            for place in 0...(base.count - minimumMatch) {
                let slot = hash(base, place, bits)
                earlier[place] = latest[slot]
                latest[slot] = Int32(place)
            }
        }

        func matchLength(_ position: Int, _ place: Int) -> Int {
            var length = 0
            while position + length < target.count && place + length < base.count && target[position + length] == base[place + length] {
                length += 1
            }
            return length
        }

        var pendingStart = 0
        // Where the last copy ended in the base.
        var copyEnd = 0
        var position = 0
        while position + minimumMatch <= target.count {
            // Bytes inserted since the last copy are taken to replace as many of the base.
            let continuing = copyEnd + (position - pendingStart)
            var bestPlace = continuing
            var bestLength = continuing < base.count ? matchLength(position, continuing) : 0
            var candidate = Int(latest[hash(target, position, bits)])
            var compared = 0
            while candidate >= 0 && compared < candidatesCompared {
                if candidate != continuing {
                    let length = matchLength(position, candidate)
                    if length > bestLength {
                        bestLength = length
                        bestPlace = candidate
                    }
                }
                candidate = Int(earlier[candidate])
                compared += 1
            }
            guard bestLength >= minimumMatch else {
                position += 1
                continue
            }
            // Bytes before the match that also precede its place in the base join the copy.
            while position > pendingStart && bestPlace > 0 && target[position - 1] == base[bestPlace - 1] {
                position -= 1
                bestPlace -= 1
                bestLength += 1
            }
            appendInsert(target, pendingStart..<position, to: &instructions)
            instructions.append(copyInstruction)
            appendNumber(bestPlace, to: &instructions)
            appendNumber(bestLength, to: &instructions)
            position += bestLength
            pendingStart = position
            copyEnd = bestPlace + bestLength
        }
        appendInsert(target, pendingStart..<target.count, to: &instructions)
    }

    /// Hashes the 4 bytes at `offset` into a table index of `bits` bits, multiplying by the
    /// 32-bit golden-ratio constant and keeping the top bits.
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>, _ offset: Int, _ bits: Int) -> Int {
        let word = UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
        return Int((word &* 2_654_435_761) >> UInt32(32 - bits))
    }

    private static func appendInsert(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, to instructions: inout [UInt8]) {
        var start = range.lowerBound
        while start < range.upperBound {
            let count = min(longestInsert, range.upperBound - start)
            instructions.append(UInt8(count))
            instructions.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<(start + count)]))
            start += count
        }
    }

    private static func appendNumber(_ value: Int, to instructions: inout [UInt8]) {
        var rest = UInt(value)
        while rest >= 0x80 {
            instructions.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        instructions.append(UInt8(rest))
    }

    /// Applies `instructions` to `base` and returns the bytes they build.
    /// - Throws: `Malformed` when the instructions end inside an instruction, contain an
    ///   invalid instruction byte or copy bytes from outside `base`.
    static func apply(_ instructions: UnsafeBufferPointer<UInt8>, to base: UnsafeBufferPointer<UInt8>) throws -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(base.count + instructions.count)
        var position = 0
        while position < instructions.count {
            let instruction = instructions[position]
            position += 1
            if instruction == copyInstruction {
                let offset = try readNumber(instructions, &position)
                let length = try readNumber(instructions, &position)
                guard length > 0, offset <= base.count, length <= base.count - offset else {
                    throw Malformed(description: "a copy of \(length) bytes from offset \(offset) lies outside its \(base.count)-byte base")
                }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: base[offset..<(offset + length)]))
            } else if instruction >= 1 && Int(instruction) <= longestInsert {
                let count = Int(instruction)
                guard count <= instructions.count - position else {
                    throw Malformed(description: "an insert of \(count) bytes runs past the end of the delta")
                }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: instructions[position..<(position + count)]))
                position += count
            } else {
                throw Malformed(description: "invalid instruction byte \(instruction) at offset \(position - 1)")
            }
        }
        return output
    }

    /// Reads one unsigned LEB128 number of at most 9 bytes.
    private static func readNumber(_ bytes: UnsafeBufferPointer<UInt8>, _ position: inout Int) throws -> Int {
        var value = 0
        var shift = 0
        while position < bytes.count && shift < 63 {
            let byte = bytes[position]
            position += 1
            value |= Int(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        throw Malformed(description: "a copy instruction ends inside a number")
    }
}
