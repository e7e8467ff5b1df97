import Foundation
import DocketTestSupport
import Testing

/// Bad input gets one clear message naming the value and the fix, a documented exit code,
/// and leaves nothing half-written.
@Suite("bad input end to end")
struct BadInputEndToEndTests {
    @Test("missing token file exits 4 and records the run")
    func missingTokenFile() throws {
        let folder = Repository.temporaryDirectory()
        let store = folder.appendingPathComponent("store.sqlite").path
        let result = try docket(["capture", "--store", store, "--token-file", "/nonexistent/token", "--api-url", "http://127.0.0.1:9"])
        #expect(result.status == 4)
        #expect(result.stderr.contains("/nonexistent/token"))
        #expect(result.stderr.contains("heroku authorizations:create"))
        let runs = try docket(["snapshots", "--runs", "--json", "--store", store]).json as? [[String: Any]] ?? []
        #expect(runs.count == 1)
        #expect(runs.first?["outcome"] as? String == "auth-failed")
        #expect((try docket(["snapshots", "--json", "--store", store]).json as? [Any])?.isEmpty == true)
    }

    @Test("token file that is a folder exits 4")
    func tokenFolder() throws {
        let folder = Repository.temporaryDirectory()
        let result = try docket(["capture", "--store", folder.path + "/s.sqlite", "--token-file", folder.path])
        #expect(result.status == 4)
        #expect(result.stderr.contains("is a folder"))
    }

    @Test("metrics file in a missing folder exits 64 before any request")
    func metricsFolderMissing() throws {
        let folder = Repository.temporaryDirectory()
        let result = try docket(["capture", "--store", folder.path + "/s.sqlite", "--token-file", Repository.token, "--metrics-file", "/nonexistent-docket/m.prom"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("/nonexistent-docket"))
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/s.sqlite"))
    }

    @Test("a database that is not a store is left unchanged")
    func foreignDatabase() throws {
        let folder = Repository.temporaryDirectory()
        let path = folder.appendingPathComponent("other.sqlite").path
        let sqlite = try ChildProcess(
            executable: "/usr/bin/sqlite3", arguments: [path, "CREATE TABLE t(x); INSERT INTO t VALUES (1);"], environment: [:],
            stdoutPath: folder.appendingPathComponent("out").path, stderrPath: folder.appendingPathComponent("err").path)
        #expect(sqlite.waitStatus() == 0, "sqlite3 is needed: make setup installs it")
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        for command in [["snapshots"], ["check"], ["show", "latest"]] {
            let result = try docket(command + ["--store", path])
            #expect(result.status == 2)
            #expect(result.stderr.contains("not a Docket store"))
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test("--since after --until exits 64")
    func reversedRange() throws {
        let folder = Repository.temporaryDirectory()
        let result = try docket(["snapshots", "--store", folder.path + "/s.sqlite", "--since", "2026-03-30", "--until", "2026-03-01"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("swap"))
    }

    // Root reads any file, so this case can only fail for a normal user; it is skipped as root.
    @Test("unreadable token file exits 4", .enabled(if: getuid() != 0, "root reads any file"))
    func unreadableTokenFile() throws {
        let folder = Repository.temporaryDirectory()
        let token = folder.appendingPathComponent("token").path
        _ = FileManager.default.createFile(atPath: token, contents: Data("HRKU-x".utf8), attributes: [.posixPermissions: 0o000])
        let result = try docket(["capture", "--store", folder.path + "/s.sqlite", "--token-file", token])
        #expect(result.status == 4)
        #expect(result.stderr.contains("cannot be read"))
    }

    @Test("malformed --api-url exits 64 naming the value")
    func malformedURL() throws {
        let result = try docket(["capture", "--api-url", "api.heroku.com", "--token-file", Repository.token])
        #expect(result.status == 64)
        #expect(result.stderr.contains("\"api.heroku.com\""))
        #expect(result.stderr.contains("--api-url"))
    }

    @Test("store in a missing folder exits 2 naming the folder")
    func missingFolder() throws {
        let result = try docket(["capture", "--store", "/nonexistent-docket/store.sqlite", "--token-file", Repository.token])
        #expect(result.status == 2)
        #expect(result.stderr.contains("/nonexistent-docket"))
        #expect(!FileManager.default.fileExists(atPath: "/nonexistent-docket"))
    }

    // Root writes into read-only folders, so this case can only fail for a normal user; it is
    // skipped as root.
    @Test("store in a read-only folder exits 2", .enabled(if: getuid() != 0, "root writes into read-only folders"))
    func readOnlyFolder() throws {
        let folder = Repository.temporaryDirectory()
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: folder.path)
        let result = try docket(["capture", "--store", folder.path + "/store.sqlite", "--token-file", Repository.token])
        #expect(result.status == 2)
        #expect(result.stderr.contains("not writable"))
    }

    @Test("store from a newer Docket exits 2 and is left untouched")
    func newerStore() throws {
        let folder = Repository.temporaryDirectory()
        let store = folder.appendingPathComponent("store.sqlite").path
        let fake = try FakeHeroku(day: 1)
        #expect(try docket(fake.captureArguments(store: store)).status == 0)
        let sqlite = try ChildProcess(
            executable: "/usr/bin/sqlite3", arguments: [store, "PRAGMA user_version = 42;"], environment: [:],
            stdoutPath: folder.appendingPathComponent("out").path, stderrPath: folder.appendingPathComponent("err").path)
        #expect(sqlite.waitStatus() == 0, "sqlite3 is needed: make setup installs it")
        let before = try Data(contentsOf: URL(fileURLWithPath: store))
        let result = try docket(fake.captureArguments(store: store))
        #expect(result.status == 2)
        #expect(result.stderr.contains("schema version 42"))
        #expect(result.stderr.contains("Upgrade Docket"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: store)) == before)
    }

    @Test("read command upgrades a 0.1.0 store")
    func olderStoreUpgraded() throws {
        let folder = Repository.temporaryDirectory()
        let store = folder.appendingPathComponent("store.sqlite").path
        let fixtures = Repository.root.appendingPathComponent("Fixtures/stores")
        try FileManager.default.copyItem(atPath: fixtures.appendingPathComponent("schema-2.sqlite").path, toPath: store)
        let expected = try String(contentsOf: fixtures.appendingPathComponent("schema-2.snapshots"), encoding: .utf8)
            .split(separator: "\n").map(String.init)

        let listing = try docket(["snapshots", "--json", "--store", store])
        #expect(listing.status == 0, "\(listing.stderr)")
        let snapshots = listing.json as? [[String: Any]] ?? []
        #expect(snapshots.compactMap { $0["digest"] as? String } == expected.reversed(), "newest first")
        let check = try docket(["check", "--store", store])
        #expect(check.status == 0, "\(check.stderr)")
    }

    // Root writes read-only files, so this case can only fail for a normal user.
    @Test("older store that cannot be written exits 2 naming the fix", .enabled(if: getuid() != 0, "root writes read-only files"))
    func olderStoreReadOnly() throws {
        let folder = Repository.temporaryDirectory()
        let store = folder.appendingPathComponent("store.sqlite").path
        try FileManager.default.copyItem(
            atPath: Repository.root.appendingPathComponent("Fixtures/stores/schema-2.sqlite").path, toPath: store)
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: store)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: folder.path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path) }
        let result = try docket(["snapshots", "--store", store])
        #expect(result.status == 2)
        #expect(result.stderr.contains("schema version 2"))
        #expect(result.stderr.contains("docket check"))
    }

    @Test("unknown option exits 64 with a suggestion")
    func unknownOption() throws {
        let result = try docket(["capture", "--concurency", "4"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--concurency"))
        #expect(result.stderr.contains("--concurrency"))
    }

    @Test("unknown command exits 64")
    func unknownCommand() throws {
        let result = try docket(["captur"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("capture"))
    }

    @Test("every command has help that exits 0")
    func help() throws {
        for command in ["capture", "snapshots", "show", "check"] {
            let result = try docket([command, "--help"])
            #expect(result.status == 0)
            #expect(result.stdout.contains("Usage: docket \(command)"))
            #expect(result.stdout.contains("Exit status:"))
        }
        // These commands exit 6 when an object they read no longer matches its digest, and
        // their help says so. capture records such a failure as exit 2.
        for command in ["show", "diff", "history", "bundle", "controls", "check"] {
            let result = try docket([command, "--help"])
            #expect(result.stdout.contains("\n  6    "), "docket \(command) --help")
        }
    }
}
