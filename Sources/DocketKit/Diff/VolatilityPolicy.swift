/// Which fields of each resource kind change without anyone changing the configuration, and
/// which arrays keep a meaningful order.
///
/// Diffs and histories hide changes to volatile fields unless asked for every field, and report
/// how many they hid. `jsonValue` is the form to record in bundles, so an auditor can see
/// what was masked.
/// `docs/volatility.md` lists the default policy; a test keeps that page in step with
/// `VolatilityPolicy.default`.
public struct VolatilityPolicy: Sendable {
    /// One field pattern of one kind, with the reason it is volatile or ordered.
    public struct Rule: Sendable, Hashable {
        /// The resource kind, or `*` for every kind.
        public var kind: String
        public var pattern: PathPattern
        public var reason: String

        public init(kind: String, pattern: PathPattern, reason: String) {
            self.kind = kind
            self.pattern = pattern
            self.reason = reason
        }

        func applies(to kind: String, path: FieldPath) -> Bool {
            (self.kind == VolatilityPolicy.anyKind || self.kind == kind) && pattern.matches(path)
        }
    }

    /// The kind name that makes a rule apply to every kind.
    public static let anyKind = "*"
    /// The name written into `jsonValue`, so readers know the shape of the policy.
    public static let format = "docket-volatility/1"

    /// Fields whose changes are hidden unless every field is asked for.
    public var volatile: [Rule]
    /// Arrays of scalars or keyless objects whose order carries meaning; all other arrays
    /// are compared without regard to order.
    public var ordered: [Rule]

    /// When true, a change of `name` inside a nested object whose `id` did not change, such
    /// as `app.name` in a domain, is treated as volatile: it is the copy of another resource's
    /// name, and that resource reports its rename itself. Top-level names and names of list
    /// elements are never covered.
    public var hidesReferenceRenames: Bool

    public init(volatile: [Rule], ordered: [Rule], hidesReferenceRenames: Bool = false) {
        self.volatile = volatile
        self.ordered = ordered
        self.hidesReferenceRenames = hidesReferenceRenames
    }

    /// A policy that hides nothing and treats no array as ordered.
    public static let none = VolatilityPolicy(volatile: [], ordered: [])

    /// The reason written beside `hidesReferenceRenames` in `jsonValue` and the docs.
    public static let referenceRenameReason =
        "the `name` of a nested object whose `id` did not change (`app.name` in a domain, `addon.app.name` in an attachment) copies another resource's name; that resource reports the rename"

    public func isVolatile(kind: String, path: FieldPath) -> Bool {
        volatile.contains { $0.applies(to: kind, path: path) }
    }

    /// True when `path` is a `name` member of a nested object (reached through members only)
    /// whose `id` is present and equal in `old` and `new`, and the policy hides such changes.
    public func isReferenceRename(_ path: FieldPath, old: JSONValue, new: JSONValue) -> Bool {
        guard hidesReferenceRenames, path.segments.count >= 2, path.segments.last == .member("name") else { return false }
        let parent = FieldPath(Array(path.segments.dropLast()))
        guard parent.segments.allSatisfy({ if case .member = $0 { return true } else { return false } }),
            let oldID = old.value(at: parent)?["id"], let newID = new.value(at: parent)?["id"]
        else { return false }
        return oldID == newID && !oldID.isNull
    }

    public func isOrdered(kind: String, path: FieldPath) -> Bool {
        ordered.contains { $0.applies(to: kind, path: path) && $0.pattern.steps.count == path.segments.count }
    }

    /// The policy as JSON: `{"format", "volatile": [{"kind", "path", "reason"}], "ordered": [...],
    /// "reference_renames": {"hidden", "reason"}}`.
    public var jsonValue: JSONValue {
        func list(_ rules: [Rule]) -> JSONValue {
            .array(rules.map { ["kind": .string($0.kind), "path": .string($0.pattern.description), "reason": .string($0.reason)] })
        }
        return [
            "format": .string(Self.format), "volatile": list(volatile), "ordered": list(ordered),
            "reference_renames": ["hidden": .bool(hidesReferenceRenames), "reason": .string(Self.referenceRenameReason)],
        ]
    }

    /// Reads a policy written by `jsonValue`.
    /// - Throws: `DocketError` (usage) naming the rule that is malformed.
    public init(jsonValue: JSONValue) throws {
        guard jsonValue["format"]?.stringValue == Self.format else {
            throw DocketError(.usage, "not a volatility policy: expected \"format\": \"\(Self.format)\"")
        }
        func rules(_ name: String) throws -> [Rule] {
            try (jsonValue[name]?.arrayValue ?? []).enumerated().map { index, rule in
                guard let kind = rule["kind"]?.stringValue, let path = rule["path"]?.stringValue else {
                    throw DocketError(.usage, "volatility policy: rule \(index + 1) of \"\(name)\" needs a \"kind\" and a \"path\"")
                }
                return Rule(kind: kind, pattern: try PathPattern(path), reason: rule["reason"]?.stringValue ?? "")
            }
        }
        self.init(
            volatile: try rules("volatile"), ordered: try rules("ordered"),
            hidesReferenceRenames: jsonValue["reference_renames"]?["hidden"]?.boolValue ?? false)
    }

    /// The rules as Markdown tables, one per list, as `docs/volatility.md` shows them.
    public var markdownTables: String {
        func table(_ rules: [Rule]) -> String {
            var lines = ["| kind | field | why |", "| --- | --- | --- |"]
            for rule in rules {
                lines.append("| `\(rule.kind)` | `\(rule.pattern.description)` | \(rule.reason) |")
            }
            return lines.joined(separator: "\n")
        }
        let references = hidesReferenceRenames
            ? "Renames seen through references are hidden too: \(Self.referenceRenameReason).\n\n" : ""
        return "### Volatile fields\n\n" + table(volatile) + "\n\n" + references + "### Ordered arrays\n\n" + table(ordered) + "\n"
    }
}

extension VolatilityPolicy {
    /// Docket's policy for the resource kinds it captures.
    public static let `default` = VolatilityPolicy(
        volatile: defaultVolatileRules.flatMap { kind, fields in
            fields.map { Rule(kind: kind, pattern: constantPattern($0.path), reason: $0.reason) }
        },
        ordered: defaultOrderedRules.map { Rule(kind: $0.kind, pattern: constantPattern($0.path), reason: $0.reason) },
        hidesReferenceRenames: true)

    private static let defaultVolatileRules: [(String, [(path: String, reason: String)])] = [
        (anyKind, [
            ("updated_at", "Heroku bumps it on writes it makes itself (maintenance, billing, renewals); the fields that changed are reported on their own"),
        ]),
        (ResourceKind.account, [
            ("last_login", "changes at every sign-in"),
        ]),
        (ResourceKind.app, [
            ("released_at", "changes with every release; the `release` kind records the release itself"),
            ("slug_size", "changes with every build"),
            ("repo_size", "changes with every push"),
        ]),
        (ResourceKind.domain, [
            ("status", "DNS verification state, which Heroku moves on its own"),
            ("acm_status", "certificate provisioning state, which Heroku moves on its own"),
            ("acm_status_reason", "explains `acm_status`"),
        ]),
        (ResourceKind.release, [
            ("current", "flips when a newer release lands, which the release's own `id` and `version` already show"),
            ("status", "moves from `pending` to a final state as the release completes"),
            ("eligible_for_rollback", "Heroku recomputes it as releases age"),
            ("output_stream_url", "an expiring URL, new at each read"),
        ]),
        (ResourceKind.appFeature, [
            ("description", "Heroku-authored text"),
            ("display_name", "Heroku-authored text"),
            ("doc_url", "Heroku-authored link"),
            ("feedback_email", "Heroku-authored address"),
            ("state", "Heroku's release stage of the feature (`beta`, `public`); `enabled` is the setting"),
        ]),
        (ResourceKind.postgres, [
            ("num_bytes", "database size, which grows with the data"),
            ("num_tables", "table count, which changes with the schema the application manages"),
            ("num_connections", "live connection count"),
            ("num_connections_waiting", "live connection count"),
            ("current_transaction", "advances with every write"),
            ("target_transaction", "advances with the leader a follower replays"),
            ("waiting?", "transient provisioning state"),
            ("status_updated_at", "moves with the status"),
            ("info[name=Data Size]", "database size, which grows with the data"),
            ("info[name=Tables]", "table count"),
            ("info[name=Connections]", "live connection count"),
            ("info[name=Rollback]", "the rollback window moves forward continuously"),
            ("info[name=Behind By]", "replication lag of a follower"),
            ("features.rollback.earliest_time", "the rollback window moves forward continuously"),
            ("features.rollback.latest_time", "the rollback window moves forward continuously"),
            ("plan_limits[*].current", "usage against a plan limit (connections, storage, tables)"),
            ("quotas[*].current_gb", "storage in use"),
            ("pools[*].connections_used", "live connection count"),
            ("pools[*].wait_status", "transient provisioning state"),
            ("pools[*].compute_instances[*].updated_at", "Heroku bumps it on writes it makes itself"),
        ]),
    ]

    private static let defaultOrderedRules: [(kind: String, path: String, reason: String)] = [
        (ResourceKind.buildpacks, "buildpacks", "buildpacks run in list order, so a reordering changes the build"),
    ]

    /// Parses a pattern written in this file; a typo here is a programming error, and the
    /// policy tests parse every pattern.
    private static func constantPattern(_ text: String) -> PathPattern {
        do {
            return try PathPattern(text)
        } catch {
            preconditionFailure("invalid pattern in the default volatility policy: \(error)")
        }
    }
}
