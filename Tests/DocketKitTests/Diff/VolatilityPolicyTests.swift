import Foundation
import Testing

@testable import DocketKit

@Suite("Volatility policy")
struct VolatilityPolicyTests {
    let policy = VolatilityPolicy.default

    @Test("updated_at is volatile for every kind")
    func updatedAt() {
        for kind in ResourceKind.all {
            #expect(policy.isVolatile(kind: kind, path: FieldPath([.member("updated_at")])), "\(kind)")
        }
        #expect(!policy.isVolatile(kind: ResourceKind.app, path: FieldPath([.member("created_at")])))
    }

    @Test("kind rules apply only to their kind")
    func perKind() {
        let slugSize = FieldPath([.member("slug_size")])
        #expect(policy.isVolatile(kind: ResourceKind.app, path: slugSize))
        #expect(!policy.isVolatile(kind: ResourceKind.addon, path: slugSize))
        #expect(policy.isVolatile(kind: ResourceKind.postgres, path: FieldPath([.member("info"), .element(key: "name", value: "Data Size"), .member("values")])))
        #expect(!policy.isVolatile(kind: ResourceKind.postgres, path: FieldPath([.member("info"), .element(key: "name", value: "PG Version"), .member("values")])))
        #expect(policy.isVolatile(kind: ResourceKind.appFeature, path: FieldPath([.member("description")])))
        #expect(!policy.isVolatile(kind: ResourceKind.appFeature, path: FieldPath([.member("enabled")])))
    }

    @Test("renames seen through references are volatile")
    func referenceRenames() throws {
        let differ = SnapshotDiffer(store: try DiffTestStore().store)
        let renamed = differ.fieldChanges(
            kind: ResourceKind.domain, old: ["name": "www", "app": ["id": "a1", "name": "web"]],
            new: ["name": "www2", "app": ["id": "a1", "name": "storefront"]])
        #expect(renamed.map(\.path.description) == ["app.name", "name"])
        #expect(renamed.map(\.isVolatile) == [true, false])

        let moved = differ.fieldChanges(
            kind: ResourceKind.domain, old: ["app": ["id": "a1", "name": "web"]], new: ["app": ["id": "a2", "name": "api"]])
        #expect(moved.allSatisfy { !$0.isVolatile })

        let listed = differ.fieldChanges(
            kind: ResourceKind.postgres, old: ["pools": [["id": "p1", "name": "leader"]]], new: ["pools": [["id": "p1", "name": "primary"]]])
        #expect(listed.map(\.path.description) == ["pools[id=p1].name"])
        #expect(listed.allSatisfy { !$0.isVolatile })
    }

    @Test("buildpack order counts")
    func buildpackOrder() throws {
        let differ = SnapshotDiffer(store: try DiffTestStore().store)
        let ruby: JSONValue = ["buildpack": ["name": "heroku/ruby"]]
        let node: JSONValue = ["buildpack": ["name": "heroku/nodejs"]]
        let changes = differ.fieldChanges(kind: ResourceKind.buildpacks, old: ["buildpacks": [ruby, node]], new: ["buildpacks": [node, ruby]])
        #expect(changes.map(\.path.description) == ["buildpacks"])
        #expect(differ.fieldChanges(kind: ResourceKind.webhook, old: ["buildpacks": [ruby, node]], new: ["buildpacks": [node, ruby]]).isEmpty)
    }

    @Test("JSON form reads back to the same rules")
    func jsonRoundTrip() throws {
        let copy = try VolatilityPolicy(jsonValue: policy.jsonValue)
        #expect(copy.volatile == policy.volatile)
        #expect(copy.ordered == policy.ordered)
        #expect(copy.hidesReferenceRenames)
        #expect(policy.jsonValue["format"] == "docket-volatility/1")
    }

    @Test("malformed JSON policy is rejected")
    func malformedJSON() {
        #expect(throws: DocketError.self) { try VolatilityPolicy(jsonValue: ["format": "other"]) }
        #expect(throws: DocketError.self) {
            try VolatilityPolicy(jsonValue: ["format": "docket-volatility/1", "volatile": [["kind": "app"]]])
        }
    }

    @Test("docs/volatility.md lists the default policy")
    func documented() throws {
        let page = try String(contentsOf: TestPaths.repository.appendingPathComponent("docs/volatility.md"), encoding: .utf8)
        #expect(
            page.contains(policy.markdownTables),
            "docs/volatility.md is out of date; replace its tables with:\n\(policy.markdownTables)")
    }
}
