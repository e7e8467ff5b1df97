/// RFC 6902 JSON Patch generation: a patch that, applied to `old` by any conforming
/// implementation, yields a document equal to `new` (equal as JSON values, so its RFC 8785
/// canonical bytes are those of `new`).
///
/// Patches are computed on the full documents and ignore the volatility policy. Objects are
/// patched member by member. Array elements are paired by key (see `ArrayMatching`), or by
/// value when the array has no key, along a longest common subsequence, so indices stay
/// correct as elements are removed and added: removals come first, from the highest index
/// down, then changes inside kept elements at their new index, then additions in ascending
/// final index. An array that shares no element with its new version, or one too large to
/// pair cheaply, is replaced whole.
public enum JSONPatch {
    /// Pairing arrays costs `old.count * new.count` steps; beyond this the array is replaced.
    static let pairingLimit = 250_000

    /// The operations that turn `old` into `new`; empty when they are equal.
    public static func make(from old: JSONValue, to new: JSONValue) -> [JSONValue] {
        var operations: [JSONValue] = []
        append(from: old, to: new, pointer: "", into: &operations)
        return operations
    }

    /// Escapes one reference token for a JSON Pointer (RFC 6901): `~` as `~0`, `/` as `~1`.
    public static func escape(_ token: String) -> String {
        token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    private static func append(from old: JSONValue, to new: JSONValue, pointer: String, into operations: inout [JSONValue]) {
        if old == new {
            return
        }
        switch (old, new) {
        case (.object(let oldMembers), .object(let newMembers)):
            appendObject(from: oldMembers, to: newMembers, pointer: pointer, into: &operations)
        case (.array(let oldElements), .array(let newElements)):
            appendArray(from: oldElements, to: newElements, pointer: pointer, into: &operations)
        default:
            operations.append(["op": "replace", "path": .string(pointer), "value": new])
        }
    }

    private static func appendObject(
        from old: [String: JSONValue], to new: [String: JSONValue], pointer: String, into operations: inout [JSONValue]
    ) {
        for name in old.keys.sorted() where new[name] == nil {
            operations.append(["op": "remove", "path": .string(pointer + "/" + escape(name))])
        }
        for name in new.keys.sorted() {
            let memberPointer = pointer + "/" + escape(name)
            if let oldValue = old[name] {
                append(from: oldValue, to: new[name]!, pointer: memberPointer, into: &operations)
            } else {
                operations.append(["op": "add", "path": .string(memberPointer), "value": new[name]!])
            }
        }
    }

    private static func appendArray(from old: [JSONValue], to new: [JSONValue], pointer: String, into operations: inout [JSONValue]) {
        let pairs = pairElements(old, new)
        guard let pairs, !(pairs.isEmpty && !old.isEmpty && !new.isEmpty) else {
            operations.append(["op": "replace", "path": .string(pointer), "value": .array(new)])
            return
        }
        let keptOld = Set(pairs.map(\.old))
        let keptNew = Set(pairs.map(\.new))
        for index in old.indices.reversed() where !keptOld.contains(index) {
            operations.append(["op": "remove", "path": .string(pointer + "/\(index)")])
        }
        for (position, pair) in pairs.enumerated() {
            append(from: old[pair.old], to: new[pair.new], pointer: pointer + "/\(position)", into: &operations)
        }
        for index in new.indices where !keptNew.contains(index) {
            operations.append(["op": "add", "path": .string(pointer + "/\(index)"), "value": new[index]])
        }
    }

    /// Index pairs of a longest common subsequence of element identities, ascending, or nil
    /// when the arrays are too large to pair.
    private static func pairElements(_ old: [JSONValue], _ new: [JSONValue]) -> [(old: Int, new: Int)]? {
        guard old.count * new.count <= pairingLimit else { return nil }
        let key = ArrayMatching.key(old: old, new: new)
        let oldIdentities = old.map { identity($0, key: key) }
        let newIdentities = new.map { identity($0, key: key) }
        return longestCommonSubsequence(oldIdentities, newIdentities)
    }

    private static func identity(_ element: JSONValue, key: String?) -> JSONValue {
        if let key, let value = element[key] {
            return value
        }
        return element
    }

    private static func longestCommonSubsequence(_ old: [JSONValue], _ new: [JSONValue]) -> [(old: Int, new: Int)] {
        let columns = new.count + 1
        // lengths[i * columns + j]: LCS length of old[i...] and new[j...].
        var lengths = [Int](repeating: 0, count: (old.count + 1) * columns)
        for i in old.indices.reversed() {
            for j in new.indices.reversed() {
                lengths[i * columns + j] =
                    old[i] == new[j]
                    ? lengths[(i + 1) * columns + j + 1] + 1
                    : max(lengths[(i + 1) * columns + j], lengths[i * columns + j + 1])
            }
        }
        var pairs: [(old: Int, new: Int)] = []
        var i = 0
        var j = 0
        while i < old.count, j < new.count {
            if old[i] == new[j] {
                pairs.append((i, j))
                i += 1
                j += 1
            } else if lengths[(i + 1) * columns + j] >= lengths[i * columns + j + 1] {
                i += 1
            } else {
                j += 1
            }
        }
        return pairs
    }
}
