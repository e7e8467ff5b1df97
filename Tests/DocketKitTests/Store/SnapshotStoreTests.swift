import Foundation
import Testing

@testable import DocketKit

@Suite("snapshot store")
struct SnapshotStoreTests {
    @Test("store file is created with mode 0600 and WAL")
    func fileModeAndWAL() throws {
        let (store, path) = try StoreFixtures.makeStore()
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let mode = try store.database.query("PRAGMA journal_mode").first?.string(0)
        #expect(mode == "wal")
        let foreignKeys = try store.database.query("PRAGMA foreign_keys").first?.int(0)
        #expect(foreignKeys == 1)
    }

    @Test("identical content is stored once")
    func objectsStoredOnce() throws {
        let (store, _) = try StoreFixtures.makeStore()
        let resources = [StoreFixtures.app(id: "a1", name: "acme-api"), StoreFixtures.domain(id: "d1", appID: "a1", hostname: "api.acme.example")]
        let first = try StoreFixtures.commit(store, resources, at: "2026-03-25T06:00:00Z")
        let objectsAfterFirst = try store.objectCount()
        let second = try StoreFixtures.commit(store, resources, at: "2026-03-26T06:00:00Z")
        #expect(second.treeDigest == first.treeDigest)
        #expect(try store.objectCount() == objectsAfterFirst)
        #expect(second.digest != first.digest)
    }

    @Test("each snapshot's parent is the one before it")
    func chain() throws {
        let (store, _) = try StoreFixtures.makeStore()
        let first = try StoreFixtures.commit(store, [StoreFixtures.app(id: "a1", name: "one")], at: "2026-03-25T06:00:00Z")
        let second = try StoreFixtures.commit(store, [StoreFixtures.app(id: "a1", name: "two")], at: "2026-03-26T06:00:00Z")
        #expect(first.parentDigest == nil)
        #expect(second.parentDigest == first.digest)
        let header = try #require(try store.snapshotHeader(digest: second.digest))
        #expect(Digest.sha256(header) == second.digest)
        #expect(String(decoding: header, as: UTF8.self).contains(first.digest))
    }

    @Test("large kinds are split into leaves and read back sorted")
    func bucketedTree() throws {
        let (store, _) = try StoreFixtures.makeStore()
        let apps = (0..<300).map { StoreFixtures.app(id: String(format: "app-%04d", $0), name: "app\($0)") }
        let snapshot = try StoreFixtures.commit(store, apps, at: "2026-03-25T06:00:00Z")
        let entries = try store.entries(of: snapshot, kind: ResourceKind.app)
        #expect(entries.count == 300)
        #expect(entries.map(\.key) == apps.map(\.key).sorted())
        let kindTree = try #require(try store.kindTrees(of: snapshot)[ResourceKind.app])
        #expect(try store.object(kindTree)["buckets"] != nil)
    }

    @Test("changing one resource leaves other leaves untouched")
    func differingLeavesSkipEqualOnes() throws {
        let (store, _) = try StoreFixtures.makeStore()
        var apps = (0..<300).map { StoreFixtures.app(id: String(format: "app-%04d", $0), name: "app\($0)") }
        let first = try StoreFixtures.commit(store, apps, at: "2026-03-25T06:00:00Z")
        apps[7] = StoreFixtures.app(id: "app-0007", name: "renamed")
        let second = try StoreFixtures.commit(store, apps, at: "2026-03-26T06:00:00Z")
        let old = try store.kindTrees(of: first)[ResourceKind.app]
        let new = try store.kindTrees(of: second)[ResourceKind.app]
        var oldEntries: [ResourceEntry] = []
        var newEntries: [ResourceEntry] = []
        for pair in try store.differingLeaves(kind: ResourceKind.app, oldTree: old, newTree: new) {
            let (oldLeaf, newLeaf) = try store.entries(of: pair)
            oldEntries += oldLeaf
            newEntries += newLeaf
        }
        #expect(newEntries.contains { $0.name == "renamed" })
        #expect(oldEntries.count < 20)
        #expect(newEntries.count == oldEntries.count)
    }

    @Test("references resolve by prefix, date and latest")
    func references() throws {
        let (store, _) = try StoreFixtures.makeStore()
        let first = try StoreFixtures.commit(store, [StoreFixtures.app(id: "a1", name: "one")], at: "2026-03-25T06:00:00Z")
        let second = try StoreFixtures.commit(store, [StoreFixtures.app(id: "a1", name: "two")], at: "2026-03-26T06:00:00Z")
        #expect(try store.resolve("latest") == second)
        #expect(try store.resolve(String(first.digest.prefix(10))) == first)
        #expect(try store.resolve("2026-03-25") == first)
        #expect(try store.resolve("2026-03-27") == second)
        #expect(try store.resolve("2026-03-26T05:00:00Z") == first)
        #expect(throws: StoreError.self) { try store.resolve("2026-03-24") }
        #expect(throws: StoreError.self) { try store.resolve("abcdef0") }
        #expect(throws: StoreError.self) { try store.resolve("yesterday") }
    }

    @Test("a store from a newer Docket is rejected")
    func newerSchemaRejected() throws {
        let (store, path) = try StoreFixtures.makeStore()
        try store.database.execute("PRAGMA user_version = 99")
        try store.database.close()
        #expect {
            _ = try SnapshotStore(path: path)
        } throws: { error in
            guard case StoreError.newerSchema(_, let found, let supported) = error else { return false }
            return found == 99 && supported == SnapshotStore.schemaVersion
        }
    }

    @Test("a file that is not SQLite is rejected by name")
    func notAStore() throws {
        let path = TestPaths.temporaryDirectory().appendingPathComponent("notes.txt").path
        try Data(String(repeating: "not a database\n", count: 100).utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: StoreError.self) { _ = try SnapshotStore(path: path) }
    }

    @Test("a missing folder is reported, not created")
    func missingFolder() {
        #expect {
            _ = try SnapshotStore(path: "/nonexistent-docket-folder/store.sqlite", create: true)
        } throws: { error in
            guard case StoreError.folderMissing(let path) = error else { return false }
            return path == "/nonexistent-docket-folder"
        }
        #expect(!FileManager.default.fileExists(atPath: "/nonexistent-docket-folder"))
    }
}

@Suite("store lock")
struct StoreLockTests {
    @Test("second holder is rejected with the first holder's pid and start")
    func secondHolderRejected() throws {
        let path = TestPaths.temporaryDirectory().appendingPathComponent("store.sqlite").path
        let first = try StoreLock(storePath: path, startedAt: "2026-03-25T06:00:00Z")
        // flock locks belong to the open file description, so a second open in the same
        // process conflicts just as another process would.
        #expect {
            _ = try StoreLock(storePath: path, startedAt: "2026-03-25T06:01:00Z")
        } throws: { error in
            guard case StoreLock.LockError.held(_, let holder) = error else { return false }
            return holder?.pid == Int(getpid()) && holder?.startedAt == "2026-03-25T06:00:00Z"
        }
        withExtendedLifetime(first) {}
    }

    @Test("lock is free again once released")
    func released() throws {
        let path = TestPaths.temporaryDirectory().appendingPathComponent("store.sqlite").path
        do {
            let lock = try StoreLock(storePath: path, startedAt: "2026-03-25T06:00:00Z")
            withExtendedLifetime(lock) {}
        }
        _ = try StoreLock(storePath: path, startedAt: "2026-03-25T06:01:00Z")
    }
}
