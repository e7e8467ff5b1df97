import Foundation
import Testing

@testable import DocketKit

@Suite("Volatile anchors")
struct VolatileAnchorsTests {
    let policy = VolatilityPolicy.default
    /// A differ on an empty store, for its field diff.
    let differ: SnapshotDiffer

    init() throws {
        differ = SnapshotDiffer(store: try DiffTestStore().store)
    }

    /// Returns the default policy with one reason reworded. It hides the same fields, but its
    /// fingerprint differs, so anchors recorded under the default are not used.
    static func rewordedPolicy() -> VolatilityPolicy {
        var policy = VolatilityPolicy.default
        policy.volatile[0].reason += " (reworded)"
        return policy
    }

    /// Asserts that equal stable forms imply a field diff with only volatile changes, and
    /// returns whether the forms were equal.
    func onlyVolatile(_ kind: String, _ old: JSONValue, _ new: JSONValue, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        let isSame = policy.differsOnlyInVolatileFields(kind: kind, old: old, new: new)
        // The library walks both versions, and the oracle builds their stable forms. Both must agree.
        let oracle = StableFormOracle(policy, kind: kind)
        let formsEqual = oracle.stableForm(old) == oracle.stableForm(new)
        #expect(isSame == formsEqual, "\(kind): the walk and the stable forms disagree", sourceLocation: sourceLocation)
        if isSame {
            let changes = differ.fieldChanges(kind: kind, old: old, new: new)
            #expect(changes.allSatisfy { $0.isVolatile }, "\(kind): \(changes.filter { !$0.isVolatile }.map(\.path.description))", sourceLocation: sourceLocation)
        }
        return isSame
    }

    static let database: JSONValue = [
        "id": "db-1", "name": "postgresql-round-1", "num_bytes": 1000, "plan": "standard-0",
        "app": ["id": "app-1", "name": "web"],
        "info": [["name": "Data Size", "values": ["1 MB"]], ["name": "PG Version", "values": ["16.2"]]],
        "plan_limits": [["name": "table-limit", "limit": 4000, "current": 12], ["name": "row-limit", "limit": 10000000, "current": 300]],
        "pools": [["connections_used": 3, "size": 20]],
    ]

    static func changing(_ value: JSONValue, _ change: (inout [String: JSONValue]) -> Void) -> JSONValue {
        var members = value.objectValue!
        change(&members)
        return .object(members)
    }

    @Test("volatile edits keep the stable form")
    func volatileChanges() {
        let database = Self.database
        let volatileEdits: [(String, JSONValue)] = [
            ("size", Self.changing(database) { $0["num_bytes"] = 2000 }),
            ("updated_at added", Self.changing(database) { $0["updated_at"] = "2026-03-02T00:00:00Z" }),
            ("keyed element", Self.changing(database) { $0["info"] = [["name": "Data Size", "values": ["2 MB"]], ["name": "PG Version", "values": ["16.2"]]] }),
            ("keyed element removed", Self.changing(database) { $0["info"] = [["name": "PG Version", "values": ["16.2"]]] }),
            ("member of every element", Self.changing(database) {
                $0["plan_limits"] = [["name": "table-limit", "limit": 4000, "current": 13], ["name": "row-limit", "limit": 10000000, "current": 301]]
            }),
            ("reference rename", Self.changing(database) { $0["app"] = ["id": "app-1", "name": "storefront"] }),
        ]
        for (name, edited) in volatileEdits {
            #expect(onlyVolatile(ResourceKind.postgres, database, edited), "\(name)")
        }
    }

    @Test("shown edits change the stable form")
    func visibleChanges() {
        let database = Self.database
        let visibleEdits: [(String, JSONValue)] = [
            ("plan", Self.changing(database) { $0["plan"] = "standard-2" }),
            ("other element of a keyed list", Self.changing(database) { $0["info"] = [["name": "Data Size", "values": ["1 MB"]], ["name": "PG Version", "values": ["17.0"]]] }),
            ("shown member beside a hidden one", Self.changing(database) {
                $0["plan_limits"] = [["name": "table-limit", "limit": 5000, "current": 12], ["name": "row-limit", "limit": 10000000, "current": 300]]
            }),
            ("key of an element", Self.changing(database) {
                $0["plan_limits"] = [["name": "table-cap", "limit": 4000, "current": 12], ["name": "row-limit", "limit": 10000000, "current": 300]]
            }),
            // `pools[*].connections_used` names elements matched by key. A list without a
            // common key is compared whole, so the same member changing inside it is shown.
            ("hidden member in a keyless list", Self.changing(database) { $0["pools"] = [["connections_used": 4, "size": 20]] }),
            ("reference to another id", Self.changing(database) { $0["app"] = ["id": "app-2", "name": "storefront"] }),
            ("rename of a null reference", Self.changing(Self.changing(database) { $0["app"] = ["id": .null, "name": "web"] }) { $0["app"] = ["id": .null, "name": "api"] }),
            ("top-level name", Self.changing(database) { $0["name"] = "postgresql-round-2" }),
        ]
        for (name, edited) in visibleEdits {
            let before = name == "rename of a null reference" ? Self.changing(database) { $0["app"] = ["id": .null, "name": "web"] } : database
            #expect(!onlyVolatile(ResourceKind.postgres, before, edited), "\(name)")
        }
        // The same edit that is hidden in one kind is shown in a kind without that rule.
        #expect(!onlyVolatile(ResourceKind.addon, database, Self.changing(database) { $0["num_bytes"] = 2000 }))
    }

    @Test("list key changes are compared")
    func keyChanges() {
        let withIDs: JSONValue = ["id": "x", "pools": [["id": "p1", "name": "a", "connections_used": 1], ["id": "p2", "name": "b", "connections_used": 2]]]
        // Without distinct ids the pools are matched by name, another key.
        let withoutIDs: JSONValue = ["id": "x", "pools": [["id": "p1", "name": "a", "connections_used": 1], ["id": "p1", "name": "b", "connections_used": 2]]]
        #expect(!onlyVolatile(ResourceKind.postgres, withIDs, withoutIDs))
        let moreUsed: JSONValue = ["id": "x", "pools": [["id": "p1", "name": "a", "connections_used": 5], ["id": "p2", "name": "b", "connections_used": 2]]]
        #expect(onlyVolatile(ResourceKind.postgres, withIDs, moreUsed))

        // An ordered list is compared as it is, so a reordering counts even with keys.
        let buildpacks: JSONValue = ["app": ["id": "a1", "name": "web"], "buildpacks": [["name": "ruby", "url": "heroku/ruby"], ["name": "node", "url": "heroku/nodejs"]]]
        let reordered: JSONValue = ["app": ["id": "a1", "name": "web"], "buildpacks": [["name": "node", "url": "heroku/nodejs"], ["name": "ruby", "url": "heroku/ruby"]]]
        #expect(!onlyVolatile(ResourceKind.buildpacks, buildpacks, reordered))
        let renamedApp: JSONValue = ["app": ["id": "a1", "name": "storefront"], "buildpacks": [["name": "ruby", "url": "heroku/ruby"], ["name": "node", "url": "heroku/nodejs"]]]
        #expect(onlyVolatile(ResourceKind.buildpacks, buildpacks, renamedApp))
    }

    /// Every pair of versions of a resource across the six fixture days: equal stable forms
    /// only where the field diff finds volatile changes alone, and, on this data, equal
    /// stable forms wherever it finds those and nothing else.
    @Test("stable forms match fixture field diffs")
    func fixtureDays() async throws {
        let (store, days) = try await FixtureDays.store()
        var byDay: [[String: ResourceEntry]] = []
        for day in days {
            byDay.append(Dictionary(try store.entries(of: day).map { ($0.kind + " " + $0.key, $0) }, uniquingKeysWith: { first, _ in first }))
        }
        var sameForms = 0
        var differentForms = 0
        for (from, to) in zip(days.indices, days.indices.dropFirst()).map({ ($0.0, $0.1) }) + [(0, days.count - 1)] {
            for (id, new) in byDay[to] {
                guard let old = byDay[from][id], old.digest != new.digest else { continue }
                let (oldBody, newBody) = (try store.body(of: old), try store.body(of: new))
                let changes = differ.fieldChanges(kind: new.kind, old: oldBody, new: newBody)
                if onlyVolatile(new.kind, oldBody, newBody) {
                    sameForms += 1
                } else {
                    differentForms += 1
                    // A reordered list is no change, but the stable form keeps the order.
                    #expect(changes.isEmpty || !changes.allSatisfy { $0.isVolatile }, "\(id): only volatile changes, but the stable forms differ")
                }
            }
        }
        #expect(sameForms > 10)
        #expect(differentForms > 10)
    }

    @Test("anchors follow runs of volatile changes")
    func anchorRuns() throws {
        let fixture = try DiffTestStore()
        let store = fixture.store
        let fingerprint = policy.anchorFingerprint
        var resources = SnapshotDifferTests.baseline()
        let day1 = try fixture.commit(day: 1, resources)
        resources[1] = Sample.app("app-2", name: "web", updatedAt: "2026-03-26T00:00:00Z")
        let day2 = try fixture.commit(day: 2, resources)
        resources[1] = Sample.app("app-2", name: "web", updatedAt: "2026-03-27T00:00:00Z", slugSize: 1200)
        let day3 = try fixture.commit(day: 3, resources)
        resources[1] = Sample.app("app-2", name: "storefront", updatedAt: "2026-03-28T00:00:00Z")
        let day4 = try fixture.commit(day: 4, resources)
        resources[1] = Sample.app("app-2", name: "storefront", updatedAt: "2026-03-29T00:00:00Z")
        let day5 = try fixture.commit(day: 5, resources)

        func app2(_ day: SnapshotInfo) throws -> (digest: String, anchor: String?) {
            let entry = try #require(try store.entry(kind: ResourceKind.app, key: "app-2", in: day))
            let anchors = try #require(try store.volatileAnchors(of: day, fingerprint: fingerprint))
            return (entry.digest, anchors.anchors[ResourceKind.app]?["app-2"])
        }
        let versions = try [day1, day2, day3, day4, day5].map(app2)
        #expect(versions.map(\.anchor) == [nil, versions[0].digest, versions[0].digest, nil, versions[3].digest])
        // Only app-2 changed, so only it has an anchor.
        let anchorCounts = try store.volatileAnchors(of: day3, fingerprint: fingerprint)?.anchors.values.map(\.count)
        #expect(anchorCounts == [1])

        let differ = SnapshotDiffer(store: store)
        let quiet = try differ.diff(from: day1, to: day3)
        #expect(quiet.isEmpty)
        #expect(quiet.hiddenResourceCount == 1)
        #expect(quiet.bodiesLoaded == 0)
        let renamed = try differ.diff(from: day2, to: day5)
        #expect(renamed.changes.map(\.displayName) == ["web → storefront"])
        #expect(renamed.changes.first?.fieldChanges.map(\.path.description) == ["name"])
        #expect(renamed.bodiesLoaded == 2)
        #expect(renamed.hiddenFieldCount == 1)
        // Asked for every field, a diff reads the bodies to show them.
        let all = try differ.diff(from: day1, to: day3, includeVolatile: true)
        #expect(all.changes.first?.fieldChanges.map(\.path.description) == ["slug_size", "updated_at"])
        #expect(all.bodiesLoaded == 2)
    }

    @Test("another policy reads bodies, same diff")
    func otherPolicy() async throws {
        let (store, days) = try await FixtureDays.store()
        let anchored = SnapshotDiffer(store: store)
        let reread = SnapshotDiffer(store: store, policy: Self.rewordedPolicy())
        var unreadPairs = 0
        for (from, to) in [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (0, 5), (5, 0)] {
            let fast = try anchored.diff(from: days[from], to: days[to])
            let slow = try reread.diff(from: days[from], to: days[to])
            #expect(fast.changes == slow.changes, "days \(from + 1) to \(to + 1)")
            #expect(fast.hiddenResourceCount == slow.hiddenResourceCount, "days \(from + 1) to \(to + 1)")
            #expect(fast.hiddenFieldCount == slow.hiddenFieldCount, "days \(from + 1) to \(to + 1)")
            #expect(fast.bodiesLoaded <= slow.bodiesLoaded)
            unreadPairs += (slow.bodiesLoaded - fast.bodiesLoaded) / 2
        }
        #expect(unreadPairs > 10)
    }

    @Test("snapshots without anchors are read")
    func snapshotsWithoutAnchors() throws {
        let fixture = try DiffTestStore()
        var resources = SnapshotDifferTests.baseline()
        let day1 = try fixture.commit(day: 1, resources)
        resources[1] = Sample.app("app-2", name: "web", updatedAt: "2026-03-26T00:00:00Z")
        let day2 = try fixture.commit(day: 2, resources)
        // As a store upgraded from schema 6 has them.
        try fixture.store.database.execute("UPDATE snapshots SET anchors = NULL")
        let diff = try SnapshotDiffer(store: fixture.store).diff(from: day1, to: day2)
        #expect(diff.hiddenResourceCount == 1)
        #expect(diff.bodiesLoaded == 2)
        #expect(try fixture.store.volatileAnchors(of: day2, fingerprint: policy.anchorFingerprint) == nil)

        resources[1] = Sample.app("app-2", name: "web", updatedAt: "2026-03-27T00:00:00Z")
        let day3 = try fixture.commit(day: 3, resources)
        let day2Digest = try #require(try fixture.store.entry(kind: ResourceKind.app, key: "app-2", in: day2)).digest
        let anchors = try fixture.store.volatileAnchors(of: day3, fingerprint: policy.anchorFingerprint)
        #expect(anchors?.anchors[ResourceKind.app]?["app-2"] == day2Digest)
        #expect(try SnapshotDiffer(store: fixture.store).diff(from: day2, to: day3).bodiesLoaded == 0)
    }

    @Test("bundles compute changes without anchors")
    func bundlesIgnoreAnchors() throws {
        let fixture = try DiffTestStore()
        var resources = SnapshotDifferTests.baseline()
        let day1 = try fixture.commit(day: 1, resources)
        resources[1] = Sample.app("app-2", name: "storefront")
        let day2 = try fixture.commit(day: 2, resources)
        // A false anchor: the rename is a change the policy shows.
        let old = try #require(try fixture.store.entry(kind: ResourceKind.app, key: "app-2", in: day1))
        let anchors = VolatileAnchors(policy: policy.anchorFingerprint, anchors: [ResourceKind.app: ["app-2": old.digest]])
        let digest = try fixture.store.putJSON(anchors.jsonValue)
        try fixture.store.database.query("UPDATE snapshots SET anchors = ? WHERE id = ?", [.text(digest), .integer(day2.id)])

        #expect(try SnapshotDiffer(store: fixture.store).diff(from: day1, to: day2).isEmpty)
        let report = try FieldDiffChangeReporter(store: fixture.store).report(from: day1, to: day2)
        #expect(report.summary.changed == 1)
        let problems = try StoreChecker(store: fixture.store).run().problems
        #expect(problems.map(\.subject) == ["snapshot \(day2.digest)"])
    }
}

/// The stable form of a resource built whole, as `VolatilityPolicy.differsOnlyInVolatileFields`
/// describes it: an independent rendering that the tests compare the library's walk with.
/// Each array starts with a tag naming how a field diff pairs its elements (`key:` and the
/// key, or `list`), so that arrays matched by different keys differ.
struct StableFormOracle {
    let volatile: [VolatilityPolicy.Rule]
    let ordered: [VolatilityPolicy.Rule]
    let hidesReferenceRenames: Bool

    init(_ policy: VolatilityPolicy, kind: String) {
        volatile = policy.volatile.filter { $0.kind == VolatilityPolicy.anyKind || $0.kind == kind }
        ordered = policy.ordered.filter { $0.kind == VolatilityPolicy.anyKind || $0.kind == kind }
        hidesReferenceRenames = policy.hidesReferenceRenames
    }

    func isVolatile(_ path: FieldPath) -> Bool {
        volatile.contains { $0.pattern.matches(path) }
    }

    func isOrdered(_ path: FieldPath) -> Bool {
        ordered.contains { $0.pattern.matches(path) && $0.pattern.steps.count == path.segments.count }
    }

    /// Returns the stable form of `value`, a resource or a part of one at `path`.
    func stableForm(_ value: JSONValue, at path: FieldPath = FieldPath()) -> JSONValue {
        switch value {
        case .object(let members):
            return .object(stableMembers(members, at: path))
        case .array(let elements):
            return stableElements(elements, at: path)
        default:
            return value
        }
    }

    private func stableMembers(_ members: [String: JSONValue], at path: FieldPath) -> [String: JSONValue] {
        let dropsName = hidesReferenceRenames && hasKeptReference(members, at: path) && members["name"].map(isScalar) == true
        var result: [String: JSONValue] = [:]
        for (name, member) in members {
            let memberPath = path.appending(.member(name))
            if isVolatile(memberPath) || (dropsName && name == "name") { continue }
            result[name] = stableForm(member, at: memberPath)
        }
        return result
    }

    /// Returns true when `members` form a nested object reached through members alone, whose
    /// `id` is kept and not null: the case in which `isReferenceRename` hides its `name`.
    private func hasKeptReference(_ members: [String: JSONValue], at path: FieldPath) -> Bool {
        guard !path.isRoot, path.segments.allSatisfy({ if case .member = $0 { return true } else { return false } }),
            let id = members["id"], !id.isNull
        else { return false }
        return !isVolatile(path.appending(.member("id")))
    }

    private func stableElements(_ elements: [JSONValue], at path: FieldPath) -> JSONValue {
        guard !isOrdered(path), let key = ArrayMatching.key(old: elements, new: elements) else {
            return .array([.string("list")] + elements)
        }
        var result: [JSONValue] = [.string("key:" + key)]
        for element in elements {
            let value = element[key]!
            let elementPath = path.appending(.element(key: key, value: value))
            guard !isVolatile(elementPath), case .object(let members) = element else { continue }
            var stableElement = stableMembers(members, at: elementPath)
            stableElement[key] = value
            result.append(.object(stableElement))
        }
        return .array(result)
    }

    private func isScalar(_ value: JSONValue) -> Bool {
        switch value {
        case .array, .object: return false
        default: return true
        }
    }
}
