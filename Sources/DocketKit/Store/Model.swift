/// One resource as captured, before it is stored: its kind, identity and redacted body.
public struct CapturedResource: Sendable {
    /// The resource kind, such as `app`, `domain` or `postgres`; see `ResourceKind`.
    public var kind: String
    /// The Heroku id, or a key built from ids where Heroku gives none; unique within the kind.
    public var key: String
    /// A readable name: the app name, the hostname, the member's email.
    public var name: String
    /// The key of the resource whose listing returned this one (the app of a domain), if any.
    public var parentKey: String?
    /// The app this resource belongs to, used by `--app` filters.
    public var appKey: String?
    public var body: JSONValue

    public init(kind: String, key: String, name: String, parentKey: String? = nil, appKey: String? = nil, body: JSONValue) {
        self.kind = kind
        self.key = key
        self.name = name
        self.parentKey = parentKey
        self.appKey = appKey
        self.body = body
    }
}

/// One resource in a stored snapshot: where to find its body, and how to name it.
public struct ResourceEntry: Sendable, Hashable {
    public var kind: String
    public var key: String
    public var name: String
    public var parentKey: String?
    public var appKey: String?
    /// SHA-256 of the resource's canonical JSON, the address of its body in the store.
    public var digest: String

    public init(kind: String, key: String, name: String, parentKey: String?, appKey: String?, digest: String) {
        self.kind = kind
        self.key = key
        self.name = name
        self.parentKey = parentKey
        self.appKey = appKey
        self.digest = digest
    }

    var treeValue: JSONValue {
        var members: [String: JSONValue] = ["key": .string(key), "name": .string(name), "digest": .string(digest)]
        if let parentKey { members["parent"] = .string(parentKey) }
        if let appKey { members["app"] = .string(appKey) }
        return .object(members)
    }

    init?(kind: String, treeValue: JSONValue) {
        guard let key = treeValue["key"]?.stringValue, let name = treeValue["name"]?.stringValue,
            let digest = treeValue["digest"]?.stringValue
        else { return nil }
        self.init(
            kind: kind, key: key, name: name, parentKey: treeValue["parent"]?.stringValue,
            appKey: treeValue["app"]?.stringValue, digest: digest)
    }
}

/// A listing that could not be read during a capture. Resources of `kind` under `parentKey`
/// (or every resource of `kind` when `parentKey` is nil) are "not recorded" in that snapshot:
/// unknown, never removed.
public struct NotRecordedListing: Sendable, Hashable {
    public var kind: String
    public var parentKey: String?
    /// The readable name of the parent (an app or team name), for messages.
    public var parentName: String?
    /// The request that failed, such as `GET /apps/{app}/domains`.
    public var listing: String
    public var error: String

    public init(kind: String, parentKey: String?, parentName: String? = nil, listing: String, error: String) {
        self.kind = kind
        self.parentKey = parentKey
        self.parentName = parentName
        self.listing = listing
        self.error = error
    }

    /// True when this failed listing would have returned `entry`'s resource.
    public func covers(kind: String, parentKey: String?) -> Bool {
        self.kind == kind && (self.parentKey == nil || self.parentKey == parentKey)
    }

    var jsonValue: JSONValue {
        var members: [String: JSONValue] = [
            "kind": .string(kind), "parent": parentKey.map { .string($0) } ?? .null, "listing": .string(listing),
            "error": .string(error),
        ]
        if let parentName { members["parent_name"] = .string(parentName) }
        return .object(members)
    }

    init?(jsonValue: JSONValue) {
        guard let kind = jsonValue["kind"]?.stringValue, let listing = jsonValue["listing"]?.stringValue else { return nil }
        self.init(
            kind: kind, parentKey: jsonValue["parent"]?.stringValue, parentName: jsonValue["parent_name"]?.stringValue,
            listing: listing, error: jsonValue["error"]?.stringValue ?? "")
    }
}

/// A committed snapshot: its header fields and where it sits in the chain.
public struct SnapshotInfo: Sendable, Hashable {
    /// Row id, for ordering only; the digest is the identity.
    public var id: Int64
    /// SHA-256 of the canonical snapshot header, which covers the parent digest and the tree.
    public var digest: String
    public var parentDigest: String?
    /// RFC 3339 UTC time the capture started.
    public var capturedAt: String
    public var runID: Int64?
    public var isComplete: Bool
    /// Digest of the root tree, which lists one tree per kind. Two snapshots with the same
    /// content have the same tree digest.
    public var treeDigest: String
    public var resourceCount: Int
    public var accountID: String?
    public var accountEmail: String?
    public var notRecorded: [NotRecordedListing]

    public var shortDigest: String { String(digest.prefix(12)) }

    /// True when a listing that would hold this resource failed in this snapshot.
    public func isNotRecorded(kind: String, parentKey: String?) -> Bool {
        notRecorded.contains { $0.covers(kind: kind, parentKey: parentKey) }
    }
}

/// How a capture run ended, as written to the run ledger.
public enum RunOutcome: String, Sendable, CaseIterable {
    case running
    case complete
    case incomplete
    case authenticationFailed = "auth-failed"
    case transientFailure = "transient-failure"
    case failed
    case interrupted
}

/// One capture attempt in the run ledger, whatever its outcome.
public struct RunRecord: Sendable {
    public var id: Int64
    public var startedAt: String
    public var endedAt: String?
    public var outcome: RunOutcome
    public var exitCode: Int?
    public var error: String?
    public var pid: Int
    public var host: String
    public var docketVersion: String
    public var apiURL: String?
    public var tokenSource: String?
    public var requests: Int
    public var retries: Int
    public var rateLimited: Int
    public var rateLimitAtStart: Int?
    public var rateLimitAtEnd: Int?
    public var snapshotDigest: String?
    public var resourceCount: Int?
}

/// Per-endpoint figures of one run: enough for an auditor to judge whether a listing was
/// read in full.
public struct EndpointRecord: Sendable, Hashable {
    /// The request template, such as `GET /apps/{app}/domains`.
    public var endpoint: String
    public var requests: Int
    public var pages: Int
    public var items: Int
    public var failures: Int
    /// The last HTTP status seen, 0 when no response arrived.
    public var lastStatus: Int
    /// Heroku's `Oauth-Scope-Accepted` header: the scopes this endpoint accepts.
    public var scopeAccepted: String?
    public var lastError: String?

    public init(endpoint: String) {
        self.endpoint = endpoint
        self.requests = 0
        self.pages = 0
        self.items = 0
        self.failures = 0
        self.lastStatus = 0
    }
}
