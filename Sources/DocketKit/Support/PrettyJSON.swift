/// Readable JSON with keys in canonical order and two-space indentation, for files that
/// people read: `show` output and the evidence files inside bundles.
public enum PrettyJSON {
    public static func encode(_ value: JSONValue) -> String {
        var output = ""
        write(value, indent: 0, into: &output)
        output.append("\n")
        return output
    }

    private static func write(_ value: JSONValue, indent: Int, into output: inout String) {
        let padding = String(repeating: "  ", count: indent + 1)
        let closing = String(repeating: "  ", count: indent)
        switch value {
        case .array(let elements) where !elements.isEmpty:
            output.append("[\n")
            for (position, element) in elements.enumerated() {
                output.append(padding)
                write(element, indent: indent + 1, into: &output)
                output.append(position == elements.count - 1 ? "\n" : ",\n")
            }
            output.append(closing + "]")
        case .object(let members) where !members.isEmpty:
            output.append("{\n")
            let keys = CanonicalJSON.sortedKeys(members)
            for (position, key) in keys.enumerated() {
                output.append(padding + CanonicalJSON.encodeString(.string(key)) + ": ")
                write(members[key]!, indent: indent + 1, into: &output)
                output.append(position == keys.count - 1 ? "\n" : ",\n")
            }
            output.append(closing + "}")
        default:
            output.append(CanonicalJSON.encodeString(value))
        }
    }
}
