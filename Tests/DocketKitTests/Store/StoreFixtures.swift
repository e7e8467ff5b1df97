import Foundation

@testable import DocketKit

/// Builds small stores for tests from Heroku-shaped resources.
enum StoreFixtures {
    static func app(id: String, name: String, stack: String = "heroku-24") -> CapturedResource {
        CapturedResource(
            kind: ResourceKind.app, key: id, name: name, appKey: id,
            body: ["id": .string(id), "name": .string(name), "stack": ["name": .string(stack)], "updated_at": "2026-03-25T06:00:00Z"])
    }

    static func domain(id: String, appID: String, hostname: String) -> CapturedResource {
        CapturedResource(
            kind: ResourceKind.domain, key: id, name: hostname, parentKey: appID, appKey: appID,
            body: ["id": .string(id), "hostname": .string(hostname), "kind": "custom", "app": ["id": .string(appID)]])
    }

    static let account: JSONValue = ["id": "01234567-89ab-4def-8123-456789abcdef", "email": "compliance@acme.example"]

    /// A new store in a fresh folder, and its path.
    static func makeStore() throws -> (SnapshotStore, String) {
        let path = TestPaths.temporaryDirectory().appendingPathComponent("store.sqlite").path
        return (try SnapshotStore(path: path, create: true), path)
    }

    @discardableResult
    static func commit(_ store: SnapshotStore, _ resources: [CapturedResource], at time: String,
                       notRecorded: [NotRecordedListing] = []) throws -> SnapshotInfo {
        try store.commitSnapshot(resources: resources, notRecorded: notRecorded, capturedAt: time, runID: nil, account: account)
    }
}
