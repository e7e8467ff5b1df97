import Testing

@testable import DocketKit

@Suite("Resource history")
struct ResourceHistoryTests {
    /// app-1 appears on day 1, is renamed on day 3, changes stack on day 5 and is removed on
    /// day 6; day 2 only moves volatile fields, and day 4 changes nothing about it.
    static func renamedAppStore() throws -> DiffTestStore {
        let fixture = try DiffTestStore()
        let other = Sample.app("app-9", name: "other")
        try fixture.commit(day: 1, [Sample.app("app-1", name: "api-staging", stack: "heroku-22"), other])
        try fixture.commit(day: 2, [Sample.app("app-1", name: "api-staging", stack: "heroku-22", updatedAt: "2026-03-26T00:00:00Z"), other])
        try fixture.commit(day: 3, [Sample.app("app-1", name: "api", stack: "heroku-22", updatedAt: "2026-03-26T00:00:00Z"), other])
        try fixture.commit(day: 4, [Sample.app("app-1", name: "api", stack: "heroku-22", updatedAt: "2026-03-26T00:00:00Z"), Sample.app("app-9", name: "other2")])
        try fixture.commit(day: 5, [Sample.app("app-1", name: "api", stack: "heroku-24", updatedAt: "2026-03-26T00:00:00Z"), other])
        try fixture.commit(day: 6, [other])
        return fixture
    }

    @Test("renamed app followed by id, old name and new name", arguments: ["app-1", "api-staging", "api"])
    func followsRename(reference: String) throws {
        let fixture = try Self.renamedAppStore()
        let timeline = try ResourceHistory(store: fixture.store).timeline(kind: ResourceKind.app, nameOrID: reference)

        #expect(timeline.key == "app-1")
        #expect(timeline.names == ["api-staging", "api"])
        #expect(timeline.events.map(\.kind) == [.appeared, .changed, .changed, .removed])
        #expect(timeline.events.map { String($0.snapshot.capturedAt.prefix(10)) } == ["2026-03-25", "2026-03-27", "2026-03-29", "2026-03-30"])
        #expect(timeline.events[1].previousName == "api-staging")
        #expect(timeline.events[1].fieldChanges == [FieldChange(path: FieldPath([.member("name")]), old: "api-staging", new: "api")])
        #expect(timeline.events[2].fieldChanges.map(\.path.description) == ["stack.id", "stack.name"])
        #expect(timeline.hiddenFieldCount == 1)
        #expect(timeline.hiddenSnapshotCount == 1)
    }

    @Test("all fields shows volatile snapshots")
    func allFields() throws {
        let fixture = try Self.renamedAppStore()
        let timeline = try ResourceHistory(store: fixture.store).timeline(kind: ResourceKind.app, nameOrID: "api", includeVolatile: true)
        #expect(timeline.events.map(\.kind) == [.appeared, .changed, .changed, .changed, .removed])
        #expect(timeline.events[1].fieldChanges.map(\.isVolatile) == [true])
    }

    @Test("since and until bound the listed events")
    func window() throws {
        let fixture = try Self.renamedAppStore()
        let timeline = try ResourceHistory(store: fixture.store).timeline(
            kind: ResourceKind.app, nameOrID: "api", since: "2026-03-27T00:00:00Z", until: "2026-03-29T23:59:59Z")
        #expect(timeline.events.map(\.kind) == [.changed, .changed])
        #expect(timeline.events[0].fieldChanges.map(\.path.description) == ["name"])
    }

    @Test("not-recorded gap is not a removal")
    func gap() throws {
        let fixture = try DiffTestStore()
        let app = Sample.app("app-1", name: "api")
        let domain = Sample.domain("dom-1", hostname: "api.example.com", app: "app-1")
        let failed = NotRecordedListing(kind: ResourceKind.domain, parentKey: "app-1", listing: "GET /apps/{app}/domains", error: "HTTP 503")
        try fixture.commit(day: 1, [app, domain])
        try fixture.commit(day: 2, [app], notRecorded: [failed])
        try fixture.commit(day: 3, [app], notRecorded: [failed])
        try fixture.commit(day: 4, [app, domain])

        let timeline = try ResourceHistory(store: fixture.store).timeline(kind: ResourceKind.domain, nameOrID: "api.example.com")
        #expect(timeline.events.map(\.kind) == [.appeared, .notRecorded])
    }

    @Test("unknown resource and kind are rejected")
    func unknown() throws {
        let fixture = try Self.renamedAppStore()
        let history = ResourceHistory(store: fixture.store)
        #expect(throws: DocketError.self) { try history.timeline(kind: ResourceKind.app, nameOrID: "nope") }
        #expect(throws: DocketError.self) { try history.timeline(kind: "apps", nameOrID: "api") }
    }

    @Test("reused name follows its latest holder")
    func reusedName() throws {
        let fixture = try DiffTestStore()
        try fixture.commit(day: 1, [Sample.app("app-1", name: "api")])
        try fixture.commit(day: 2, [Sample.app("app-1", name: "api-old"), Sample.app("app-2", name: "api")])
        let timeline = try ResourceHistory(store: fixture.store).timeline(kind: ResourceKind.app, nameOrID: "api")
        #expect(timeline.key == "app-2")
        #expect(timeline.otherMatches.map(\.key) == ["app-1"])
    }
}
