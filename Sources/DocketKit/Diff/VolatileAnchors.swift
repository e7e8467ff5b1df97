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
/// "Only volatile fields" is decided on stable forms (see
/// `VolatilityPolicy.differsOnlyInVolatileFields`), never on a field diff, so the relation is
/// an equality and passes from one snapshot to the next. The anchors
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
    /// The name that prefixes the hashed policy in `anchorFingerprint`. A change to what the
    /// stable form leaves out must change this name, so that anchors recorded before it are
    /// not used.
    static let stableFormVersion = "docket-stable-form/1"

    /// SHA-256 of `stableFormVersion` and the policy's canonical JSON. Anchors recorded
    /// under one fingerprint are not used under another.
    public var anchorFingerprint: String {
        Digest.sha256(Array(Self.stableFormVersion.utf8) + [0x0A] + CanonicalJSON.encode(jsonValue))
    }

    /// Returns true when the canonical JSON bodies `old` and `new` of a resource of `kind`
    /// have the same stable form, comparing only their top-level members whose bytes differ,
    /// because a body's stable form is made of its members' stable forms.
    /// - Throws: `JSONParseError` when either body is not JSON.
    func differsOnlyInVolatileFields(kind: String, oldBytes: [UInt8], newBytes: [UInt8]) throws -> Bool {
        let changed = try ChangedMembers.parse(old: oldBytes, new: newBytes)
        return differsOnlyInVolatileFields(kind: kind, old: changed.old, new: changed.new)
    }

    /// Returns true when `old` and `new`, two versions of a resource of `kind`, have the same
    /// stable form, so that every change a field diff finds between them is volatile.
    ///
    /// The stable form of a resource is the resource without:
    /// - every object member at a volatile path;
    /// - the `name` of a nested object whose `id` is kept and not null (see `isReferenceRename`);
    /// - in an array matched by key, each element at a volatile path. The other elements keep
    ///   their key.
    ///
    /// Arrays compared whole (without a key, or ordered) keep their elements as they are, and
    /// two arrays matched by different keys differ. The converse need not hold: versions
    /// whose stable forms differ may still differ only in volatile fields, and are compared
    /// field by field. The forms are never built: both versions are walked side by side, and
    /// the parts where no rule applies are compared whole.
    public func differsOnlyInVolatileFields(kind: String, old: JSONValue, new: JSONValue) -> Bool {
        let comparison = StableComparison(self, kind: kind)
        return comparison.isSame(old, new, at: comparison.root)
    }
}

/// The comparison of two versions' stable forms (see
/// `VolatilityPolicy.differsOnlyInVolatileFields`) without building them.
private struct StableComparison {
    let volatile: [PathPattern]
    let ordered: [PathPattern]
    let hidesReferenceRenames: Bool

    init(_ policy: VolatilityPolicy, kind: String) {
        volatile = Self.patterns(policy.volatile, kind: kind)
        ordered = Self.patterns(policy.ordered, kind: kind)
        hidesReferenceRenames = policy.hidesReferenceRenames
    }

    private static func patterns(_ rules: [VolatilityPolicy.Rule], kind: String) -> [PathPattern] {
        rules.filter { $0.kind == VolatilityPolicy.anyKind || $0.kind == kind }.map(\.pattern)
    }

    /// A path as far as the rules are concerned: the volatile and ordered patterns whose
    /// first steps match it, each with the number of steps matched, and whether it is made
    /// of members alone.
    struct Place {
        var matching: [(pattern: Int, steps: Int)]
        var orderedMatching: [(pattern: Int, steps: Int)]
        var depth: Int
        var isMembersOnly: Bool
    }

    /// The place of the whole resource, where every pattern has matched no step.
    var root: Place {
        Place(matching: volatile.indices.map { ($0, 0) }, orderedMatching: ordered.indices.map { ($0, 0) }, depth: 0, isMembersOnly: true)
    }

    /// Returns the place one segment further, or nil when a volatile pattern covers it.
    func place(after place: Place, _ segment: PathSegment) -> Place? {
        var next = Place(matching: [], orderedMatching: [], depth: place.depth + 1, isMembersOnly: place.isMembersOnly)
        if case .element = segment { next.isMembersOnly = false }
        for (pattern, steps) in place.matching where PathPattern.step(volatile[pattern].steps[steps], matches: segment) {
            if steps + 1 == volatile[pattern].steps.count { return nil }
            next.matching.append((pattern, steps + 1))
        }
        for (pattern, steps) in place.orderedMatching
        where steps < ordered[pattern].steps.count && PathPattern.step(ordered[pattern].steps[steps], matches: segment) {
            next.orderedMatching.append((pattern, steps + 1))
        }
        return next
    }

    /// Returns true when an ordered pattern names exactly the path of `place`.
    func isOrdered(_ place: Place) -> Bool {
        place.orderedMatching.contains { ordered[$0.pattern].steps.count == $0.steps }
    }

    func isSame(_ old: JSONValue, _ new: JSONValue, at place: Place) -> Bool {
        // Where no pattern applies and no reference rename can hide a name, the stable form
        // keeps every part, so it is equal exactly when the values are.
        if place.matching.isEmpty && !(hidesReferenceRenames && place.isMembersOnly) {
            return old == new
        }
        switch (old, new) {
        case (.object(let oldMembers), .object(let newMembers)):
            return isSame(oldMembers, newMembers, at: place, key: nil)
        case (.array(let oldElements), .array(let newElements)):
            return isSame(oldElements, newElements, at: place)
        case (.object, _), (_, .object), (.array, _), (_, .array):
            return false
        default:
            return old == new
        }
    }

    /// Returns true when two objects have the same stable form, compared member by member.
    /// `key` names the member that an element of a keyed array keeps under every rule.
    private func isSame(
        _ old: [String: JSONValue], _ new: [String: JSONValue], at place: Place, key: String?
    ) -> Bool {
        let oldDropsName = dropsName(old, at: place)
        let newDropsName = dropsName(new, at: place)
        func isSameMember(_ name: String) -> Bool {
            var oldValue = old[name]
            var newValue = new[name]
            if name == key { return oldValue == newValue }
            guard let next = self.place(after: place, .member(name)) else { return true }
            if name == "name" {
                if oldDropsName { oldValue = nil }
                if newDropsName { newValue = nil }
            }
            switch (oldValue, newValue) {
            case (nil, nil): return true
            case (let oldValue?, let newValue?): return isSame(oldValue, newValue, at: next)
            default: return false
            }
        }
        for name in old.keys where !isSameMember(name) {
            return false
        }
        for name in new.keys where old[name] == nil && !isSameMember(name) {
            return false
        }
        return true
    }

    /// Returns true when the stable form leaves out the `name` of `members` at `place`: a
    /// nested object reached through members alone whose `id` is kept and not null.
    private func dropsName(_ members: [String: JSONValue], at place: Place) -> Bool {
        guard hidesReferenceRenames, place.depth > 0, place.isMembersOnly, let id = members["id"], !id.isNull,
            let name = members["name"], name.objectValue == nil, name.arrayValue == nil
        else { return false }
        return self.place(after: place, .member("id")) != nil
    }

    /// Returns true when two arrays have the same stable form: equal as they are unless
    /// matched by key, else element by element after leaving out the volatile ones.
    private func isSame(_ old: [JSONValue], _ new: [JSONValue], at place: Place) -> Bool {
        let key = ArrayMatching.key(old: old, new: old)
        guard key == ArrayMatching.key(old: new, new: new) else { return false }
        guard let key, !isOrdered(place) else { return old == new }
        func shownElements(_ elements: [JSONValue]) -> [(value: JSONValue, members: [String: JSONValue], place: Place)] {
            elements.compactMap { element in
                let value = element[key]!
                return self.place(after: place, .element(key: key, value: value)).map { (value, element.objectValue!, $0) }
            }
        }
        let oldShown = shownElements(old)
        let newShown = shownElements(new)
        guard oldShown.count == newShown.count else { return false }
        for (oldElement, newElement) in zip(oldShown, newShown) {
            guard oldElement.value == newElement.value,
                isSame(oldElement.members, newElement.members, at: oldElement.place, key: key)
            else { return false }
        }
        return true
    }
}

