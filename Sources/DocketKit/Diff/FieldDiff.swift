/// One field that differs between two versions of a resource.
public struct FieldChange: Sendable, Hashable {
    public var path: FieldPath
    /// The old value, or nil when the field was absent (a JSON `null` is `.null`).
    public var old: JSONValue?
    /// The new value, or nil when the field was removed.
    public var new: JSONValue?
    /// True when the volatility policy lists this field as changing without anyone changing
    /// the configuration, or as a copy of another resource's name (see `VolatilityPolicy`).
    public var isVolatile: Bool

    public init(path: FieldPath, old: JSONValue?, new: JSONValue?, isVolatile: Bool = false) {
        self.path = path
        self.old = old
        self.new = new
        self.isVolatile = isVolatile
    }

    /// `added` when the field was absent, `removed` when it is gone, else `changed`.
    public var operation: String {
        if old == nil { return "added" }
        if new == nil { return "removed" }
        return "changed"
    }
}

/// The field-level comparison of two JSON values.
///
/// Objects are compared member by member. Arrays of objects are matched by key (see
/// `ArrayMatching`), so a reordered list is no change and a changed element is reported at
/// `list[key=value]`. Other arrays compare as multisets and are reported whole when they
/// differ, except at paths `isOrdered` accepts, where order counts.
public struct FieldDiff {
    let isOrdered: (FieldPath) -> Bool

    public init(isOrdered: @escaping (FieldPath) -> Bool = { _ in false }) {
        self.isOrdered = isOrdered
    }

    /// Returns every changed field between `old` and `new`, in path order within each object.
    public func changes(old: JSONValue?, new: JSONValue?, at path: FieldPath = FieldPath()) -> [FieldChange] {
        guard let old, let new else {
            return old == nil && new == nil ? [] : [FieldChange(path: path, old: old, new: new)]
        }
        if old == new {
            return []
        }
        switch (old, new) {
        case (.object(let oldMembers), .object(let newMembers)):
            return objectChanges(oldMembers, newMembers, at: path)
        case (.array(let oldElements), .array(let newElements)):
            return arrayChanges(oldElements, newElements, at: path)
        default:
            return [FieldChange(path: path, old: old, new: new)]
        }
    }

    private func objectChanges(_ old: [String: JSONValue], _ new: [String: JSONValue], at path: FieldPath) -> [FieldChange] {
        let names = Set(old.keys).union(new.keys).sorted()
        return names.flatMap { changes(old: old[$0], new: new[$0], at: path.appending(.member($0))) }
    }

    private func arrayChanges(_ old: [JSONValue], _ new: [JSONValue], at path: FieldPath) -> [FieldChange] {
        if !isOrdered(path), let key = ArrayMatching.key(old: old, new: new) {
            return keyedChanges(old, new, key: key, at: path)
        }
        let normalizedOld = ArrayMatching.normalized(.array(old), isOrdered: isOrdered, path: path)
        let normalizedNew = ArrayMatching.normalized(.array(new), isOrdered: isOrdered, path: path)
        if normalizedOld == normalizedNew {
            return []
        }
        return [FieldChange(path: path, old: .array(old), new: .array(new))]
    }

    /// Pairs elements by `key`: new elements in their order, then removed ones in theirs.
    private func keyedChanges(_ old: [JSONValue], _ new: [JSONValue], key: String, at path: FieldPath) -> [FieldChange] {
        var oldByKey: [JSONValue: JSONValue] = [:]
        for element in old {
            oldByKey[element[key]!] = element
        }
        let newKeys = Set(new.map { $0[key]! })
        var result: [FieldChange] = []
        for element in new {
            let value = element[key]!
            result += changes(old: oldByKey[value], new: element, at: path.appending(.element(key: key, value: value)))
        }
        for element in old where !newKeys.contains(element[key]!) {
            result.append(FieldChange(path: path.appending(.element(key: key, value: element[key]!)), old: element, new: nil))
        }
        return result
    }
}
