/// How the elements of two versions of an array are paired, for field diffs and JSON
/// patches alike.
///
/// Arrays of objects are matched by key: `id` when every element has a distinct scalar
/// `id`, else the first natural key in `naturalKeys` that every element has, distinct on
/// each side. Arrays that have no such key (scalars, mixed values, objects without a common
/// key) are compared as multisets, because the Heroku lists Docket stores carry no meaning
/// in their order, with the exceptions that `VolatilityPolicy.orderedArrays` names.
public enum ArrayMatching {
    /// Members tried, in this order, as the key of an array of objects.
    public static let naturalKeys = ["id", "uuid", "name", "hostname", "email", "type"]

    /// The member that identifies elements in both `old` and `new`, or nil when none does.
    static func key(old: [JSONValue], new: [JSONValue]) -> String? {
        let elements = old + new
        guard !elements.isEmpty, elements.allSatisfy({ $0.objectValue != nil }) else { return nil }
        return naturalKeys.first { isKey($0, in: old) && isKey($0, in: new) }
    }

    private static func isKey(_ key: String, in elements: [JSONValue]) -> Bool {
        var seen: Set<JSONValue> = []
        for element in elements {
            guard let value = element[key], isScalarKey(value), seen.insert(value).inserted else { return false }
        }
        return true
    }

    private static func isScalarKey(_ value: JSONValue) -> Bool {
        switch value {
        case .string, .number: return true
        default: return false
        }
    }

    /// A form of `value` in which arrays compared as multisets are sorted, so two values are
    /// equal here exactly when the field diff finds no change between them.
    static func normalized(_ value: JSONValue, isOrdered: (FieldPath) -> Bool, path: FieldPath = FieldPath()) -> JSONValue {
        switch value {
        case .object(let members):
            var result: [String: JSONValue] = [:]
            for (name, member) in members {
                result[name] = normalized(member, isOrdered: isOrdered, path: path.appending(.member(name)))
            }
            return .object(result)
        case .array(let elements):
            let key = key(old: elements, new: elements)
            let normalizedElements = elements.map { element in
                let elementPath = key.map { path.appending(.element(key: $0, value: element[$0]!)) } ?? path
                return normalized(element, isOrdered: isOrdered, path: elementPath)
            }
            if isOrdered(path) {
                return .array(normalizedElements)
            }
            return .array(normalizedElements.sorted { CanonicalJSON.encode($0).lexicographicallyPrecedes(CanonicalJSON.encode($1)) })
        default:
            return value
        }
    }
}
