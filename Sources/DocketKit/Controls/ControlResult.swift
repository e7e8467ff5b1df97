/// The outcome of one control for one resource.
public enum ControlStatus: String, Sendable, CaseIterable, Comparable {
    case pass
    case fail
    /// The control does not apply to this resource, and the result's message gives the reason.
    case notApplicable = "not-applicable"
    /// The data the control reads was not recorded in the snapshot, so the control could not
    /// be decided. Never counted as a pass.
    case error

    /// Rank used for sorting and for "worst of" decisions: fail, error, pass, not applicable.
    var severity: Int {
        switch self {
        case .fail: return 3
        case .error: return 2
        case .pass: return 1
        case .notApplicable: return 0
        }
    }

    public static func < (left: ControlStatus, right: ControlStatus) -> Bool {
        left.severity < right.severity
    }

    /// The upper-case label used in text output: PASS, FAIL, N/A, ERROR.
    public var label: String {
        switch self {
        case .pass: return "PASS"
        case .fail: return "FAIL"
        case .notApplicable: return "N/A"
        case .error: return "ERROR"
        }
    }
}

/// A pointer to evidence: a resource of the snapshot and the digest of its stored body, or a
/// non-resource subject such as the snapshot itself, a capture run or a failed listing.
public struct EvidenceReference: Sendable, Hashable {
    /// A resource kind (`app`, `domain`), or `snapshot`, `run`, `listing` or `store`.
    public var kind: String
    /// The resource key (Heroku id), snapshot digest or run id; nil for a whole-kind listing.
    public var key: String?
    public var name: String
    /// SHA-256 of the resource's canonical JSON in the store; `docket show REF KIND/KEY`
    /// prints that body. Nil when the subject is not a stored resource.
    public var digest: String?

    public init(kind: String, key: String?, name: String, digest: String?) {
        self.kind = kind
        self.key = key
        self.name = name
        self.digest = digest
    }

    public init(_ entry: ResourceEntry) {
        self.init(kind: entry.kind, key: entry.key, name: entry.name, digest: entry.digest)
    }

    /// `kind/name`, the form `docket show` accepts.
    public var label: String { "\(kind)/\(name)" }

    /// Identity across snapshots: kind and key (or name where there is no key).
    var identity: String { "\(kind)/\(key ?? name)" }

    var jsonValue: JSONValue {
        [
            "kind": .string(kind), "key": key.map { .string($0) } ?? .null, "name": .string(name),
            "digest": digest.map { .string($0) } ?? .null,
        ]
    }
}

/// One control's verdict on one resource, with the evidence behind it.
public struct ControlResult: Sendable, Hashable {
    public var controlID: String
    public var status: ControlStatus
    /// The resource judged; nil only for results about a whole kind that was not recorded.
    public var resource: EvidenceReference?
    /// The fields the verdict was read from, as `kind.path` (`app.stack.name`).
    public var fieldsRead: [String]
    /// The reason the control passed or failed, did not apply or could not run.
    public var message: String
    /// Set on a passing result that is close to failing, such as a stack nearing end of life.
    public var warning: String?
    /// Other resources the verdict relied on: the log drain that makes an app pass, the
    /// pipeline coupling that makes it production.
    public var evidence: [EvidenceReference]

    public init(
        controlID: String, status: ControlStatus, resource: EvidenceReference?, fieldsRead: [String], message: String,
        warning: String? = nil, evidence: [EvidenceReference] = []
    ) {
        self.controlID = controlID
        self.status = status
        self.resource = resource
        self.fieldsRead = fieldsRead
        self.message = message
        self.warning = warning
        self.evidence = evidence
    }

    /// The state tracked by the timeline: the status, marked when a passing result warns.
    public var state: String {
        status == .pass && warning != nil ? "pass-with-warning" : status.rawValue
    }

    var jsonValue: JSONValue {
        [
            "control": .string(controlID), "status": .string(status.rawValue),
            "resource": resource?.jsonValue ?? .null, "fields_read": .array(fieldsRead.map { .string($0) }),
            "message": .string(message), "warning": warning.map { .string($0) } ?? .null,
            "evidence": .array(evidence.map(\.jsonValue)),
        ]
    }
}

/// Every control's results on one snapshot, with what they were computed from: the snapshot,
/// the effective policy, the time reference and the Docket version.
public struct ControlReport: Sendable {
    public var snapshot: SnapshotInfo
    public var policy: ControlPolicy
    /// The policy's origin: a file path, or `defaults`.
    public var policySource: String
    /// The moment time-dependent controls (end of life, certificate expiry, capture age)
    /// are judged at; see `ControlEvaluator.TimeReference`.
    public var asOf: String
    public var timeReference: ControlEvaluator.TimeReference
    public var docketVersion: String
    /// Sorted by catalogue order, then resource kind, name and key.
    public var results: [ControlResult]

    public func count(_ status: ControlStatus) -> Int {
        results.filter { $0.status == status }.count
    }

    public var hasFailures: Bool { results.contains { $0.status == .fail } }
    public var hasErrors: Bool { results.contains { $0.status == .error } }
    /// True when the store check behind `evidence-store-intact` found damage.
    public var hasStoreDamage: Bool { results.contains { $0.controlID == EvidenceControls.storeIntactID && $0.status == .fail } }

    /// Returns the worst status of each control, in catalogue order.
    public func controlStatuses() -> [(control: ControlDefinition, status: ControlStatus)] {
        var worst: [String: ControlStatus] = [:]
        for result in results {
            worst[result.controlID] = max(worst[result.controlID] ?? result.status, result.status)
        }
        return ControlCatalogue.all.compactMap { control in
            worst[control.id].map { (control, $0) }
        }
    }
}
