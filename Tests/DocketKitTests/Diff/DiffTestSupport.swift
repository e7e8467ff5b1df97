import Foundation
import Testing

@testable import DocketKit

/// Stores built snapshot by snapshot for the diff and history tests.
struct DiffTestStore {
    let store: SnapshotStore
    let directory: URL

    init() throws {
        directory = TestPaths.temporaryDirectory()
        store = try SnapshotStore(path: directory.appendingPathComponent("store.sqlite").path, create: true)
    }

    /// Commits `resources` as the snapshot of March 24 + `day`, 2026, at 06:00 UTC.
    @discardableResult
    func commit(day: Int, _ resources: [CapturedResource], notRecorded: [NotRecordedListing] = []) throws -> SnapshotInfo {
        let capturedAt = String(format: "2026-03-%02dT06:00:00Z", 24 + day)
        return try store.commitSnapshot(
            resources: resources, notRecorded: notRecorded, capturedAt: capturedAt, runID: nil,
            account: ["id": "acct-1", "email": "ops@example.com"])
    }
}

/// Builders for resource bodies shaped like Heroku's.
enum Sample {
    static func app(_ id: String, name: String, stack: String = "heroku-24", updatedAt: String = "2026-03-01T00:00:00Z", slugSize: Int = 1000) -> CapturedResource {
        CapturedResource(
            kind: ResourceKind.app, key: id, name: name, appKey: id,
            body: [
                "id": .string(id), "name": .string(name), "stack": ["id": .string("stack-" + stack), "name": .string(stack)],
                "region": ["id": "region-us", "name": "us"], "maintenance": false, "updated_at": .string(updatedAt),
                "slug_size": .number(Double(slugSize)), "acm": true,
            ])
    }

    static func domain(_ id: String, hostname: String, app: String, status: String = "succeeded") -> CapturedResource {
        CapturedResource(
            kind: ResourceKind.domain, key: id, name: hostname, parentKey: app, appKey: app,
            body: [
                "id": .string(id), "hostname": .string(hostname), "app": ["id": .string(app)], "kind": "custom",
                "status": .string(status), "cname": .string(hostname + ".herokudns.com"),
            ])
    }

    static func collaborator(_ id: String, email: String, app: String, permissions: [String]) -> CapturedResource {
        CapturedResource(
            kind: ResourceKind.collaborator, key: id, name: email, parentKey: app, appKey: app,
            body: [
                "id": .string(id), "app": ["id": .string(app)], "role": "member", "user": ["email": .string(email)],
                "permissions": .array(permissions.map { ["name": .string($0), "description": .string("Can \($0)")] }),
            ])
    }

    static func addon(_ id: String, name: String, app: String, plan: String) -> CapturedResource {
        CapturedResource(
            kind: ResourceKind.addon, key: id, name: name, appKey: app,
            body: [
                "id": .string(id), "name": .string(name), "app": ["id": .string(app)], "plan": ["name": .string(plan)],
                "config_vars": ["DATABASE_URL"], "state": "provisioned",
            ])
    }

    static func webhook(_ id: String, app: String, include: [String]) -> CapturedResource {
        CapturedResource(
            kind: ResourceKind.webhook, key: id, name: id, parentKey: app, appKey: app,
            body: [
                "id": .string(id), "app": ["id": .string(app)], "level": "notify",
                "include": .array(include.map { .string($0) }), "url": "https://hooks.example.com/heroku",
            ])
    }
}

/// Applies RFC 6902 patches with the `jsonpatch` package from PyPI, an implementation
/// independent of Docket's generator, run by the Python in `DOCKET_PYTHON` (`make test` sets
/// it to the project's virtualenv).
enum PythonJSONPatch {
    enum Outcome: Equatable {
        case applied(JSONValue)
        case failed(String)
    }

    struct Unavailable: Error, CustomStringConvertible {
        let description: String
    }

    private static let script = """
        import json, sys
        import jsonpatch
        with open(sys.argv[1], encoding="utf-8") as handle:
            cases = json.load(handle)
        results = []
        for case in cases:
            try:
                results.append({"ok": jsonpatch.apply_patch(case["doc"], case["patch"])})
            except Exception as error:
                results.append({"error": type(error).__name__ + ": " + str(error)})
        json.dump(results, sys.stdout)
        """

    /// Returns the Python interpreter to use: `DOCKET_PYTHON`, else the checkout's `.venv`.
    static func interpreter() throws -> String {
        if let configured = ProcessInfo.processInfo.environment["DOCKET_PYTHON"], !configured.isEmpty {
            return configured
        }
        let local = TestPaths.repository.appendingPathComponent(".venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: local) else {
            throw Unavailable(
                description: "no Python with the jsonpatch package: set DOCKET_PYTHON, or run `make setup` to create .venv (pip install jsonpatch==1.33)")
        }
        return local
    }

    /// Reads a JSON file through Python's parser and returns it parsed by Docket's. The
    /// shared RFC 6902 suite has error cases whose patches repeat a member name, which
    /// Docket's strict parser rejects; Python keeps the last value, and those cases are
    /// skipped anyway.
    static func load(_ url: URL) throws -> JSONValue {
        let output = try run(
            "import json, sys\njson.dump(json.load(open(sys.argv[1], encoding='utf-8')), sys.stdout)", arguments: [url.path])
        return try JSONParser.parse(output)
    }

    /// Applies each patch to its document, in one Python process.
    static func apply(_ cases: [(doc: JSONValue, patch: [JSONValue])]) throws -> [Outcome] {
        let directory = TestPaths.temporaryDirectory()
        let input = directory.appendingPathComponent("cases.json")
        let payload: JSONValue = .array(cases.map { ["doc": $0.doc, "patch": .array($0.patch)] })
        try Data(CanonicalJSON.encode(payload)).write(to: input)

        let bytes = try run(script, arguments: [input.path])
        let results = try JSONParser.parse(bytes).arrayValue ?? []
        return results.map { result in
            if let value = result["ok"] { return .applied(value) }
            return .failed(result["error"]?.stringValue ?? "unknown error")
        }
    }

    private static func run(_ program: String, arguments: [String]) throws -> Data {
        let directory = TestPaths.temporaryDirectory()
        let errorFile = directory.appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try interpreter())
        process.arguments = ["-c", program] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errorFile)
        try process.run()
        let bytes = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let errorText = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
            throw Unavailable(description: "the Python helper failed (exit \(process.terminationStatus)): \(errorText)")
        }
        return bytes
    }
}
