import Foundation

@testable import DocketKit

/// Heroku-shaped resources for control tests, keyed as capture keys them: team members by
/// `<team id>/<member id>` under their team, per-app listings under the app, data-API
/// bodies under their add-on.
enum ControlFixtures {
    static let teamID = "team-acme"
    static let time = "2026-03-25T06:00:00Z"

    static func account(mfa: Bool? = true, federated: Bool = false) -> CapturedResource {
        var body: [String: JSONValue] = ["id": "account-1", "email": "compliance@acme.example", "federated": .bool(federated)]
        if let mfa { body["two_factor_authentication"] = .bool(mfa) }
        if federated { body["identity_provider"] = ["id": "idp-1", "name": "acme-sso"] }
        return CapturedResource(kind: ResourceKind.account, key: "account-1", name: "compliance@acme.example", body: .object(body))
    }

    static func team(id: String = teamID, name: String = "acme") -> CapturedResource {
        CapturedResource(kind: ResourceKind.team, key: id, name: name, body: ["id": .string(id), "name": .string(name), "role": "admin"])
    }

    static func member(
        _ email: String, role: String = "member", mfa: Bool? = true, federated: Bool = false, team: String = teamID
    ) -> CapturedResource {
        var body: [String: JSONValue] = [
            "id": .string("m-\(email)"), "email": .string(email), "role": .string(role), "federated": .bool(federated),
            "user": ["email": .string(email), "id": .string("u-\(email)")],
        ]
        if let mfa { body["two_factor_authentication"] = .bool(mfa) }
        return CapturedResource(
            kind: ResourceKind.teamMember, key: "\(team)/m-\(email)", name: "acme/\(email)", parentKey: team, body: .object(body))
    }

    static func app(
        _ name: String, id: String? = nil, stack: String? = "heroku-24", buildStack: String? = "heroku-24", region: String = "us"
    ) -> CapturedResource {
        let id = id ?? "app-\(name)"
        var body: [String: JSONValue] = ["id": .string(id), "name": .string(name), "region": ["name": .string(region)]]
        if let stack { body["stack"] = ["id": .string("s-\(stack)"), "name": .string(stack)] }
        if let buildStack { body["build_stack"] = ["id": .string("s-\(buildStack)"), "name": .string(buildStack)] }
        return CapturedResource(kind: ResourceKind.app, key: id, name: name, appKey: id, body: .object(body))
    }

    static func collaborator(_ email: String, app: String) -> CapturedResource {
        let appID = "app-\(app)"
        return CapturedResource(
            kind: ResourceKind.collaborator, key: "c-\(app)-\(email)", name: "\(app)/\(email)", parentKey: appID, appKey: appID,
            body: ["id": .string("c-\(app)-\(email)"), "role": "collaborator", "user": ["email": .string(email), "federated": false]])
    }

    static func domain(
        _ hostname: String, app: String, kind: String = "custom", acmStatus: String? = nil, sniEndpoint: String? = nil
    ) -> CapturedResource {
        let appID = "app-\(app)"
        var body: [String: JSONValue] = [
            "id": .string("d-\(hostname)"), "hostname": .string(hostname), "kind": .string(kind), "app": ["id": .string(appID)],
            "acm_status": acmStatus.map { .string($0) } ?? .null,
            "sni_endpoint": sniEndpoint.map { ["id": .string("sni-\($0)"), "name": .string($0)] } ?? .null,
        ]
        if acmStatus == "failing" { body["acm_status_reason"] = "CAA record prevents issuance" }
        return CapturedResource(
            kind: ResourceKind.domain, key: "d-\(hostname)", name: hostname, parentKey: appID, appKey: appID, body: .object(body))
    }

    static func sniEndpoint(_ name: String, app: String, expiresAt: String?, acm: Bool = false) -> CapturedResource {
        let appID = "app-\(app)"
        var certificate: [String: JSONValue] = ["acm": .bool(acm), "subject": "/CN=www.acme.example"]
        if let expiresAt { certificate["expires_at"] = .string(expiresAt) }
        return CapturedResource(
            kind: ResourceKind.sniEndpoint, key: "sni-\(name)", name: "\(app)/\(name)", parentKey: appID, appKey: appID,
            body: ["id": .string("sni-\(name)"), "name": .string(name), "ssl_cert": .object(certificate)])
    }

    static func logDrain(app: String) -> CapturedResource {
        let appID = "app-\(app)"
        return CapturedResource(
            kind: ResourceKind.logDrain, key: "drain-\(app)", name: "\(app)/logs.example.net", parentKey: appID, appKey: appID,
            body: ["id": .string("drain-\(app)"), "url": "syslog+tls://logs.example.net:6514", "app": ["id": .string(appID)]])
    }

    static func addon(_ name: String, app: String, service: String, plan: String) -> CapturedResource {
        let appID = "app-\(app)"
        return CapturedResource(
            kind: ResourceKind.addon, key: "addon-\(name)", name: name, appKey: appID,
            body: [
                "id": .string("addon-\(name)"), "name": .string(name), "app": ["id": .string(appID), "name": .string(app)],
                "addon_service": ["name": .string(service)], "plan": ["name": .string("\(service):\(plan)")],
            ])
    }

    static func coupling(app: String, stage: String) -> CapturedResource {
        let appID = "app-\(app)"
        return CapturedResource(
            kind: ResourceKind.pipelineCoupling, key: "pc-\(app)", name: "pipeline/\(app)", appKey: appID,
            body: ["id": .string("pc-\(app)"), "stage": .string(stage), "app": ["id": .string(appID)], "pipeline": ["id": "p-1"]])
    }

    static func space(_ name: String, region: String = "virginia") -> CapturedResource {
        CapturedResource(
            kind: ResourceKind.space, key: "space-\(name)", name: name,
            body: ["id": .string("space-\(name)"), "name": .string(name), "region": ["name": .string(region)], "shield": false])
    }

    static func ruleset(space: String, sources: [String]?) -> CapturedResource {
        var body: [String: JSONValue] = ["id": .string("rs-\(space)")]
        if let sources { body["rules"] = .array(sources.map { ["action": "allow", "source": .string($0)] }) }
        return CapturedResource(
            kind: ResourceKind.inboundRuleset, key: "space-\(space)", name: space, parentKey: "space-\(space)", body: .object(body))
    }

    /// Makes the data-API `postgres` resource of `addon`, attached to `app`.
    static func postgres(_ addon: String, app: String, body: JSONValue) -> CapturedResource {
        CapturedResource(
            kind: ResourceKind.postgres, key: "addon-\(addon)", name: addon, parentKey: "addon-\(addon)", appKey: "app-\(app)", body: body)
    }

    /// Makes the Essential (multi-tenant) info body, where `plan` is a string.
    static func essentialBody(plan: String = "essential-0", version: String = "16.4") -> JSONValue {
        ["plan": .string(plan), "info": [["name": "Plan", "values": [.string(plan)]], ["name": "PG Version", "values": [.string(version)]]]]
    }

    /// Makes the dedicated info body, where `plan` is an object and `postgres_version` a string.
    static func dedicatedBody(plan: String = "standard-0", version: String? = "16.4", haStatus: String? = nil) -> JSONValue {
        var info: [JSONValue] = [["name": "Plan", "values": [.string(plan)]]]
        if let haStatus { info.append(["name": "HA Status", "values": [.string(haStatus)]]) }
        var body: [String: JSONValue] = ["plan": ["name": .string(plan), "tier": "standard"], "info": .array(info)]
        if let version { body["postgres_version"] = .string(version) }
        return .object(body)
    }

    /// Makes the Advanced-tier `/data/postgres/v1/{id}/info` body.
    static func advancedBody(continuousProtection: Bool = true, highlyAvailable: Bool = true, version: String = "17") -> JSONValue {
        [
            "tier": "advanced", "version": .string(version),
            "features": [
                "continuous_protection": ["enabled": .bool(continuousProtection)], "highly_available": ["enabled": .bool(highlyAvailable)],
            ],
        ]
    }

    static let noDataAPIRecord: JSONValue = ["addon": ["id": "x", "name": "x"], "data_api_record": false]

    static func schedule(addon: String, app: String) -> CapturedResource {
        CapturedResource(
            kind: ResourceKind.postgresBackupSchedule, key: "sched-\(addon)", name: "\(addon)/DATABASE_URL", parentKey: "addon-\(addon)",
            appKey: "app-\(app)", body: ["uuid": .string("sched-\(addon)"), "name": "DATABASE_URL", "hour": 3, "timezone": "UTC", "days": []])
    }

    static func redis(_ addon: String, app: String, version: String? = "7.2.4", tls: Bool? = true) -> CapturedResource {
        var body: [String: JSONValue] = ["plan": "premium-0", "name": .string(addon)]
        if let version { body["version"] = .string(version) }
        if let tls { body["prefer_native_tls"] = .bool(tls) }
        return CapturedResource(
            kind: ResourceKind.redis, key: "addon-\(addon)", name: addon, parentKey: "addon-\(addon)", appKey: "app-\(app)", body: .object(body))
    }

    static func notRecorded(_ kind: String, parent: String? = nil) -> NotRecordedListing {
        NotRecordedListing(kind: kind, parentKey: parent, listing: "GET /\(kind)", error: "HTTP 503: service unavailable")
    }

    // MARK: - Stores

    /// Creates a store in a fresh folder.
    static func makeStore() throws -> SnapshotStore {
        try SnapshotStore(path: TestPaths.temporaryDirectory().appendingPathComponent("store.sqlite").path, create: true)
    }

    /// Records a finished capture run in the ledger.
    @discardableResult
    static func recordRun(_ store: SnapshotStore, at time: String, outcome: RunOutcome = .complete, snapshot: String? = nil) throws -> Int64 {
        let id = try store.beginRun(startedAt: time, pid: 1, host: "test", docketVersion: DocketVersion.current, apiURL: nil, tokenSource: nil)
        let run = RunRecord(
            id: id, startedAt: time, endedAt: time, outcome: outcome, exitCode: outcome == .complete ? 0 : 5, error: nil, pid: 1,
            host: "test", docketVersion: DocketVersion.current, apiURL: nil, tokenSource: nil, requests: 1, retries: 0, rateLimited: 0,
            rateLimitAtStart: nil, rateLimitAtEnd: nil, snapshotDigest: snapshot, resourceCount: nil)
        try store.finishRun(run, endpoints: [])
        return id
    }

    /// Commits a snapshot and records its successful run.
    @discardableResult
    static func commit(
        _ store: SnapshotStore, _ resources: [CapturedResource], at time: String = time, notRecorded: [NotRecordedListing] = []
    ) throws -> SnapshotInfo {
        let snapshot = try store.commitSnapshot(
            resources: resources, notRecorded: notRecorded, capturedAt: time, runID: nil,
            account: ["id": "account-1", "email": "compliance@acme.example"])
        try recordRun(store, at: time, outcome: notRecorded.isEmpty ? .complete : .incomplete, snapshot: snapshot.digest)
        return snapshot
    }
}

/// One snapshot's resources, failed listings, policy and run ledger, evaluated in a fresh
/// store at the snapshot's time.
struct ControlScenario: Sendable {
    var resources: [CapturedResource]
    var notRecorded: [NotRecordedListing] = []
    var policy = ControlPolicy()
    /// Whether the snapshot's own run is in the ledger.
    var recordsRun = true
    /// Runs recorded before the snapshot, as (start time, outcome).
    var earlierRuns: [(String, RunOutcome)] = []
    /// Alters one stored object's bytes after the commit, as disk damage would.
    var corruptsAnObject = false
    /// Makes the store check fail to run, as when the database cannot be read.
    var storeCheckFails = false

    init(_ resources: [CapturedResource], notRecorded: [NotRecordedListing] = [], policy: ControlPolicy = ControlPolicy()) {
        self.resources = resources
        self.notRecorded = notRecorded
        self.policy = policy
    }

    func report() throws -> ControlReport {
        let store = try ControlFixtures.makeStore()
        for (time, outcome) in earlierRuns {
            try ControlFixtures.recordRun(store, at: time, outcome: outcome)
        }
        let snapshot = try store.commitSnapshot(
            resources: resources, notRecorded: notRecorded, capturedAt: ControlFixtures.time, runID: nil,
            account: ["id": "account-1", "email": "compliance@acme.example"])
        if recordsRun {
            try ControlFixtures.recordRun(
                store, at: ControlFixtures.time, outcome: notRecorded.isEmpty ? .complete : .incomplete, snapshot: snapshot.digest)
        }
        if corruptsAnObject {
            guard let entry = try store.entries(of: snapshot).first else { throw StoreError.empty(path: store.path) }
            try store.overwriteBody(of: entry.digest, with: Array("{}".utf8))
        }
        let evaluator = ControlEvaluator(store: store, policy: policy)
        if storeCheckFails {
            evaluator.storeCheck = .failure(StoreError.corrupt("the objects table cannot be read"))
        }
        return try evaluator.evaluate(snapshot)
    }
}
