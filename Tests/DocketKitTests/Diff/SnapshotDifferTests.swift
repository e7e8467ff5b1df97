import Foundation
import Testing

@testable import DocketKit

@Suite("Snapshot differ")
struct SnapshotDifferTests {
    /// Day 1 of a small estate; `planted` changes it in known ways.
    static func baseline() -> [CapturedResource] {
        [
            Sample.app("app-1", name: "api-staging", stack: "heroku-22"),
            Sample.app("app-2", name: "web"),
            Sample.domain("dom-1", hostname: "api.example.com", app: "app-1"),
            Sample.domain("dom-2", hostname: "www.example.com", app: "app-2"),
            Sample.collaborator("col-1", email: "dev@example.com", app: "app-1", permissions: ["view", "deploy"]),
            Sample.addon("add-1", name: "redis-cubic-12", app: "app-2", plan: "heroku-redis:mini"),
            Sample.webhook("hook-1", app: "app-2", include: ["api:release", "api:build"]),
        ]
    }

    @Test("every planted change reported once, nothing else")
    func plantedChanges() throws {
        let fixture = try DiffTestStore()
        let day1 = try fixture.commit(day: 1, Self.baseline())
        var day2Resources = Self.baseline()
        day2Resources[0] = Sample.app("app-1", name: "api", stack: "heroku-24", updatedAt: "2026-03-26T01:00:00Z", slugSize: 2000)
        day2Resources[4] = Sample.collaborator("col-1", email: "dev@example.com", app: "app-1", permissions: ["deploy", "view", "operate"])
        day2Resources.remove(at: 5)
        day2Resources.append(Sample.domain("dom-3", hostname: "admin.example.com", app: "app-1"))
        let day2 = try fixture.commit(day: 2, day2Resources)

        let diff = try SnapshotDiffer(store: fixture.store).diff(from: day1, to: day2)

        #expect(diff.changes.map { "\($0.kind) \($0.key) \($0.change.rawValue)" } == [
            "app app-1 changed", "collaborator col-1 changed", "domain dom-3 added", "addon add-1 removed",
        ])
        let app = try #require(diff.changes.first)
        #expect(app.oldName == "api-staging")
        #expect(app.newName == "api")
        #expect(app.displayName == "api-staging → api")
        #expect(app.fieldChanges == [
            FieldChange(path: FieldPath([.member("name")]), old: "api-staging", new: "api"),
            FieldChange(path: FieldPath([.member("stack"), .member("id")]), old: "stack-heroku-22", new: "stack-heroku-24"),
            FieldChange(path: FieldPath([.member("stack"), .member("name")]), old: "heroku-22", new: "heroku-24"),
        ])
        let collaborator = diff.changes[1]
        #expect(collaborator.fieldChanges.count == 1)
        #expect(collaborator.fieldChanges.first?.path.description == "permissions[name=operate]")
        #expect(collaborator.fieldChanges.first?.old == nil)
        #expect(collaborator.fieldChanges.first?.new == ["name": "operate", "description": "Can operate"])
        #expect(diff.changes[2].newName == "admin.example.com")
        #expect(diff.changes[3].oldName == "redis-cubic-12")
        #expect(diff.hiddenFieldCount == 2)
        #expect(diff.hiddenResourceCount == 0)
    }

    @Test("volatile-only changes give no differences")
    func volatileOnly() throws {
        let fixture = try DiffTestStore()
        let day1 = try fixture.commit(day: 1, Self.baseline())
        var resources = Self.baseline()
        resources[1] = Sample.app("app-2", name: "web", updatedAt: "2026-03-27T00:00:00Z", slugSize: 4321)
        resources[3] = Sample.domain("dom-2", hostname: "www.example.com", app: "app-2", status: "pending")
        let day2 = try fixture.commit(day: 2, resources)
        let differ = SnapshotDiffer(store: fixture.store)

        let diff = try differ.diff(from: day1, to: day2)
        #expect(diff.isEmpty)
        // The fields of hidden resources are not counted: the shared anchors hide them unread.
        #expect(diff.hiddenFieldCount == 0)
        #expect(diff.hiddenResourceCount == 2)
        #expect(diff.bodiesLoaded == 0)

        let all = try differ.diff(from: day1, to: day2, includeVolatile: true)
        #expect(all.changes.map(\.key) == ["app-2", "dom-2"])
        #expect(all.changes.flatMap(\.fieldChanges).allSatisfy { $0.isVolatile })
        #expect(all.changes[0].fieldChanges.map(\.path.description) == ["slug_size", "updated_at"])
        #expect(all.hiddenFieldCount == 0)
    }

    @Test("reordered array is no change")
    func reordered() throws {
        let fixture = try DiffTestStore()
        let day1 = try fixture.commit(day: 1, Self.baseline())
        var resources = Self.baseline()
        resources[4] = Sample.collaborator("col-1", email: "dev@example.com", app: "app-1", permissions: ["deploy", "view"])
        resources[6] = Sample.webhook("hook-1", app: "app-2", include: ["api:build", "api:release"])
        let day2 = try fixture.commit(day: 2, resources)
        #expect(day1.treeDigest != day2.treeDigest)

        let diff = try SnapshotDiffer(store: fixture.store).diff(from: day1, to: day2, includeVolatile: true)
        #expect(diff.isEmpty)
        #expect(diff.hiddenResourceCount == 0)
    }

    @Test("failed listing is not recorded, never removed")
    func notRecorded() throws {
        let fixture = try DiffTestStore()
        let day1 = try fixture.commit(day: 1, Self.baseline())
        let failed = NotRecordedListing(kind: ResourceKind.domain, parentKey: "app-1", listing: "GET /apps/{app}/domains", error: "HTTP 503")
        let day2 = try fixture.commit(day: 2, Self.baseline().filter { $0.key != "dom-1" }, notRecorded: [failed])
        let day3 = try fixture.commit(day: 3, Self.baseline())
        let differ = SnapshotDiffer(store: fixture.store)

        let forward = try differ.diff(from: day1, to: day2)
        #expect(forward.changes.map(\.change) == [.notRecorded])
        #expect(forward.changes.first?.key == "dom-1")
        #expect(forward.count(.removed) == 0)
        #expect(forward.notRecordedListings.count == 1)

        let back = try differ.diff(from: day2, to: day3)
        #expect(back.changes.map(\.change) == [.notRecorded])
        #expect(back.count(.added) == 0)

        #expect(try differ.diff(from: day1, to: day3).isEmpty)
    }

    @Test("failed app listing leaves the apps' resources not recorded")
    func appListingFailed() throws {
        let fixture = try DiffTestStore()
        let day1 = try fixture.commit(day: 1, Self.baseline())
        let failed = NotRecordedListing(kind: ResourceKind.app, parentKey: nil, listing: "GET /apps", error: "HTTP 500")
        let kept = Self.baseline().filter { $0.kind == ResourceKind.addon }
        let day2 = try fixture.commit(day: 2, kept, notRecorded: [failed])

        let diff = try SnapshotDiffer(store: fixture.store).diff(from: day1, to: day2)
        #expect(diff.changes.count == 6)
        #expect(diff.changes.allSatisfy { $0.change == .notRecorded })
    }

    @Test("kind and app filters")
    func filters() throws {
        let fixture = try DiffTestStore()
        let day1 = try fixture.commit(day: 1, Self.baseline())
        var resources = Self.baseline()
        resources[0] = Sample.app("app-1", name: "api", stack: "heroku-22")
        resources[1] = Sample.app("app-2", name: "web", stack: "heroku-22")
        resources[3] = Sample.domain("dom-2", hostname: "www2.example.com", app: "app-2")
        resources[5] = Sample.addon("add-1", name: "redis-cubic-12", app: "app-2", plan: "heroku-redis:premium-0")
        let day2 = try fixture.commit(day: 2, resources)
        let differ = SnapshotDiffer(store: fixture.store)

        let apps = try differ.diff(from: day1, to: day2, filter: DiffFilter(kinds: [ResourceKind.app]))
        #expect(apps.changes.map(\.key) == ["app-1", "app-2"])

        let web = try differ.diff(from: day1, to: day2, filter: DiffFilter(appKey: "app-2"))
        #expect(web.changes.map(\.key) == ["app-2", "dom-2", "add-1"])

        let both = try differ.diff(from: day1, to: day2, filter: DiffFilter(kinds: [ResourceKind.domain], appKey: "app-2"))
        #expect(both.changes.map(\.key) == ["dom-2"])
    }

    @Test("only resources whose digests differ are loaded")
    func skipsEqualDigests() throws {
        let fixture = try DiffTestStore()
        var apps = (0..<300).map { Sample.app("app-\($0)", name: "app\($0)") }
        let day1 = try fixture.commit(day: 1, apps)
        apps[123] = Sample.app("app-123", name: "app123", stack: "heroku-22")
        let day2 = try fixture.commit(day: 2, apps)

        let diff = try SnapshotDiffer(store: fixture.store).diff(from: day1, to: day2)
        #expect(diff.changes.map(\.key) == ["app-123"])
        #expect(diff.bodiesLoaded == 2)
    }

    @Test("bucketed kind: changes in many leaves")
    func bucketedChanges() throws {
        let fixture = try DiffTestStore()
        var apps = (0..<600).map { Sample.app("app-\($0)", name: "app\($0)") }
        let day1 = try fixture.commit(day: 1, apps)
        for index in stride(from: 0, to: 600, by: 7) {
            apps[index] = Sample.app("app-\(index)", name: "app\(index)", stack: "heroku-22")
        }
        let removed = Set(stride(from: 3, to: 600, by: 50).map { "app-\($0)" })
        apps.removeAll { removed.contains($0.key) }
        apps += (600..<640).map { Sample.app("app-\($0)", name: "app\($0)") }
        let day2 = try fixture.commit(day: 2, apps)

        let diff = try SnapshotDiffer(store: fixture.store).diff(from: day1, to: day2)

        let changed = Set(stride(from: 0, to: 600, by: 7).map { "app-\($0)" }).subtracting(removed)
        let added = Set((600..<640).map { "app-\($0)" })
        #expect(Set(diff.changes.filter { $0.change == .changed }.map(\.key)) == changed)
        #expect(Set(diff.changes.filter { $0.change == .removed }.map(\.key)) == removed)
        #expect(Set(diff.changes.filter { $0.change == .added }.map(\.key)) == added)
        #expect(diff.changes.count == changed.count + removed.count + added.count)
        #expect(diff.bodiesLoaded == 2 * changed.count)
    }

    @Test("split comparison gives same diff")
    func secondConnection() throws {
        let fixture = try DiffTestStore()
        var resources = (0..<600).map { Sample.app("app-\($0)", name: "app\($0)") }
        resources += (0..<20).map { Sample.domain("dom-\($0)", hostname: "d\($0).example.com", app: "app-1") }
        let day1 = try fixture.commit(day: 1, resources)
        for index in stride(from: 0, to: 600, by: 7) {
            resources[index] = Sample.app("app-\(index)", name: "app\(index)", stack: "heroku-22")
        }
        for index in stride(from: 1, to: 600, by: 11) {
            resources[index] = Sample.app("app-\(index)", name: "app\(index)", updatedAt: "2026-03-02T00:00:00Z")
        }
        resources[603] = Sample.domain("dom-3", hostname: "renamed.example.com", app: "app-1")
        resources.removeAll { $0.key == "app-50" || $0.key == "dom-9" }
        resources += (600..<640).map { Sample.app("app-\($0)", name: "app\($0)") }
        let day2 = try fixture.commit(day: 2, resources)
        let reader = try SnapshotStore(path: fixture.store.path, readOnly: true)

        let alone = try SnapshotDiffer(store: fixture.store).diff(from: day1, to: day2)
        let shared = try fixture.store.withConsistentRead {
            try SnapshotDiffer(store: fixture.store).diff(from: day1, to: day2, reader: reader)
        }
        #expect(DiffRenderer.json(shared) == DiffRenderer.json(alone))
        #expect(shared.changes.count == alone.changes.count)
        #expect(alone.count(.added) == 40)
        #expect(alone.count(.removed) == 2)
        #expect(shared.hiddenResourceCount == alone.hiddenResourceCount)
        #expect(shared.hiddenResourceCount > 0)
        #expect(shared.hiddenFieldCount == alone.hiddenFieldCount)
        #expect(shared.bodiesLoaded == alone.bodiesLoaded)

        var once = SnapshotDiffer(store: fixture.store)
        once.readsLeavesOnce = true
        let onceShared = try fixture.store.withConsistentRead { try once.diff(from: day1, to: day2, reader: reader) }
        #expect(DiffRenderer.json(onceShared) == DiffRenderer.json(alone))
        #expect(onceShared.bodiesLoaded == alone.bodiesLoaded)
    }

    @Test("kind growing past one leaf")
    func kindCrossesLeafLimit() throws {
        let fixture = try DiffTestStore()
        let count = SnapshotTree.leafLimit - 10
        var domains = (0..<count).map { Sample.domain("dom-\($0)", hostname: "d\($0).example.com", app: "app-1") }
        let day1 = try fixture.commit(day: 1, domains)
        domains[5] = Sample.domain("dom-5", hostname: "renamed.example.com", app: "app-1")
        domains += (count..<(count + 40)).map { Sample.domain("dom-\($0)", hostname: "d\($0).example.com", app: "app-1") }
        let day2 = try fixture.commit(day: 2, domains)

        let forward = try SnapshotDiffer(store: fixture.store).diff(from: day1, to: day2)
        #expect(forward.changes.filter { $0.change == .changed }.map(\.key) == ["dom-5"])
        #expect(forward.count(.added) == 40)
        #expect(forward.changes.count == 41)

        let backward = try SnapshotDiffer(store: fixture.store).diff(from: day2, to: day1)
        #expect(backward.count(.removed) == 40)
        #expect(backward.count(.changed) == 1)

        // One side is one leaf, the other a map of buckets, which the full read handles.
        var once = SnapshotDiffer(store: fixture.store)
        once.readsLeavesOnce = true
        #expect(DiffRenderer.json(try once.diff(from: day1, to: day2)) == DiffRenderer.json(forward))
        #expect(DiffRenderer.json(try once.diff(from: day2, to: day1)) == DiffRenderer.json(backward))
    }

    @Test("json-patch output applied by jsonpatch gives the new bodies")
    func jsonPatchOutput() throws {
        let fixture = try DiffTestStore()
        let day1 = try fixture.commit(day: 1, Self.baseline())
        var resources = Self.baseline()
        resources[0] = Sample.app("app-1", name: "api", stack: "heroku-24", updatedAt: "2026-03-26T01:00:00Z")
        resources[4] = Sample.collaborator("col-1", email: "dev@example.com", app: "app-1", permissions: ["operate", "deploy"])
        resources[6] = Sample.webhook("hook-1", app: "app-2", include: ["api:dyno", "api:release"])
        resources.append(Sample.domain("dom-3", hostname: "admin.example.com", app: "app-1"))
        let day2 = try fixture.commit(day: 2, resources)
        let diff = try SnapshotDiffer(store: fixture.store).diff(from: day1, to: day2)

        let output = try JSONParser.parse(try DiffRenderer.jsonPatch(diff, store: fixture.store))
        #expect(output["format"] == "docket-json-patch/1")
        let records = try #require(output["resources"]?.arrayValue)
        #expect(records.count == 4)
        var cases: [(doc: JSONValue, patch: [JSONValue])] = []
        var expected: [JSONValue] = []
        for record in records {
            let old = try record["old_digest"]?.stringValue.map { try fixture.store.object($0) } ?? .object([:])
            cases.append((old, try #require(record["patch"]?.arrayValue)))
            expected.append(try fixture.store.object(try #require(record["new_digest"]?.stringValue)))
        }
        let outcomes = try PythonJSONPatch.apply(cases)
        #expect(outcomes == expected.map { .applied($0) })
    }
}
