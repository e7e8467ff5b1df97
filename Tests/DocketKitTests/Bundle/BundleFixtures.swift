import Foundation

@testable import DocketKit

/// Builds real stores for bundle tests: a small Heroku account captured day by day, with the
/// run ledger a capture would leave, failures included.
struct BundleFixture {
    static let account: JSONValue = ["id": "0b5d7c1e-acct", "email": "ops@acme.example"]

    let folder: URL
    let store: SnapshotStore

    var storePath: String { store.path }

    /// Creates a store with one snapshot per day at 06:00 UTC, from `firstDay` (a March 2026 day) for
    /// `days` days. On day 3 an app is added, on day 4 a domain is removed, on day 5 the
    /// domains listing fails (an incomplete snapshot), and before day 2 a run fails.
    static func make(firstDay: Int = 25, days: Int = 6, extraApps: Int = 0) throws -> BundleFixture {
        let folder = TestPaths.temporaryDirectory()
        let store = try SnapshotStore(path: folder.appendingPathComponent("store.sqlite").path, create: true)
        let fixture = BundleFixture(folder: folder, store: store)
        for offset in 0..<days {
            let day = firstDay + offset
            if offset == 1 {
                try fixture.recordFailedRun(at: String(format: "2026-03-%02dT05:00:00Z", day), outcome: .transientFailure)
            }
            try fixture.capture(at: String(format: "2026-03-%02dT06:00:00Z", day), resources: resources(dayIndex: offset, extraApps: extraApps), notRecorded: offset == 4 ? domainsNotRead : [])
        }
        return fixture
    }

    static let domainsNotRead = [
        NotRecordedListing(kind: ResourceKind.domain, parentKey: "app-api", listing: "GET /apps/{app}/domains", error: "HTTP 503")
    ]

    /// Commits one snapshot with a complete run record, as `docket capture` would.
    @discardableResult
    func capture(at time: String, resources: [CapturedResource], notRecorded: [NotRecordedListing] = []) throws -> SnapshotInfo {
        let runID = try store.beginRun(startedAt: time, pid: 4242, host: "capture-host", docketVersion: "0.1.0", apiURL: "http://127.0.0.1:9/", tokenSource: "--token-file")
        let snapshot = try store.commitSnapshot(resources: resources, notRecorded: notRecorded, capturedAt: time, runID: runID, account: Self.account)
        var run = RunRecord(
            id: runID, startedAt: time, endedAt: time, outcome: notRecorded.isEmpty ? .complete : .incomplete,
            exitCode: notRecorded.isEmpty ? 0 : 3, error: notRecorded.isEmpty ? nil : "1 listing could not be read", pid: 4242,
            host: "capture-host", docketVersion: "0.1.0", apiURL: "http://127.0.0.1:9/", tokenSource: "--token-file", requests: 12,
            retries: 0, rateLimited: 0, rateLimitAtStart: 4500, rateLimitAtEnd: 4488, snapshotDigest: snapshot.digest,
            resourceCount: resources.count)
        run.endedAt = time
        var endpoint = EndpointRecord(endpoint: "GET /apps")
        endpoint.requests = 1
        endpoint.pages = 1
        endpoint.items = 2
        endpoint.lastStatus = 200
        endpoint.scopeAccepted = "global, read"
        try store.finishRun(run, endpoints: [endpoint])
        return snapshot
    }

    func recordFailedRun(at time: String, outcome: RunOutcome) throws {
        let runID = try store.beginRun(startedAt: time, pid: 4241, host: "capture-host", docketVersion: "0.1.0", apiURL: nil, tokenSource: "--token-file")
        let run = RunRecord(
            id: runID, startedAt: time, endedAt: time, outcome: outcome, exitCode: 5, error: "GET /apps: timed out after 3 retries",
            pid: 4241, host: "capture-host", docketVersion: "0.1.0", apiURL: nil, tokenSource: "--token-file", requests: 4,
            retries: 3, rateLimited: 0, rateLimitAtStart: nil, rateLimitAtEnd: nil, snapshotDigest: nil, resourceCount: nil)
        try store.finishRun(run, endpoints: [])
    }

    /// Returns the sample account's resources on a given day.
    static func resources(dayIndex: Int, extraApps: Int = 0) -> [CapturedResource] {
        var list: [CapturedResource] = [
            CapturedResource(kind: ResourceKind.account, key: "0b5d7c1e-acct", name: "ops@acme.example", body: ["email": "ops@acme.example", "two_factor_authentication": true]),
            app(key: "app-api", name: "acme-api", region: "us"),
            app(key: "app-web", name: "acme-web", region: "eu"),
            CapturedResource(
                kind: ResourceKind.formation, key: "form-api-web", name: "web", parentKey: "app-api", appKey: "app-api",
                body: ["type": "web", "quantity": 2, "size": "standard-1X", "app": ["name": "acme-api"]]),
            CapturedResource(
                kind: ResourceKind.formation, key: "form-web-web", name: "web", parentKey: "app-web", appKey: "app-web",
                body: ["type": "web", "quantity": 1, "size": "basic", "app": ["name": "acme-web"]]),
            CapturedResource(
                kind: ResourceKind.addon, key: "addon-pg", name: "postgresql-cubed-12345", parentKey: "app-api", appKey: "app-api",
                body: ["name": "postgresql-cubed-12345", "state": "provisioned", "addon_service": ["name": "heroku-postgresql"], "plan": ["name": "heroku-postgresql:standard-0"], "app": ["name": "acme-api"]]),
        ]
        // A name this long makes paths and link targets exceed ustar's 100 bytes, so the tar
        // needs pax records, which must stay reproducible too.
        let longHost = "customer-portal-with-a-very-long-name.eu-west.production.acme.example"
        list.append(
            CapturedResource(
                kind: ResourceKind.domain, key: "dom-long", name: longHost, parentKey: "app-web", appKey: "app-web",
                body: ["hostname": .string(longHost), "kind": "custom"]))
        if dayIndex >= 2 {
            list.append(app(key: "app-worker", name: "acme-worker", region: "us"))
        }
        if dayIndex < 3 {
            list.append(
                CapturedResource(
                    kind: ResourceKind.domain, key: "dom-old", name: "old.acme.example", parentKey: "app-api", appKey: "app-api",
                    body: ["hostname": "old.acme.example", "kind": "custom"]))
        }
        for index in 0..<extraApps {
            list.append(app(key: String(format: "app-extra-%04d", index), name: String(format: "acme-extra-%04d", index), region: "us"))
        }
        return list
    }

    static func app(key: String, name: String, region: String) -> CapturedResource {
        CapturedResource(
            kind: ResourceKind.app, key: key, name: name, appKey: key,
            body: [
                "id": .string(key), "name": .string(name), "region": ["name": .string(region)], "stack": ["name": "heroku-24"],
                "team": ["name": "acme"], "owner": ["email": "ops@acme.example"], "created_at": "2025-01-02T03:04:05Z",
            ])
    }
}

extension BundleFixture {
    /// Writes the bundle of `period` to `name` in the fixture's folder.
    @discardableResult
    func writeBundle(
        period: String = "2026-03", name: String = "bundle.tar", signingKey: String? = nil, cadence: Int = 86400, secondCore: Bool? = nil
    ) throws -> BundleResult {
        let output = folder.appendingPathComponent(name).path
        let request = BundleRequest(period: try Period.parse(period), outputPath: output, expectedCadence: cadence, signingKeyPath: signingKey)
        var writer = BundleWriter(store: store)
        if let secondCore {
            writer.usesSecondCore = secondCore
        }
        return try writer.write(request)
    }

    /// Extracts `archive` with `tool` (`tar` or `bsdtar`) into a new folder and returns the
    /// bag's folder.
    func extract(_ result: BundleResult, with tool: String = "tar", into name: String) throws -> URL {
        let target = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        let extracted = try ToolRunner.run([tool, "-xf", result.path, "-C", target.path])
        guard extracted.status == 0 else {
            throw DocketError(.failure, "\(tool) -xf failed: \(extracted.combined)")
        }
        return target.appendingPathComponent(result.bagName)
    }

    /// Creates an Ed25519 key pair without a passphrase and returns the private key's path.
    func makeKey(_ name: String, comment: String) throws -> String {
        let path = folder.appendingPathComponent(name).path
        let made = try ToolRunner.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path])
        guard made.status == 0 else { throw DocketError(.failure, "ssh-keygen failed: \(made.combined)") }
        return path
    }

    /// Writes an allowed_signers file naming `identity` for the public half of `key`.
    func allowedSigners(_ identity: String, key: String) throws -> String {
        let publicKey = try String(contentsOfFile: key + ".pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let path = folder.appendingPathComponent("allowed_signers-\(identity)").path
        try "\(identity) \(publicKey)\n".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
