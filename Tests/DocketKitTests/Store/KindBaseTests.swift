import Foundation
import Testing

@testable import DocketKit

/// New resources of one kind in a commit are stored against the one most like the others,
/// which the commit stores alone, and their chains still start with them.
@Suite("kind bases")
struct KindBaseTests {
    /// Returns an app with the fields a Heroku app has, so that two apps share most of their text.
    static func app(_ number: Int, stack: String = "heroku-24") -> CapturedResource {
        let id = String(format: "3c28ae94-8924-4f50-af34-aceb36a5%04d", number)
        let body: JSONValue = [
            "acm": false, "archived_at": .null, "build_stack": ["id": "224c10d2-4a3d-4dd2-b3dc-d69690cf89da", "name": .string(stack)],
            "buildpack_provided_description": "Node.js", "created_at": "2024-04-04T13:26:26Z",
            "git_url": .string("https://git.heroku.com/acme-\(number).git"), "id": .string(id), "internal_routing": .null,
            "maintenance": false, "name": .string("acme-\(number)"), "organization": ["id": "106b3352-bddf-49e9-a726-fd8ecd37f867", "name": "acme"],
            "region": ["id": "59accabd-516d-4f0e-83e6-6e3757701145", "name": "eu"], "space": .null,
            "stack": ["id": "224c10d2-4a3d-4dd2-b3dc-d69690cf89da", "name": .string(stack)], "updated_at": "2026-03-25T06:00:00Z",
            "web_url": .string("https://acme-\(number).herokuapp.com/"),
        ]
        return CapturedResource(kind: ResourceKind.app, key: id, name: "acme-\(number)", appKey: id, body: body)
    }

    /// Returns app `number` with a long description and another region, unlike the others.
    static func unusualApp(_ number: Int) -> CapturedResource {
        var app = app(number)
        guard case .object(var fields) = app.body else { return app }
        fields["buildpack_provided_description"] = .string(String(repeating: "a build with its own buildpack, ", count: 20))
        fields["region"] = ["id": "d7b0a7a4-2a2f-4d24-8a2c-0b5e1b1c6a3d", "name": "tokyo"]
        app.body = .object(fields)
        return app
    }

    /// Returns the base and number of the row that stores the body of `resource`.
    static func row(_ store: SnapshotStore, _ resource: CapturedResource) throws -> (base: String?, depth: Int64) {
        let stored = try ObjectEncodingTests.row(store, digest(resource))
        return (stored.base, stored.depth)
    }

    static func digest(_ resource: CapturedResource) -> String {
        Digest.sha256(CanonicalJSON.encode(resource.body))
    }

    @Test("new resources share one kind base")
    func oneKindBase() throws {
        let (store, _) = try StoreFixtures.makeStore()
        let apps = (0..<10).map { Self.app($0) }
        try StoreFixtures.commit(store, apps, at: "2026-03-25T06:00:00Z")

        let standalone = try apps.filter { try Self.row(store, $0).base == nil }
        #expect(standalone.count == 1)
        let base = try #require(standalone.first)
        for app in apps where app.key != base.key {
            let stored = try Self.row(store, app)
            #expect(stored.base == Self.digest(base), "\(app.name)")
            #expect(stored.depth == 0, "\(app.name)")
            #expect(try store.objectBytes(Self.digest(app)) == CanonicalJSON.encode(app.body))
        }
        #expect(try StoreChecker(store: store).run().problems == [])
    }

    /// The first app by key is unlike the others, so they are stored against another one.
    @Test("most alike resource is kind base")
    func bestKindBase() throws {
        let (store, _) = try StoreFixtures.makeStore()
        let apps = [Self.unusualApp(0)] + (1..<10).map { Self.app($0) }
        try StoreFixtures.commit(store, apps, at: "2026-03-25T06:00:00Z")

        let base = try #require(try Self.row(store, apps[9]).base)
        #expect(base != Self.digest(apps[0]))
        #expect(try apps.dropFirst().contains { Self.digest($0) == base })
        for app in apps where Self.digest(app) != base {
            #expect(try Self.row(store, app).base == base, "\(app.name)")
        }
        #expect(try store.objectBytes(Self.digest(apps[0])) == CanonicalJSON.encode(apps[0].body))
    }

    /// Listings finish in any order, so a capture hands the same resources over in any order.
    @Test("order does not change bodies")
    func orderIndependent() throws {
        let apps = (0..<10).map { Self.app($0) }
        var bodies: [[String]] = []
        for order in [apps, apps.reversed()] {
            let (store, _) = try StoreFixtures.makeStore()
            try StoreFixtures.commit(store, order, at: "2026-03-25T06:00:00Z")
            let rows = try store.database.query("SELECT hex(body) FROM objects")
            bodies.append(rows.compactMap { $0.string(0) }.sorted())
        }
        #expect(bodies[0] == bodies[1])
    }

    @Test("later versions stay in own chain")
    func laterVersionsOwnChain() throws {
        let (store, _) = try StoreFixtures.makeStore()
        var apps = (0..<10).map { Self.app($0) }
        try StoreFixtures.commit(store, apps, at: "2026-03-25T06:00:00Z")
        let start = apps[5]
        apps[5] = Self.app(5, stack: "heroku-22")
        try StoreFixtures.commit(store, apps, at: "2026-03-26T06:00:00Z")
        let second = apps[5]
        apps[5] = Self.app(5, stack: "heroku-20")
        try StoreFixtures.commit(store, apps, at: "2026-03-27T06:00:00Z")

        // Number 1 against the chain's start, and number 2 against the start too (2 with its
        // lowest bit cleared is 0), never against the first app the start was stored against.
        #expect(try Self.row(store, second).base == Self.digest(start))
        #expect(try Self.row(store, second).depth == 1)
        #expect(try Self.row(store, apps[5]).base == Self.digest(start))
        #expect(try Self.row(store, apps[5]).depth == 2)
        #expect(try store.objectBytes(Self.digest(apps[5])) == CanonicalJSON.encode(apps[5].body))
        #expect(try StoreChecker(store: store).run().problems == [])
    }

    @Test("kind base is a standalone object")
    func kindBaseStandalone() throws {
        let (store, _) = try StoreFixtures.makeStore()
        var apps = (0..<4).map { Self.app($0) }
        try StoreFixtures.commit(store, apps, at: "2026-03-25T06:00:00Z")
        // The first app changes, so it is stored against its previous version, and cannot
        // serve as a base: the first new app is stored alone, and the second against it.
        apps[0] = Self.app(0, stack: "heroku-22")
        apps += [Self.app(10), Self.app(11)]
        try StoreFixtures.commit(store, apps, at: "2026-03-26T06:00:00Z")

        #expect(try Self.row(store, apps[0]).base == Self.digest(Self.app(0)))
        #expect(try Self.row(store, apps[4]).base == nil)
        #expect(try Self.row(store, apps[5]).base == Self.digest(apps[4]))
        #expect(try Self.row(store, apps[5]).depth == 0)
        #expect(try StoreChecker(store: store).run().problems == [])
    }
}
