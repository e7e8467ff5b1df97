import Foundation
import Testing

@testable import DocketKit

/// Diffs and histories over the six captured days of `Fixtures/sample`, against the changes
/// its README plants between days. Each test names what it expects in full: a change missing,
/// reported twice or reported without being planted fails it.
@Suite("Diff over the sample fixture days")
struct FixtureDiffTests {
    /// One expected resource change: `fields` maps each changed path to `old -> new`, in
    /// canonical JSON, `(absent)` for a missing side.
    struct Expected: CustomStringConvertible {
        let kind: String
        let name: String
        let change: ResourceChangeKind
        var fields: [String: String] = [:]

        var description: String { "\(kind) \(name) \(change.rawValue)" }
    }

    static let acmeAPI = "8ea55e07-6c3e-4b0e-a7ed-eec5621a6239"
    static let acmeWeb = "c6b06fed-8500-4c90-a6be-901b6a337229"
    static let tapered = "c17ae615-4209-4297-9a91-eaaeb22e5737"
    static let space = "20b67c90-2d16-4d14-a2e6-dc128d87f3aa"

    static func change(_ old: String?, _ new: String?) -> String {
        "\(old ?? "(absent)") -> \(new ?? "(absent)")"
    }

    /// A value of the fixture file `day-N/<path>.json`, in canonical JSON: the `member` of the
    /// list item with `id`, or of the document itself.
    static func fixture(day: Int, _ path: String, id: String? = nil, _ member: String) throws -> String {
        let url = TestPaths.repository.appendingPathComponent("Fixtures/sample/day-\(day)/\(path).json")
        var document = try JSONParser.parse(Data(contentsOf: url))
        if let id {
            document = try #require(document.arrayValue?.first { $0["id"]?.stringValue == id }, "no item \(id) in \(path)")
        }
        return CanonicalJSON.encodeString(try #require(document[member], "no \(member) in \(path)"))
    }

    static func expectReported(_ diff: SnapshotDiff, _ expected: [Expected], sourceLocation: SourceLocation = #_sourceLocation) {
        let actual = diff.changes.map { "\($0.kind) \($0.name) \($0.change.rawValue)" }
        #expect(actual.sorted() == expected.map(\.description).sorted(), sourceLocation: sourceLocation)
        for item in expected where item.change == .changed {
            guard let change = diff.changes.first(where: { $0.kind == item.kind && $0.name == item.name }) else { continue }
            var fields: [String: String] = [:]
            for field in change.fieldChanges {
                #expect(fields[field.path.description] == nil, "\(item): \(field.path) reported twice", sourceLocation: sourceLocation)
                fields[field.path.description] = Self.change(
                    field.old.map(CanonicalJSON.encodeString), field.new.map(CanonicalJSON.encodeString))
            }
            for path in Set(fields.keys).union(item.fields.keys).sorted() where fields[path] != item.fields[path] {
                Issue.record(
                    "\(item) \(path): reported \(fields[path] ?? "nothing"), expected \(item.fields[path] ?? "nothing")",
                    sourceLocation: sourceLocation)
            }
        }
    }

    static func releaseFields(
        artifacts: (old: String, new: String), createdAt: (String, String), description: (String, String), id: (String, String),
        version: (Int, Int)
    ) -> [String: String] {
        [
            "artifacts[id=\(artifacts.new)]": change(nil, "{\"id\":\"\(artifacts.new)\",\"type\":\"slug\"}"),
            "artifacts[id=\(artifacts.old)]": change("{\"id\":\"\(artifacts.old)\",\"type\":\"slug\"}", nil),
            "created_at": change("\"\(createdAt.0)\"", "\"\(createdAt.1)\""),
            "description": change("\"\(description.0)\"", "\"\(description.1)\""),
            "id": change("\"\(id.0)\"", "\"\(id.1)\""),
            "slug.id": change("\"\(artifacts.old)\"", "\"\(artifacts.new)\""),
            "version": change("\(version.0)", "\(version.1)"),
        ]
    }

    @Test("day 1 to 2: created app, 2FA, domain, inbound rule, deploys")
    func dayOneToTwo() async throws {
        let (store, days) = try await FixtureDays.store()
        let diff = try SnapshotDiffer(store: store).diff(from: days[0], to: days[1])
        var expected = [
            Expected(kind: "team-member", name: "acme/bob@acme.example", change: .changed, fields: ["two_factor_authentication": Self.change("false", "true")]),
            Expected(kind: "app", name: "acme-docs", change: .added),
            Expected(kind: "collaborator", name: "acme-docs/alice@acme.example", change: .added),
            Expected(kind: "collaborator", name: "acme-docs/compliance@acme.example", change: .added),
            Expected(kind: "domain", name: "acme-docs-acb46fef3f7e.herokuapp.com", change: .added),
            Expected(kind: "domain", name: "shop.acme.example", change: .added),
            Expected(kind: "formation", name: "acme-docs/web", change: .added),
            Expected(kind: "buildpacks", name: "acme-docs", change: .added),
            Expected(
                kind: "sni-endpoint", name: "acme-web/stegosaurus-48213", change: .changed,
                fields: ["domains": Self.change(
                    "[\"0e191770-616f-42f8-8876-af246acc5cb4\"]",
                    "[\"0e191770-616f-42f8-8876-af246acc5cb4\",\"66a735a9-6ec0-43a7-be40-57b9ab36a333\"]")]),
            Expected(
                kind: "release", name: "acme-api", change: .changed,
                fields: Self.releaseFields(
                    artifacts: ("c0447e12-69e9-4e13-885e-74d272824a65", "c6afd626-d85b-40ae-8ae0-220ba1c78aee"),
                    createdAt: ("2026-03-24T16:48:03Z", "2026-03-25T15:03:27Z"), description: ("Deploy 7c1e9a2", "Deploy 4e1c0d2"),
                    id: ("e483e365-1389-4a6f-b556-246061fdadc9", "3cbb629a-f8dd-4285-93ad-ee07a89c7054"), version: (120, 121))),
            Expected(
                kind: "release", name: "acme-api-staging", change: .changed,
                fields: Self.releaseFields(
                    artifacts: ("4ef0aaa9-1f76-4724-82f5-2813e96afea2", "567a349f-7880-4ebb-8685-17e982a3651e"),
                    createdAt: ("2026-03-24T12:00:05Z", "2026-03-25T12:40:00Z"), description: ("Deploy 7c1e9a2", "Deploy 4e1c0d2"),
                    id: ("285de916-34ed-4ad1-8044-27af782855a0", "acf2b7c4-7c62-43c5-acc9-b1c15b700050"), version: (301, 302))),
            Expected(kind: "release", name: "acme-docs", change: .added),
            Expected(
                kind: "inbound-ruleset", name: "acme-private", change: .changed,
                fields: [
                    "created_at": Self.change("\"2026-03-20T16:42:10Z\"", "\"2026-03-25T21:14:03Z\""),
                    "created_by": Self.change("\"alice@acme.example\"", "\"compliance@acme.example\""),
                    "id": Self.change("\"c201511b-e5a1-417a-9c25-a2c0f47f5726\"", "\"43649668-0b43-4ba9-acbf-e394b7616274\""),
                    "rules": Self.change(
                        try Self.fixture(day: 1, "spaces/\(Self.space)/inbound-ruleset", "rules"),
                        try Self.fixture(day: 2, "spaces/\(Self.space)/inbound-ruleset", "rules")),
                ]),
        ]
        for feature in ["http-session-affinity", "log-runtime-metrics", "preboot", "runtime-dyno-metadata"] {
            expected.append(Expected(kind: "app-feature", name: "acme-docs/\(feature)", change: .added))
        }
        Self.expectReported(diff, expected)
        #expect(diff.changes.first { $0.kind == "inbound-ruleset" }?.fieldChanges.first { $0.path.description == "rules" }?.old?.arrayValue?.contains(["action": "allow", "source": "0.0.0.0/0"]) == true)
    }

    @Test("day 2 to 3: rename, plan upgrade, collaborator added")
    func dayTwoToThree() async throws {
        let (store, days) = try await FixtureDays.store()
        let diff = try SnapshotDiffer(store: store).diff(from: days[1], to: days[2])
        Self.expectReported(diff, [
            Expected(
                kind: "app", name: "acme-storefront", change: .changed,
                fields: [
                    "name": Self.change("\"acme-web\"", "\"acme-storefront\""),
                    "git_url": Self.change("\"https://git.heroku.com/acme-web.git\"", "\"https://git.heroku.com/acme-storefront.git\""),
                    "web_url": Self.change(
                        "\"https://acme-web-b842c36f1f3b.herokuapp.com/\"", "\"https://acme-storefront-b842c36f1f3b.herokuapp.com/\""),
                ]),
            Expected(kind: "collaborator", name: "acme-api/dave@contractor.example", change: .added),
            Expected(
                kind: "domain", name: "acme-storefront-b842c36f1f3b.herokuapp.com", change: .changed,
                fields: ["hostname": Self.change("\"acme-web-b842c36f1f3b.herokuapp.com\"", "\"acme-storefront-b842c36f1f3b.herokuapp.com\"")]),
            Expected(
                kind: "addon", name: "redis-rectangular-77201", change: .changed,
                fields: [
                    "billed_price.cents": Self.change("1500", "3000"),
                    "plan.id": Self.change("\"5ba002c0-09c0-42d3-bbcf-adb08f7a8218\"", "\"2821596d-562a-4237-acb4-5a4b3abc189e\""),
                    "plan.name": Self.change("\"heroku-redis:premium-0\"", "\"heroku-redis:premium-1\""),
                ]),
            Expected(
                kind: "redis", name: "redis-rectangular-77201", change: .changed,
                fields: [
                    "info[name=Plan].values": Self.change("[\"Premium 0\"]", "[\"Premium 1\"]"),
                    "plan": Self.change("\"premium-0\"", "\"premium-1\""),
                ]),
        ])
        let app = try #require(diff.changes.first { $0.kind == "app" })
        #expect(app.key == Self.acmeWeb)
        #expect(app.oldName == "acme-web")
        #expect(app.newName == "acme-storefront")
    }

    @Test("day 3 to 4: volatile fields only")
    func dayThreeToFour() async throws {
        let (store, days) = try await FixtureDays.store()
        let differ = SnapshotDiffer(store: store)
        let diff = try differ.diff(from: days[2], to: days[3])
        #expect(diff.isEmpty)
        #expect(diff.hiddenResourceCount > 0)
        // Every such resource shares its anchor with its version the day before, so none is
        // read but one collaborator, whose permissions only moved: no change, read to find that.
        #expect(diff.bodiesLoaded == 2)
        #expect(diff.hiddenFieldCount == 0)

        let all = try differ.diff(from: days[2], to: days[3], includeVolatile: true)
        #expect(all.changes.count == diff.hiddenResourceCount)
        #expect(all.changes.allSatisfy { $0.change == .changed })
        #expect(all.changes.flatMap(\.fieldChanges).allSatisfy { $0.isVolatile })
        let paths = Set(all.changes.flatMap { change in change.fieldChanges.map { "\(change.kind) \($0.path)" } })
        for path in [
            "account last_login", "app released_at", "app slug_size", "app repo_size", "app updated_at", "app-feature description",
            "postgres num_bytes", "postgres info[name=Tables].values", "postgres plan_limits[name=connection-limit].current",
            "postgres pools[id=\(try Self.leaderPool())].connections_used", "postgres quotas[type=storage].current_gb",
            "postgres-backup-schedule updated_at",
        ] {
            #expect(paths.contains(path), "\(path) not among the volatile changes")
        }
    }

    static func leaderPool() throws -> String {
        let url = TestPaths.repository.appendingPathComponent("Fixtures/sample/day-4/data/postgres/v1/878d337f-012f-4f22-a849-5d404736ba81/info.json")
        let info = try JSONParser.parse(Data(contentsOf: url))
        return try #require(info["pools"]?.arrayValue?.first { $0["name"] == "leader" }?["id"]?.stringValue)
    }

    @Test("day 3 to 4: reordered permissions are no change")
    func reorderedPermissions() async throws {
        let (store, days) = try await FixtureDays.store()
        let all = try SnapshotDiffer(store: store).diff(from: days[2], to: days[3], filter: DiffFilter(kinds: ["collaborator"]), includeVolatile: true)
        #expect(all.isEmpty)
        let alice = try #require(try store.entries(of: days[3], kind: "collaborator").first { $0.name == "acme-api/alice@acme.example" })
        let before = try #require(try store.entry(kind: "collaborator", key: alice.key, in: days[2]))
        #expect(before.digest != alice.digest, "the fixture reorders alice's permissions, so the stored bodies differ")
    }

    @Test("day 4 to 5: upgrade, removals, deploy")
    func dayFourToFive() async throws {
        let (store, days) = try await FixtureDays.store()
        let diff = try SnapshotDiffer(store: store).diff(from: days[3], to: days[4])
        var expected = [
            Expected(kind: "team-member", name: "acme/carol@acme.example", change: .removed),
            Expected(kind: "collaborator", name: "acme-worker/carol@acme.example", change: .removed),
            Expected(kind: "log-drain", name: "acme-worker/logs.example.net", change: .removed),
            Expected(kind: "app", name: "acme-legacy", change: .removed),
            Expected(kind: "collaborator", name: "acme-legacy/compliance@acme.example", change: .removed),
            Expected(kind: "collaborator", name: "acme-legacy/frank@acme.example", change: .removed),
            Expected(kind: "domain", name: "acme-legacy-76f795d94e00.herokuapp.com", change: .removed),
            Expected(kind: "domain", name: "legacy.acme.example", change: .removed),
            Expected(kind: "formation", name: "acme-legacy/web", change: .removed),
            Expected(kind: "buildpacks", name: "acme-legacy", change: .removed),
            Expected(kind: "release", name: "acme-legacy", change: .removed),
            Expected(
                kind: "postgres", name: "postgresql-cubic-41207", change: .changed,
                fields: [
                    "info[name=PG Version].values": Self.change("[\"15.7\"]", "[\"16.3\"]"),
                    "postgres_version": Self.change("\"15.7\"", "\"16.3\""),
                ]),
        ]
        for feature in ["http-session-affinity", "log-runtime-metrics", "preboot", "runtime-dyno-metadata"] {
            expected.append(Expected(kind: "app-feature", name: "acme-legacy/\(feature)", change: .removed))
        }
        var release = Expected(
            kind: "release", name: "acme-api", change: .changed,
            fields: Self.releaseFields(
                artifacts: ("c6afd626-d85b-40ae-8ae0-220ba1c78aee", "dbfa872a-60b2-4a93-b4ab-c4a88c754c26"),
                createdAt: ("2026-03-25T15:03:27Z", "2026-03-28T13:20:45Z"), description: ("Deploy 4e1c0d2", "Deploy a93f5be"),
                id: ("3cbb629a-f8dd-4285-93ad-ee07a89c7054", "69fc8f7a-b82b-42b3-a548-9286480af67b"), version: (121, 122)))
        release.fields["user.email"] = Self.change("\"alice@acme.example\"", "\"bob@acme.example\"")
        release.fields["user.id"] = Self.change("\"9cc8db3a-d6db-4930-8bf5-4cf4d55aa152\"", "\"5e35bfe5-a4a0-45c7-b34b-cc6c7828fa5f\"")
        release.fields["addon_plan_names"] = Self.change(
            "[\"heroku-postgresql:premium-0\",\"heroku-redis:premium-0\",\"papertrail:fixa\"]",
            "[\"heroku-postgresql:premium-0\",\"heroku-redis:premium-1\",\"papertrail:fixa\"]")
        expected.append(release)
        Self.expectReported(diff, expected)
    }

    @Test("day 5 to 6: certificate renewed, database provisioned")
    func dayFiveToSix() async throws {
        let (store, days) = try await FixtureDays.store()
        let diff = try SnapshotDiffer(store: store).diff(from: days[4], to: days[5])
        let endpoints = "apps/\(Self.acmeWeb)/sni-endpoints"
        let endpoint = "fc4c95ed-9225-4b1f-a188-67c29e88200a"
        let addonActions = try JSONParser.parse(try Self.fixture(day: 6, "addons", id: Self.tapered, "actions")).arrayValue ?? []
        var addonFields = [
            "config_vars": Self.change("[]", "[\"HEROKU_POSTGRESQL_TEAL_URL\"]"),
            "provision_message": Self.change(
                try Self.fixture(day: 5, "addons", id: Self.tapered, "provision_message"),
                try Self.fixture(day: 6, "addons", id: Self.tapered, "provision_message")),
            "state": Self.change("\"provisioning\"", "\"provisioned\""),
        ]
        for action in addonActions {
            let redacted = Redactor.redact(action)
            addonFields["actions[id=\(action["id"]?.stringValue ?? "")]"] = Self.change(nil, CanonicalJSON.encodeString(redacted))
        }
        let expected = [
            Expected(
                kind: "sni-endpoint", name: "acme-storefront/stegosaurus-48213", change: .changed,
                fields: [
                    "certificate_chain": Self.change(
                        try Self.fixture(day: 5, endpoints, id: endpoint, "certificate_chain"),
                        try Self.fixture(day: 6, endpoints, id: endpoint, "certificate_chain")),
                    "ssl_cert.expires_at": Self.change("\"2026-04-07T23:59:59Z\"", "\"2027-04-06T23:59:59Z\""),
                    "ssl_cert.starts_at": Self.change("\"2025-04-07T00:00:00Z\"", "\"2026-03-29T00:00:00Z\""),
                    "ssl_cert.id": Self.change("\"a0847389-35ae-49bd-a29c-7f07c0f5520b\"", "\"39377054-6354-4091-97c3-584f513fa000\""),
                ]),
            Expected(kind: "addon", name: "postgresql-tapered-62018", change: .changed, fields: addonFields),
            Expected(kind: "postgres", name: "postgresql-tapered-62018", change: .changed, fields: try Self.provisionedDatabaseFields()),
        ]
        #expect(addonActions.count == 2)
        Self.expectReported(diff, expected)
    }

    /// Returns the fields expected for the provisioned database: the data-API 404 record
    /// replaced by the day-6 info document, with the secrets the redactor removes before
    /// storing, less the volatile members.
    static func provisionedDatabaseFields() throws -> [String: String] {
        let url = TestPaths.repository.appendingPathComponent("Fixtures/sample/day-6/client/v11/databases/\(tapered).json")
        let info = try #require(Redactor.redact(try JSONParser.parse(Data(contentsOf: url))).objectValue)
        #expect(info["resource_url"] == .string(Redactor.marker))
        var fields: [String: String] = [
            "addon": change("{\"id\":\"\(tapered)\",\"name\":\"postgresql-tapered-62018\"}", nil),
            "data_api_record": change("false", nil),
        ]
        // Volatile members, such as num_bytes, are hidden even when they first appear.
        for (name, value) in info where !VolatilityPolicy.default.isVolatile(kind: "postgres", path: FieldPath([.member(name)])) {
            fields[name] = change(nil, CanonicalJSON.encodeString(value))
        }
        #expect(fields.count < info.count)
        return fields
    }

    @Test("whole range: each planted change once")
    func wholeRange() async throws {
        let (store, days) = try await FixtureDays.store()
        let diff = try SnapshotDiffer(store: store).diff(from: days[0], to: days[5])
        let names = diff.changes.map { "\($0.kind) \($0.displayName) \($0.change.rawValue)" }
        #expect(Set(names).count == names.count)
        #expect(names.contains("app acme-web → acme-storefront changed"))
        #expect(names.contains("app acme-legacy removed"))
        #expect(names.contains("app acme-docs added"))
        #expect(!names.contains("collaborator acme-api/alice@acme.example changed"), "a reordered list is no change")
    }

    @Test("app filter follows the renamed app and what belongs to it")
    func appFilter() async throws {
        let (store, days) = try await FixtureDays.store()
        let differ = SnapshotDiffer(store: store)
        let diff = try differ.diff(from: days[0], to: days[5], filter: DiffFilter(appKey: Self.acmeWeb), includeVolatile: true)
        #expect(!diff.isEmpty)
        #expect(diff.changes.allSatisfy { $0.appKey == Self.acmeWeb })
        #expect(Set(diff.changes.map(\.kind)).isSuperset(of: ["app", "domain", "sni-endpoint", "addon", "postgres"]))
    }

    @Test("history follows the renamed app across its rename", arguments: ["acme-web", "acme-storefront", acmeWeb])
    func renamedAppHistory(reference: String) async throws {
        let (store, _) = try await FixtureDays.store()
        let timeline = try ResourceHistory(store: store).timeline(kind: "app", nameOrID: reference)
        #expect(timeline.key == Self.acmeWeb)
        #expect(timeline.names == ["acme-web", "acme-storefront"])
        #expect(timeline.events.map(\.kind) == [.appeared, .changed])
        #expect(timeline.events.map { String($0.snapshot.capturedAt.prefix(10)) } == ["2026-03-25", "2026-03-27"])
        let rename = try #require(timeline.events.last)
        #expect(rename.previousName == "acme-web")
        #expect(rename.name == "acme-storefront")
        #expect(rename.fieldChanges.map(\.path.description) == ["git_url", "name", "web_url"])
        #expect(timeline.hiddenFieldCount > 0)
    }

    @Test("history of a removed app ends with its removal")
    func removedAppHistory() async throws {
        let (store, _) = try await FixtureDays.store()
        let timeline = try ResourceHistory(store: store).timeline(kind: "app", nameOrID: "acme-legacy")
        #expect(timeline.events.map(\.kind) == [.appeared, .removed])
        #expect(timeline.events.last?.snapshot.capturedAt == "2026-03-29T06:00:00Z")
    }

    @Test("json-patch output applied by jsonpatch gives every new body")
    func jsonPatchRoundTrip() async throws {
        let (store, days) = try await FixtureDays.store()
        var cases: [(doc: JSONValue, patch: [JSONValue])] = []
        var expected: [PythonJSONPatch.Outcome] = []
        for (from, to) in zip(days, days.dropFirst()) {
            let diff = try SnapshotDiffer(store: store).diff(from: from, to: to, includeVolatile: true)
            let output = try JSONParser.parse(try DiffRenderer.jsonPatch(diff, store: store))
            for record in output["resources"]?.arrayValue ?? [] {
                guard let patch = record["patch"]?.arrayValue, let newDigest = record["new_digest"]?.stringValue else { continue }
                // An added resource's patch replaces the whole document, whatever it starts from.
                let old = try record["old_digest"]?.stringValue.map { try store.object($0) } ?? .object([:])
                cases.append((old, patch))
                expected.append(.applied(try store.object(newDigest)))
            }
        }
        #expect(cases.count > 50)
        let outcomes = try PythonJSONPatch.apply(cases)
        #expect(outcomes.count == expected.count)
        for (index, (outcome, wanted)) in zip(outcomes, expected).enumerated() where outcome != wanted {
            Issue.record("patch \(index) gave \(outcome)")
        }
    }

    @Test("failed listing on a fixture day is not recorded, never removed")
    func failedListing() async throws {
        let captured = try await FixtureDays.capture([
            (day: 2, failingPaths: [:]),
            (day: 3, failingPaths: ["^/apps/\(Self.acmeWeb)/domains": 503]),
            (day: 4, failingPaths: [:]),
        ])
        let store = try SnapshotStore(path: captured.storePath)
        let days = captured.days
        #expect(!days[1].isComplete)
        let differ = SnapshotDiffer(store: store)

        let diff = try differ.diff(from: days[0], to: days[1], filter: DiffFilter(kinds: ["domain"]))
        #expect(diff.count(.removed) == 0)
        #expect(diff.changes.map(\.change) == [.notRecorded, .notRecorded, .notRecorded])
        #expect(Set(diff.changes.map(\.name)) == ["acme-web-b842c36f1f3b.herokuapp.com", "shop.acme.example", "www.acme.example"])

        let back = try differ.diff(from: days[1], to: days[2], filter: DiffFilter(kinds: ["domain"]))
        #expect(back.count(.added) == 0)
        #expect(back.changes.allSatisfy { $0.change == .notRecorded })

        let across = try differ.diff(from: days[0], to: days[2], filter: DiffFilter(kinds: ["domain"]))
        #expect(across.changes.map(\.name) == ["acme-storefront-b842c36f1f3b.herokuapp.com"])

        let history = try ResourceHistory(store: store).timeline(kind: "domain", nameOrID: "www.acme.example")
        #expect(history.events.map(\.kind) == [.appeared, .notRecorded])
    }
}
