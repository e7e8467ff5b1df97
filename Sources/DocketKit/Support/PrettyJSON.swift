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

    private static func write(_ value: JSONValue, indent: Int, into output: inout [UInt8]) {
        switch value {
        case .array(let elements) where !elements.isEmpty:
            output.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                output.append(position == 0 ? UInt8(ascii: "\n") : UInt8(ascii: ","))
                if position > 0 { output.append(UInt8(ascii: "\n")) }
                pad(indent + 1, into: &output)
                write(element, indent: indent + 1, into: &output)
            }
            output.append(UInt8(ascii: "\n"))
            pad(indent, into: &output)
            output.append(UInt8(ascii: "]"))
        case .object(let members) where !members.isEmpty:
            output.append(UInt8(ascii: "{"))
            for (position, member) in CanonicalJSON.sortedMembers(members).enumerated() {
                output.append(position == 0 ? UInt8(ascii: "\n") : UInt8(ascii: ","))
                if position > 0 { output.append(UInt8(ascii: "\n")) }
                pad(indent + 1, into: &output)
                CanonicalJSON.writeString(member.key, into: &output)
                output.append(UInt8(ascii: ":"))
                output.append(UInt8(ascii: " "))
                write(member.value, indent: indent + 1, into: &output)
            }
            output.append(UInt8(ascii: "\n"))
            pad(indent, into: &output)
            output.append(UInt8(ascii: "}"))
        default:
            CanonicalJSON.write(value, into: &output)
        }
    }

    private static func pad(_ indent: Int, into output: inout [UInt8]) {
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * 2))
    }
}
