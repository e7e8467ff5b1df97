import Foundation
import DocketTestSupport
import Testing

/// The built `docket capture` against the fake Heroku API on loopback.
@Suite("capture end to end", .serialized)
struct CaptureEndToEndTests {
    /// Fast retries, so that fault tests finish quickly; the fake refills its budget fast too.
    static let fastRetries = ["--retry-delay", "0.01", "--rate-limit-refill", "60000", "--max-retry-time", "20"]

    func storePath() -> String {
        Repository.temporaryDirectory().appendingPathComponent("store.sqlite").path
    }

    func snapshots(_ store: String, runs: Bool = false) throws -> [[String: Any]] {
        let result = try docket(["snapshots", "--store", store, "--json"] + (runs ? ["--runs"] : []))
        return result.json as? [[String: Any]] ?? []
    }

    func expectNoToken(_ result: CommandResult, sourceLocation: SourceLocation = #_sourceLocation) {
        let token = Repository.tokenValue
        #expect(!token.isEmpty, sourceLocation: sourceLocation)
        #expect(!result.stdout.contains(token), sourceLocation: sourceLocation)
        #expect(!result.stderr.contains(token), sourceLocation: sourceLocation)
    }

    @Test("full capture records a complete snapshot")
    func fullCapture() throws {
        let fake = try FakeHeroku(day: 1)
        let store = storePath()
        let result = try docket(fake.captureArguments(store: store), environment: ["DOCKET_NOW": "2026-03-25T06:00:00Z"])
        #expect(result.status == 0, "\(result.stderr)")
        expectNoToken(result)
        #expect(result.stderr.contains("capture complete: snapshot"))
        let list = try snapshots(store)
        #expect(list.count == 1)
        #expect(list.first?["complete"] as? Bool == true)
        #expect(list.first?["captured_at"] as? String == "2026-03-25T06:00:00Z")
        let show = try docket(["show", "latest", "--store", store, "--json"])
        let kinds = (show.json as? [String: Any])?["kinds"] as? [String: Int] ?? [:]
        for kind in ["account", "app", "addon", "team-member", "domain", "postgres", "redis", "space", "inbound-ruleset", "buildpacks", "release"] {
            #expect((kinds[kind] ?? 0) > 0, "no \(kind) captured")
        }
        #expect(try docket(["check", "--store", store]).status == 0)
    }

    @Test("no planted secret reaches the store file")
    func secretsNeverStored() throws {
        let fake = try FakeHeroku(day: 1)
        let store = storePath()
        for day in 1...6 {
            try fake.configure(["day": day])
            let result = try docket(fake.captureArguments(store: store), environment: ["DOCKET_NOW": "2026-03-\(24 + day)T06:00:00Z"])
            #expect(result.status == 0, "\(result.stderr)")
            expectNoToken(result)
        }
        let secrets = try String(contentsOfFile: Repository.sample + "/secrets.txt", encoding: .utf8)
            .split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        #expect(secrets.count >= 10)
        let folder = (store as NSString).deletingLastPathComponent
        for file in try FileManager.default.contentsOfDirectory(atPath: folder) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + file))
            for secret in secrets {
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "secret \(secret.prefix(12))… found in \(file)")
            }
        }
    }

    @Test("many small pages give the same snapshot content")
    func manyPages() throws {
        let fake = try FakeHeroku(day: 1)
        let paged = storePath()
        let whole = storePath()
        let env = ["DOCKET_NOW": "2026-03-25T06:00:00Z"]
        let first = try docket(fake.captureArguments(store: paged) + ["--page-size", "2", "--json"], environment: env)
        #expect(first.status == 0, "\(first.stderr)")
        let second = try docket(fake.captureArguments(store: whole) + ["--json"], environment: env)
        #expect(second.status == 0)
        let pagedRequests = (first.json as? [String: Any])?["requests"] as? Int ?? 0
        let wholeRequests = (second.json as? [String: Any])?["requests"] as? Int ?? 0
        #expect(pagedRequests > wholeRequests + 10)
        #expect(try snapshots(paged).first?["tree"] as? String == snapshots(whole).first?["tree"] as? String)
    }

    @Test("429 responses are retried until the capture succeeds")
    func rateLimitedThenSuccess() throws {
        let fake = try FakeHeroku(day: 1)
        try fake.configure(["fail_429": 3])
        let store = storePath()
        let result = try docket(fake.captureArguments(store: store) + Self.fastRetries + ["--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let run = result.json as? [String: Any] ?? [:]
        #expect(run["rate_limited"] as? Int == 3)
        #expect((run["retries"] as? Int ?? 0) >= 3)
    }

    @Test("5xx until retries run out records only the run")
    func serverErrorsExhaustRetries() throws {
        let fake = try FakeHeroku(day: 1)
        try fake.configure(["fail_500": "always"])
        let store = storePath()
        let result = try docket(fake.captureArguments(store: store) + Self.fastRetries + ["--max-attempts", "3"])
        #expect(result.status == 5, "\(result.stderr)")
        #expect(result.stderr.contains("retries ran out"))
        #expect(try snapshots(store).isEmpty)
        let runs = try snapshots(store, runs: true)
        #expect(runs.count == 1)
        #expect(runs.first?["outcome"] as? String == "transient-failure")
        #expect(runs.first?["exit_code"] as? Int == 5)
        #expect(try fake.stats()["requests"] as? Int == 3)
    }

    @Test("401 exits 4 naming the token source, not the token")
    func unauthorized() throws {
        let fake = try FakeHeroku(day: 1)
        try fake.configure(["unauthorized": true])
        let store = storePath()
        let result = try docket(fake.captureArguments(store: store))
        #expect(result.status == 4)
        expectNoToken(result)
        #expect(result.stderr.contains("--token-file \(Repository.token)"))
        #expect(result.stderr.contains("heroku authorizations:create"))
        #expect(try snapshots(store).isEmpty)
        #expect(try snapshots(store, runs: true).first?["outcome"] as? String == "auth-failed")
    }

    @Test("one failing listing gives an incomplete snapshot")
    func oneListingFails() throws {
        let fake = try FakeHeroku(day: 1)
        try fake.configure(["fail_path": ["^/apps/[^/]+/domains$": 503]])
        let store = storePath()
        let result = try docket(fake.captureArguments(store: store) + Self.fastRetries + ["--max-attempts", "2"])
        #expect(result.status == 3, "\(result.stderr)")
        let snapshot = try #require(try snapshots(store).first)
        #expect(snapshot["complete"] as? Bool == false)
        let missing = snapshot["not_recorded"] as? [[String: Any]] ?? []
        #expect(!missing.isEmpty)
        #expect(missing.allSatisfy { $0["kind"] as? String == "domain" && $0["listing"] as? String == "GET /apps/{app}/domains" })
        let domains = try docket(["show", "latest", "domain", "--store", store, "--json"])
        #expect((domains.json as? [Any])?.isEmpty == true)
        #expect(try snapshots(store, runs: true).first?["outcome"] as? String == "incomplete")
    }

    @Test("a failed parent listing leaves its children not recorded, never removed")
    func failedParentListing() throws {
        let fake = try FakeHeroku(day: 1)
        let store = storePath()
        #expect(try docket(fake.captureArguments(store: store), environment: ["DOCKET_NOW": "2026-03-25T06:00:00Z"]).status == 0)
        try fake.configure(["fail_path": ["^/teams$": 403, "^/addons$": 503, "^/spaces$": 503]])
        let second = try docket(
            fake.captureArguments(store: store) + Self.fastRetries + ["--max-attempts", "1"], environment: ["DOCKET_NOW": "2026-03-26T06:00:00Z"])
        #expect(second.status == 3, "\(second.stderr)")
        // A date picks the last complete snapshot, so the incomplete one is named as `latest`.
        let diff = try docket(["diff", "2026-03-25", "latest", "--format", "json", "--store", store])
        let text = diff.stdout
        #expect(diff.status == 0, "\(diff.stderr)")
        let document = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
        let resources = document["resources"] as? [[String: Any]] ?? []
        let removed = resources.filter { ($0["change"] as? String) == "removed" }.compactMap { $0["kind"] as? String }
        #expect(removed.isEmpty, "reported as removed: \(removed)")
        let unknown = Set(resources.filter { ($0["change"] as? String) == "not-recorded" }.compactMap { $0["kind"] as? String })
        for kind in ["team-member", "postgres", "redis", "inbound-ruleset", "postgres-backup-schedule"] {
            #expect(unknown.contains(kind), "\(kind) is not reported as not recorded")
        }
    }

    @Test("an altered object is refused, not shown")
    func alteredObject() throws {
        let fake = try FakeHeroku(day: 1)
        let store = storePath()
        #expect(try docket(fake.captureArguments(store: store)).status == 0)
        let accounts = try docket(["show", "latest", "account", "--json", "--store", store]).json as? [[String: Any]] ?? []
        let digest = try #require(accounts.first?["digest"] as? String)
        let folder = (store as NSString).deletingLastPathComponent
        let sqlite = try ChildProcess(
            executable: "/usr/bin/sqlite3", arguments: [store, "UPDATE objects SET body = CAST('{\"email\":\"evil@example.com\"}' AS BLOB) WHERE id = (SELECT id FROM object_keys WHERE prefix = X'\(digest.prefix(16))');"],
            environment: [:], stdoutPath: folder + "/sqlite.out", stderrPath: folder + "/sqlite.err")
        #expect(sqlite.waitStatus() == 0)
        let show = try docket(["show", "latest", "account/\(accounts.first?["key"] as? String ?? "")", "--store", store])
        #expect(show.status == 6)
        #expect(show.stderr.contains(digest))
        #expect(!show.stdout.contains("evil@example.com"))
        #expect(try docket(["check", "--store", store]).status == 6)
        // controls reads the altered body as empty, prints its report and exits 6.
        let controls = try docket(["controls", "--store", store])
        #expect(controls.status == 6)
        #expect(controls.stdout.contains("evidence-store-intact"))
        #expect(controls.stdout.contains("the stored body no longer matches its digest \(digest.prefix(12))"))
        #expect(controls.stderr.contains("docket check"))
    }

    @Test("the same day captured twice adds no objects")
    func unchangedDayTwice() throws {
        let fake = try FakeHeroku(day: 2)
        let store = storePath()
        #expect(try docket(fake.captureArguments(store: store), environment: ["DOCKET_NOW": "2026-03-26T06:00:00Z"]).status == 0)
        let before = try objectCount(store)
        let second = try docket(fake.captureArguments(store: store) + ["--json"], environment: ["DOCKET_NOW": "2026-03-26T07:00:00Z"])
        #expect(second.status == 0)
        #expect((second.json as? [String: Any])?["snapshot_changed"] as? Bool == false)
        #expect(try objectCount(store) == before)
        let list = try snapshots(store)
        #expect(list.count == 2)
        #expect(list[0]["tree"] as? String == list[1]["tree"] as? String)
        #expect(list[0]["parent"] as? String == list[1]["digest"] as? String)
    }

    @Test("requests in flight stay within --concurrency")
    func concurrencyLimit() throws {
        let fake = try FakeHeroku(day: 1)
        try fake.configure(["slow_ms": 30])
        let result = try docket(fake.captureArguments(store: storePath()) + ["--concurrency", "3"])
        #expect(result.status == 0)
        let inFlight = try fake.stats()["max_in_flight"] as? Int ?? 0
        #expect(inFlight <= 3)
        #expect(inFlight >= 2)
    }

    @Test("budget is never spent below --min-rate-limit")
    func pacing() throws {
        let fake = try FakeHeroku(day: 1)
        try fake.configure(["rate_limit": ["capacity": 4500, "refill_per_minute": 3000, "remaining": 530]])
        let result = try docket(
            fake.captureArguments(store: storePath()) + ["--min-rate-limit", "500", "--rate-limit-refill", "3000", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let run = result.json as? [String: Any] ?? [:]
        #expect((run["rate_limit_lowest"] as? Int ?? 0) >= 500)
        #expect((run["paced_seconds"] as? Double ?? 0) > 0)
        #expect(run["rate_limited"] as? Int == 0)
    }

    @Test("a second capture while one runs exits 11")
    func concurrentCaptures() throws {
        let fake = try FakeHeroku(day: 1)
        try fake.configure(["slow_ms": 100])
        let store = storePath()
        let first = try startDocket(fake.captureArguments(store: store) + ["--concurrency", "1"])
        try waitForRequests(fake, atLeast: 2)
        let second = try docket(fake.captureArguments(store: store))
        #expect(second.status == 11)
        #expect(second.stderr.contains("locked by process \(first.pid)"))
        try fake.configure(["slow_ms": 0])
        #expect(first.wait().status == 0)
    }

    /// Schema 6 only marks that bodies may be copy deltas, so a store relabelled 5 opens as
    /// one that a Docket of schema 5 wrote.
    @Test("upgrading capture says so")
    func upgradeNotice() throws {
        let fake = try FakeHeroku(day: 1)
        let store = storePath()
        #expect(try docket(fake.captureArguments(store: store), environment: ["DOCKET_NOW": "2026-03-25T06:00:00Z"]).status == 0)
        let relabel = try ChildProcess(
            executable: "/usr/bin/sqlite3", arguments: [store, "PRAGMA user_version = 5;"], environment: [:],
            stdoutPath: "/dev/null", stderrPath: "/dev/null")
        #expect(relabel.wait().status == 0)

        let upgrading = try docket(fake.captureArguments(store: store), environment: ["DOCKET_NOW": "2026-03-26T06:00:00Z"])
        #expect(upgrading.status == 0)
        #expect(upgrading.stderr.contains("upgraded the store \(store) from schema 5 to "))
        let next = try docket(fake.captureArguments(store: store), environment: ["DOCKET_NOW": "2026-03-27T06:00:00Z"])
        #expect(next.status == 0)
        #expect(!next.stderr.contains("upgraded the store"))
        #expect(try docket(["check", "--store", store]).status == 0)
    }

    @Test("a killed capture leaves a valid store and an interrupted run")
    func killedCapture() throws {
        let fake = try FakeHeroku(day: 1)
        let store = storePath()
        #expect(try docket(fake.captureArguments(store: store), environment: ["DOCKET_NOW": "2026-03-25T06:00:00Z"]).status == 0)
        try fake.configure(["slow_ms": 100, "reset": true])
        let running = try startDocket(fake.captureArguments(store: store) + ["--concurrency", "1"])
        try waitForRequests(fake, atLeast: 4)
        kill(running.pid, SIGKILL)
        _ = running.wait()
        #expect(try docket(["check", "--store", store]).status == 0)
        try fake.configure(["slow_ms": 0])
        let next = try docket(fake.captureArguments(store: store))
        #expect(next.status == 0)
        #expect(next.stderr.contains("interrupted"))
        let outcomes = try snapshots(store, runs: true).compactMap { $0["outcome"] as? String }
        #expect(outcomes == ["complete", "interrupted", "complete"])
        #expect(try docket(["check", "--store", store]).status == 0)
    }

    func waitForRequests(_ fake: FakeHeroku, atLeast count: Int) throws {
        for _ in 0..<400 {
            if (try fake.stats()["requests"] as? Int ?? 0) >= count { return }
            usleep(25_000)
        }
        Issue.record("the fake never saw \(count) requests")
    }

    func objectCount(_ store: String) throws -> Int {
        let result = try docket(["check", "--store", store, "--json"])
        return (result.json as? [String: Any])?["objects"] as? Int ?? -1
    }
}
