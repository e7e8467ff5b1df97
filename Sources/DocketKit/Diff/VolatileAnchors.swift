/// For each resource of a snapshot whose last change touched only volatile fields, the
/// earliest version it differs from only in volatile fields: its anchor.
///
/// A capture compares each changed resource with its version in the parent snapshot. When
/// only fields the volatility policy hides differ, the new version takes the anchor of the
/// old one, or the old version itself when that had none. A version without an anchor is its
/// own. Two versions of a resource with the same anchor therefore differ only in volatile
/// fields, however many snapshots lie between them, so `docket diff` counts such a resource
/// as hidden without reading either version. On the benchmark's large account about half of
/// the resources that differ between two snapshots a month apart differ that way.
///
/// "Only volatile fields" is decided on `VolatilityPolicy.stableForm`, never on a field diff,
/// so the relation is an equality and passes from one snapshot to the next. The anchors
/// are stored as one object per snapshot, outside the snapshot's tree: they are derived
/// from the resources and the policy, not evidence, and a bundle does not carry them.
/// `policy` records the policy's fingerprint, and anchors recorded under another policy
/// are not used.
public struct VolatileAnchors: Sendable, Equatable {
    /// The name written into the stored object, so readers know its shape.
    static let format = "docket-volatile-anchors/1"

    /// The fingerprint of the policy the anchors were recorded under; see
    /// `VolatilityPolicy.anchorFingerprint`.
    public var policy: String
    /// Anchor digests by kind, then key. Resources without an anchor are absent.
    public var anchors: [String: [String: String]]

    public init(policy: String, anchors: [String: [String: String]] = [:]) {
        self.policy = policy
        self.anchors = anchors
    }

    /// Returns the anchor of `entry`: the digest recorded for it, or its own digest.
    func anchor(of entry: ResourceEntry) -> String {
        anchors[entry.kind]?[entry.key] ?? entry.digest
    }

    var jsonValue: JSONValue {
        [
            "format": .string(Self.format), "policy": .string(policy),
            "anchors": .object(anchors.mapValues { .object($0.mapValues { .string($0) }) }),
        ]
    }

    /// Reads the object `jsonValue` writes, or returns nil for any other.
    init?(jsonValue: JSONValue) {
        guard jsonValue["format"]?.stringValue == Self.format, let policy = jsonValue["policy"]?.stringValue,
            let kinds = jsonValue["anchors"]?.objectValue
        else { return nil }
        var anchors: [String: [String: String]] = [:]
        for (kind, keys) in kinds {
            guard let keys = keys.objectValue else { return nil }
            var digests: [String: String] = [:]
            for (key, digest) in keys {
                guard let digest = digest.stringValue else { return nil }
                digests[key] = digest
            }
            anchors[kind] = digests
        }
        self.init(policy: policy, anchors: anchors)
    }
}

extension VolatilityPolicy {
    /// The name that prefixes the hashed policy in `anchorFingerprint`. A change to how
    /// `stableForm` is built must change this name, so that anchors recorded before it are
    /// not used.
    static let stableFormVersion = "docket-stable-form/1"

    /// SHA-256 of `stableFormVersion` and the policy's canonical JSON. Anchors recorded
    /// under one fingerprint are not used under another.
    public var anchorFingerprint: String {
        Digest.sha256(Array(Self.stableFormVersion.utf8) + [0x0A] + CanonicalJSON.encode(jsonValue))
    }

    /// Returns true when `old` and `new`, two versions of a resource of `kind`, have the same
    /// stable form, so that every change a field diff finds between them is volatile.
    public func differsOnlyInVolatileFields(kind: String, old: JSONValue, new: JSONValue) -> Bool {
        let rules = KindRules(self, kind: kind)
        return CanonicalJSON.encode(rules.stableForm(old)) == CanonicalJSON.encode(rules.stableForm(new))
    }

    /// The form of a resource of `kind` that two versions share when every change between
    /// them is hidden by this policy. It is compared, never shown or stored.
    ///
    /// It leaves out:
    /// - every object member at a volatile path;
    /// - the `name` of a nested object whose `id` is kept and not null (see `isReferenceRename`);
    /// - in an array matched by key, each element at a volatile path. The other elements keep
    ///   their key.
    ///
    /// Each array starts with a tag naming how a field diff pairs its elements: `key:` and the
    /// key, or `list` for the arrays it compares whole, whose elements are kept as they are.
    /// A field diff of two versions with equal stable forms then finds changes only at paths
    /// that the policy hides; the converse need not hold, and then the versions are compared.
    public func stableForm(kind: String, of value: JSONValue) -> JSONValue {
        KindRules(self, kind: kind).stableForm(value)
    }

    /// The rules of one kind, picked once for every path of a resource.
    private struct KindRules {
        let volatile: [Rule]
        let ordered: [Rule]
        let hidesReferenceRenames: Bool

        init(_ policy: VolatilityPolicy, kind: String) {
            volatile = policy.volatile.filter { $0.kind == VolatilityPolicy.anyKind || $0.kind == kind }
            ordered = policy.ordered.filter { $0.kind == VolatilityPolicy.anyKind || $0.kind == kind }
            hidesReferenceRenames = policy.hidesReferenceRenames
        }

        func isVolatile(_ path: FieldPath) -> Bool {
            volatile.contains { $0.pattern.matches(path) }
        }

        func isOrdered(_ path: FieldPath) -> Bool {
            ordered.contains { $0.pattern.matches(path) && $0.pattern.steps.count == path.segments.count }
        }

        func stableForm(_ value: JSONValue, at path: FieldPath = FieldPath()) -> JSONValue {
            switch value {
            case .object(let members):
                return .object(stableMembers(members, at: path))
            case .array(let elements):
                return stableElements(elements, at: path)
            default:
                return value
            }
        }

        private func stableMembers(_ members: [String: JSONValue], at path: FieldPath) -> [String: JSONValue] {
            let dropsName = hidesReferenceRenames && hasKeptReference(members, at: path) && members["name"].map(isScalar) == true
            var result: [String: JSONValue] = [:]
            for (name, member) in members {
                let memberPath = path.appending(.member(name))
                if isVolatile(memberPath) || (dropsName && name == "name") { continue }
                result[name] = stableForm(member, at: memberPath)
            }
            return result
        }

        /// True when `members` form a nested object reached through members alone, whose
        /// `id` is kept and not null: the case in which `isReferenceRename` hides its `name`.
        private func hasKeptReference(_ members: [String: JSONValue], at path: FieldPath) -> Bool {
            guard !path.isRoot, path.segments.allSatisfy({ if case .member = $0 { return true } else { return false } }),
                let id = members["id"], !id.isNull
            else { return false }
            return !isVolatile(path.appending(.member("id")))
        }

        private func stableElements(_ elements: [JSONValue], at path: FieldPath) -> JSONValue {
            guard !isOrdered(path), let key = ArrayMatching.key(old: elements, new: elements) else {
                return .array([.string("list")] + elements)
            }
            var result: [JSONValue] = [.string("key:" + key)]
            for element in elements {
                let value = element[key]!
                let elementPath = path.appending(.element(key: key, value: value))
                guard !isVolatile(elementPath), case .object(let members) = element else { continue }
                var kept = stableMembers(members, at: elementPath)
                kept[key] = value
                result.append(.object(kept))
            }
            return .array(result)
        }

        private func isScalar(_ value: JSONValue) -> Bool {
            switch value {
            case .array, .object: return false
            default: return true
            }
        }
    }
}
