import DocketKit
import Foundation
import DocketTestSupport
import Testing

/// `docket diff` and `docket history` as a user runs them: the built binary, on a store of
/// three days written through DocketKit.
@Suite("docket diff and history commands")
struct DiffCommandTests {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Writes a store of three days: day 2 renames app `web` to `storefront` and adds a domain,
    /// day 3 changes only volatile fields.
    static func makeStore() throws -> String {
        let directory = Repository.temporaryDirectory(prefix: "docket-diff-e2e")
        let path = directory.appendingPathComponent("store.sqlite").path
        let store = try SnapshotStore(path: path, create: true)
        func app(_ name: String, updatedAt: String) -> CapturedResource {
            CapturedResource(
                kind: "app", key: "app-1", name: name, appKey: "app-1",
                body: ["id": "app-1", "name": .string(name), "stack": ["id": "s24", "name": "heroku-24"], "updated_at": .string(updatedAt)])
        }
        let domain = CapturedResource(
            kind: "domain", key: "dom-1", name: "www.example.com", parentKey: "app-1", appKey: "app-1",
            body: ["id": "dom-1", "hostname": "www.example.com", "app": ["id": "app-1", "name": "storefront"]])
        let days: [(String, [CapturedResource])] = [
            ("2026-03-25T06:00:00Z", [app("web", updatedAt: "2026-03-25T01:00:00Z")]),
            ("2026-03-26T06:00:00Z", [app("storefront", updatedAt: "2026-03-26T01:00:00Z"), domain]),
            ("2026-03-27T06:00:00Z", [app("storefront", updatedAt: "2026-03-27T01:00:00Z"), domain]),
        ]
        for (capturedAt, resources) in days {
            _ = try store.commitSnapshot(
                resources: resources, notRecorded: [], capturedAt: capturedAt, runID: nil, account: ["id": "acct", "email": "ops@example.com"])
        }
        return path
    }

    /// The `docket` binary built beside the test bundle.
    static var binary: String {
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("docket").path
        if FileManager.default.isExecutableFile(atPath: besideTests) { return besideTests }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../.build/debug/docket").standardized.path
    }

    static func run(_ arguments: [String], store: String) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments + ["--store", store]
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    @Test("binary is built")
    func binaryBuilt() {
        #expect(FileManager.default.isExecutableFile(atPath: Self.binary), "build docket first: swift build")
    }

    @Test("latest against its parent, no colour in a pipe")
    func latestAgainstParent() throws {
        let store = try Self.makeStore()
        let result = try Self.run(["diff"], store: store)
        #expect(result.status == 0)
        #expect(result.stdout.contains("no differences"))
        #expect(result.stdout.contains("hidden: 1 resource that changed only in volatile fields; --all-fields shows them"))
        #expect(!result.stdout.contains("\u{1B}["))

        let exitCode = try Self.run(["diff", "--exit-code"], store: store)
        #expect(exitCode.status == 0)
        let allFields = try Self.run(["diff", "--all-fields", "--exit-code"], store: store)
        #expect(allFields.status == 1)
        #expect(allFields.stdout.contains("updated_at"))
    }

    @Test("rename shown with both names, exit code 1")
    func rename() throws {
        let store = try Self.makeStore()
        let result = try Self.run(["diff", "2026-03-25", "2026-03-26", "--exit-code"], store: store)
        #expect(result.status == 1)
        #expect(result.stdout.contains("web → storefront"))
        #expect(result.stdout.contains("\"web\" → \"storefront\""))
        #expect(result.stdout.contains("www.example.com"))
        #expect(result.stdout.contains("1 added, 1 changed"))
    }

    @Test("one argument compares with the latest")
    func oneArgument() throws {
        let store = try Self.makeStore()
        let result = try Self.run(["diff", "2026-03-25", "--format", "json"], store: store)
        #expect(result.status == 0)
        let json = try JSONParser.parse(result.stdout)
        #expect(json["format"] == "docket-diff/1")
        #expect(json["from"]?["captured_at"] == "2026-03-25T06:00:00Z")
        #expect(json["to"]?["captured_at"] == "2026-03-27T06:00:00Z")
        #expect(json["summary"]?["changed"] == 1)
        #expect(json["summary"]?["added"] == 1)
    }

    @Test("formats: markdown and json-patch")
    func formats() throws {
        let store = try Self.makeStore()
        let markdown = try Self.run(["diff", "2026-03-25", "2026-03-26", "--format", "markdown"], store: store)
        #expect(markdown.status == 0)
        #expect(markdown.stdout.hasPrefix("# Changes from 2026-03-25T06:00:00Z to 2026-03-26T06:00:00Z"))
        #expect(markdown.stdout.contains("| `name` | `\"web\"` | `\"storefront\"` |"))

        let patch = try Self.run(["diff", "2026-03-25", "2026-03-26", "--format", "json-patch"], store: store)
        #expect(patch.status == 0)
        let json = try JSONParser.parse(patch.stdout)
        #expect(json["format"] == "docket-json-patch/1")
        #expect(json["resources"]?.arrayValue?.count == 2)
    }

    @Test("filters by kind and by an app's past name")
    func filters() throws {
        let store = try Self.makeStore()
        let kind = try Self.run(["diff", "2026-03-25", "2026-03-26", "--kind", "domain", "--json"], store: store)
        #expect(try JSONParser.parse(kind.stdout)["resources"]?.arrayValue?.map { $0["kind"] } == ["domain"])
        let app = try Self.run(["diff", "2026-03-25", "2026-03-26", "--app", "web", "--json"], store: store)
        #expect(app.status == 0)
        #expect(try JSONParser.parse(app.stdout)["filter"]?["app"] == "app-1")
    }

    @Test("bad references and options exit 64 with a clear message", arguments: [
        (["diff", "2026-01-01"], "the store holds snapshots from 2026-03-25 to 2026-03-27"),
        (["diff", "abcdef0123"], "no snapshot matches \"abcdef0123\""),
        (["diff", "2026-03-27", "2026-03-25"], "is later than TO"),
        (["diff", "latest", "2026-03-25"], "is later than TO"),
        (["diff", "yesterday"], "invalid snapshot reference"),
        (["diff", "--kind", "apps"], "unknown kind \"apps\""),
        (["diff", "--app", "nope"], "no app named \"nope\""),
        (["diff", "--format", "yaml"], "invalid value \"yaml\" for --format"),
        (["history", "app"], "expected KIND/NAME-OR-ID"),
        (["history", "apps/web"], "unknown kind \"apps\""),
    ])
    func usageErrors(arguments: [String], message: String) throws {
        let store = try Self.makeStore()
        let result = try Self.run(arguments, store: store)
        #expect(result.status == 64)
        #expect(result.stderr.contains(message), "stderr: \(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test("single snapshot has no parent to compare")
    func noParent() throws {
        let directory = Repository.temporaryDirectory(prefix: "docket-diff-e2e")
        let path = directory.appendingPathComponent("store.sqlite").path
        _ = try SnapshotStore(path: path, create: true).commitSnapshot(
            resources: [], notRecorded: [], capturedAt: "2026-03-25T06:00:00Z", runID: nil, account: [:])
        let result = try Self.run(["diff"], store: path)
        #expect(result.status == 2)
        #expect(result.stderr.contains("has no parent"))
    }

    @Test("history follows a rename by the old name")
    func history() throws {
        let store = try Self.makeStore()
        let result = try Self.run(["history", "app/web"], store: store)
        #expect(result.status == 0)
        #expect(result.stdout.contains("names: web → storefront"))
        #expect(result.stdout.contains("renamed web → storefront"))

        let json = try Self.run(["history", "app/storefront", "--json", "--since", "2026-03-26"], store: store)
        let timeline = try JSONParser.parse(json.stdout)
        #expect(timeline["format"] == "docket-history/1")
        #expect(timeline["events"]?.arrayValue?.map { $0["change"] } == ["changed"])

        let missing = try Self.run(["history", "app/nope"], store: store)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no app has the id or name \"nope\""))
    }
}
