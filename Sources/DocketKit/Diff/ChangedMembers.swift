/// The parsing of two versions of a resource down to their top-level members whose bytes
/// differ, without parsing the members that are equal.
///
/// Stored bodies are canonical JSON: one text for one value, so a member whose name and value
/// bytes are equal on both sides has no field change, and the field diff needs only the others.
/// A reference rename (see `VolatilityPolicy.isReferenceRename`) looks up the `id` next to a
/// changed `name`, always inside the same top-level member, so that member is kept whole.
enum ChangedMembers {
    /// Returns `old` and `new` parsed with only the top-level members whose bytes differ.
    /// Bytes that are not both plain JSON objects are parsed whole, so that the parser reports
    /// what is wrong with them.
    /// - Throws: `JSONParseError` when either text is not JSON.
    static func parse(old: [UInt8], new: [UInt8]) throws -> (old: JSONValue, new: JSONValue) {
        guard let oldMembers = MemberScanner.members(of: old), let newMembers = MemberScanner.members(of: new) else {
            return (try JSONParser.parse(bytes: old), try JSONParser.parse(bytes: new))
        }
        var oldText: [UInt8] = [UInt8(ascii: "{")]
        var newText: [UInt8] = [UInt8(ascii: "{")]
        if oldMembers.map({ old[$0.name] }) == newMembers.map({ new[$0.name] }) {
            // The usual case: the same names in the same order.
            for (oldMember, newMember) in zip(oldMembers, newMembers) where old[oldMember.value] != new[newMember.value] {
                append(oldMember, of: old, to: &oldText)
                append(newMember, of: new, to: &newText)
            }
        } else {
            let oldValues = values(oldMembers, of: old)
            let newValues = values(newMembers, of: new)
            for member in oldMembers where newValues[old[member.name]] != old[member.value] {
                append(member, of: old, to: &oldText)
            }
            for member in newMembers where oldValues[new[member.name]] != new[member.value] {
                append(member, of: new, to: &newText)
            }
        }
        oldText.append(UInt8(ascii: "}"))
        newText.append(UInt8(ascii: "}"))
        return (try JSONParser.parse(bytes: oldText), try JSONParser.parse(bytes: newText))
    }

    /// Returns the bytes of each member's value by the bytes of its name. A name listed twice,
    /// which the parser rejects, keeps its first value.
    private static func values(_ members: [MemberScanner.Member], of bytes: [UInt8]) -> [ArraySlice<UInt8>: ArraySlice<UInt8>] {
        var result: [ArraySlice<UInt8>: ArraySlice<UInt8>] = [:]
        for member in members where result[bytes[member.name]] == nil {
            result[bytes[member.name]] = bytes[member.value]
        }
        return result
    }

    /// Appends `"name":value` to an object's text, after a comma unless it is the first member.
    private static func append(_ member: MemberScanner.Member, of bytes: [UInt8], to text: inout [UInt8]) {
        if text.count > 1 {
            text.append(UInt8(ascii: ","))
        }
        text += bytes[member.name.lowerBound..<member.value.upperBound]
    }
}

/// A reader of the top-level members of a JSON object without whitespace, such as canonical
/// JSON. It finds where each name and value starts and ends and checks nothing else: the
/// parser reads the members that matter and rejects what is not JSON.
struct MemberScanner {
    /// One member: the bytes of its name (quotes included) and of its value.
    struct Member {
        var name: Range<Int>
        var value: Range<Int>
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    /// Returns the members of the object in `bytes` in their order, or nil when the bytes are
    /// not an object without whitespace, or end inside one.
    static func members(of bytes: [UInt8]) -> [Member]? {
        bytes.withUnsafeBufferPointer { buffer in
            var scanner = MemberScanner(bytes: buffer)
            return scanner.scanObject()
        }
    }

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    private mutating func scanObject() -> [Member]? {
        guard take(UInt8(ascii: "{")) else { return nil }
        var members: [Member] = []
        if take(UInt8(ascii: "}")) {
            return index == bytes.count ? members : nil
        }
        while true {
            let nameStart = index
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), skipValue() else { return nil }
            let name = nameStart..<index
            guard take(UInt8(ascii: ":")) else { return nil }
            let valueStart = index
            guard skipValue() else { return nil }
            members.append(Member(name: name, value: valueStart..<index))
            if take(UInt8(ascii: ",")) { continue }
            guard take(UInt8(ascii: "}")), index == bytes.count else { return nil }
            return members
        }
    }

    /// Moves past one value: a string, an object or array with everything in it, or a number
    /// or literal, which ends at the next comma or closing bracket.
    private mutating func skipValue() -> Bool {
        guard index < bytes.count else { return false }
        switch bytes[index] {
        case UInt8(ascii: "\""):
            return skipString()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    guard skipString() else { return false }
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                default:
                    break
                }
                index += 1
                if depth == 0 { return true }
            }
            return false
        default:
            let start = index
            while index < bytes.count, !Self.endsScalar(bytes[index]) {
                index += 1
            }
            return index > start
        }
    }

    /// Moves past a string, its quotes and escapes included.
    private mutating func skipString() -> Bool {
        index += 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                index += 1
                return true
            case UInt8(ascii: "\\"):
                index += 2
            default:
                index += 1
            }
        }
        return false
    }

    private static func endsScalar(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]")
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }
}
