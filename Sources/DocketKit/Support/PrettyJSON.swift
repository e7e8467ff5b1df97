/// Readable JSON with keys in canonical order and two-space indentation, for files that
/// people read: `show` output and the evidence files inside bundles.
public enum PrettyJSON {
    public static func encode(_ value: JSONValue) -> String {
        String(decoding: encodeBytes(value), as: UTF8.self)
    }

    /// Returns the UTF-8 bytes of `encode(value)`, built without a string in between, because
    /// a bundle renders hundreds of thousands of these files.
    public static func encodeBytes(_ value: JSONValue) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(1024)
        write(value, indent: 0, into: &output)
        output.append(UInt8(ascii: "\n"))
        return output
    }

    /// Returns `encodeBytes` of the value whose canonical bytes (RFC 8785) are `canonical`,
    /// by adding line breaks and indentation between its tokens. Canonical JSON has keys in
    /// the order this writes them, the same strings and numbers, and no whitespace outside
    /// strings, so only the layout differs. A bundle renders each new version of a resource,
    /// and parsing it first took most of that time.
    ///
    /// Returns nil for whitespace outside strings, a byte that starts no JSON token,
    /// unbalanced brackets or anything after the value, for which the caller parses the
    /// bytes instead. Other departures from canonical form, such as unsorted keys, are not
    /// detected: the store writes objects in canonical form, and their digests cover it.
    public static func reindent(canonical bytes: [UInt8]) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + bytes.count / 2 + 64)
        var depth = 0
        let isComplete = bytes.withUnsafeBufferPointer { input -> Bool in
            var index = 0
            while index < input.count {
                let byte = input[index]
                // At the top level, only the rest of a number, `true`, `false` or `null` may
                // follow the first byte: a closed value must end the input.
                if depth == 0 && index > 0 && !(isScalarByte(input[index - 1]) && isScalarByte(byte)) { return false }
                switch byte {
                case UInt8(ascii: "\""):
                    guard let end = stringEnd(in: input, from: index) else { return false }
                    output.append(contentsOf: UnsafeBufferPointer(rebasing: input[index..<end]))
                    index = end
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    let close = byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
                    output.append(byte)
                    if index + 1 < input.count && input[index + 1] == close {
                        output.append(close)
                        index += 2
                        continue
                    }
                    depth += 1
                    output.append(UInt8(ascii: "\n"))
                    pad(depth, into: &output)
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    guard depth >= 0 else { return false }
                    output.append(UInt8(ascii: "\n"))
                    pad(depth, into: &output)
                    output.append(byte)
                case UInt8(ascii: ","):
                    output.append(byte)
                    output.append(UInt8(ascii: "\n"))
                    pad(depth, into: &output)
                case UInt8(ascii: ":"):
                    output.append(byte)
                    output.append(UInt8(ascii: " "))
                default:
                    guard isScalarByte(byte) else { return false }
                    output.append(byte)
                }
                index += 1
            }
            return true
        }
        guard isComplete, depth == 0, !bytes.isEmpty else { return nil }
        output.append(UInt8(ascii: "\n"))
        return output
    }

    /// Returns whether `byte` may appear in a number, `true`, `false` or `null`.
    private static func isScalarByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "e"),
            UInt8(ascii: "E"), UInt8(ascii: "t"), UInt8(ascii: "r"), UInt8(ascii: "u"), UInt8(ascii: "f"), UInt8(ascii: "a"),
            UInt8(ascii: "l"), UInt8(ascii: "s"), UInt8(ascii: "n"):
            true
        default:
            false
        }
    }

    /// Returns the index after the closing quote of the string that starts at `start`, or nil
    /// when it is not closed.
    private static func stringEnd(in input: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var index = start + 1
        while index < input.count {
            switch input[index] {
            case UInt8(ascii: "\""): return index + 1
            case UInt8(ascii: "\\"): index += 2
            default: index += 1
            }
        }
        return nil
    }

    /// Appends `value` as `encodeBytes` lays it out at nesting depth `indent`, without the
    /// indentation of its first line.
    static func write(_ value: JSONValue, indent: Int, into output: inout [UInt8]) {
        switch value {
        case .array(let elements) where !elements.isEmpty:
            output.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                beginElement(position, indent: indent + 1, into: &output)
                write(element, indent: indent + 1, into: &output)
            }
            end(UInt8(ascii: "]"), indent: indent, into: &output)
        case .object(let members) where !members.isEmpty:
            output.append(UInt8(ascii: "{"))
            for (position, member) in CanonicalJSON.sortedMembers(members).enumerated() {
                beginMember(position, key: member.key, indent: indent + 1, into: &output)
                write(member.value, indent: indent + 1, into: &output)
            }
            end(UInt8(ascii: "}"), indent: indent, into: &output)
        default:
            CanonicalJSON.write(value, into: &output)
        }
    }

    /// Appends what comes before the element at `position` of a non-empty array or object
    /// whose elements are at depth `indent`: a comma after the one before, a line break and
    /// the indentation. `write` and the files that a bundle writes without `JSONValue`s share it.
    static func beginElement(_ position: Int, indent: Int, into output: inout [UInt8]) {
        if position > 0 { output.append(UInt8(ascii: ",")) }
        output.append(UInt8(ascii: "\n"))
        pad(indent, into: &output)
    }

    /// Appends what comes before an object member's value, as `beginElement` does, then its
    /// key and `: `.
    static func beginMember(_ position: Int, key: String, indent: Int, into output: inout [UInt8]) {
        beginElement(position, indent: indent, into: &output)
        CanonicalJSON.writeString(key, into: &output)
        output.append(UInt8(ascii: ":"))
        output.append(UInt8(ascii: " "))
    }

    /// Appends the end of a non-empty array or object at depth `indent`: a line break, the
    /// indentation and `bracket`.
    static func end(_ bracket: UInt8, indent: Int, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\n"))
        pad(indent, into: &output)
        output.append(bracket)
    }

    /// Appends the indentation of nesting depth `indent`: two spaces a level.
    static func pad(_ indent: Int, into output: inout [UInt8]) {
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * 2))
    }
}
