import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

@testable import DocketKit

/// A store holding the six days of `Fixtures/sample`, captured through the fake Heroku API on
/// loopback, day N at 2026-03-(24+N)T06:00:00Z. Built once per test process.
enum FixtureDays {
    struct Captured: Sendable {
        let storePath: String
        /// The snapshot of each day, day 1 first.
        let days: [SnapshotInfo]
    }

    private static let cache = Cache()

    static func captured() async throws -> Captured {
        try await cache.value()
    }

    /// Opens the captured store; each test gets its own connection.
    static func store() async throws -> (SnapshotStore, [SnapshotInfo]) {
        let captured = try await captured()
        return (try SnapshotStore(path: captured.storePath), captured.days)
    }

    private actor Cache {
        var task: Task<Captured, Error>?

        func value() async throws -> Captured {
            if let task { return try await task.value }
            let task = Task { try await FixtureDays.capture() }
            self.task = task
            return try await task.value
        }
    }

    private static func capture() async throws -> Captured {
        try await capture((1...6).map { (day: $0, failingPaths: [:]) })
    }

    /// Captures each fixture day of `plan` in order into a new store. The fake returns the
    /// given status for requests whose path matches a `failingPaths` regular expression.
    static func capture(_ plan: [(day: Int, failingPaths: [String: Int])]) async throws -> Captured {
        let directory = TestPaths.temporaryDirectory()
        let storePath = directory.appendingPathComponent("store.sqlite").path
        _ = try SnapshotStore(path: storePath, create: true)
        let server = try FakeHerokuProcess(directory: directory)
        do {
            let captured = try await capture(plan, server: server, storePath: storePath)
            await server.stop()
            return captured
        } catch {
            await server.stop()
            throw error
        }
    }

    private static func capture(_ plan: [(day: Int, failingPaths: [String: Int])], server: FakeHerokuProcess, storePath: String) async throws -> Captured {
        let tokenFile = TestPaths.repository.appendingPathComponent("Fixtures/sample/token").path
        let credential = try CredentialResolver.resolve(tokenFile: tokenFile, environment: [:])
        var configuration = ClientConfiguration(apiURL: server.url, dataAPIURL: server.url)
        configuration.minimumRateLimit = 0
        configuration.maximumAttempts = 1
        var days: [SnapshotInfo] = []
        for (day, failingPaths) in plan {
            try await server.configure(["day": .number(Double(day)), "fail_path": .object(failingPaths.mapValues { .number(Double($0)) })])
            let environment = ["DOCKET_NOW": String(format: "2026-03-%02dT06:00:00Z", 24 + day)]
            let request = CaptureRequest(configuration: configuration, credential: .success(credential), storePath: storePath, environment: environment)
            let summary = try await CaptureRunner.run(request, progress: nil)
            days.append(try #require(summary.snapshot, "day \(day) was not captured: \(summary.run.error ?? "no error recorded")"))
        }
        return Captured(storePath: storePath, days: days)
    }
}

/// `Fixtures/fake_heroku.py` run on a free loopback port for the duration of a capture.
final class FakeHerokuProcess: @unchecked Sendable {
    let process = Process()
    let url: URL

    init(directory: URL) throws {
        let portFile = directory.appendingPathComponent("port")
        let python = ProcessInfo.processInfo.environment["DOCKET_PYTHON"].flatMap { $0.isEmpty ? nil : $0 } ?? "/usr/bin/python3"
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [
            TestPaths.repository.appendingPathComponent("Fixtures/fake_heroku.py").path, "--data",
            TestPaths.repository.appendingPathComponent("Fixtures/sample").path, "--day", "1", "--port", "0", "--port-file", portFile.path,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: Self.createFile(directory.appendingPathComponent("fake.log")))
        try process.run()

        var port: String?
        for _ in 0..<200 where port == nil {
            port = (try? String(contentsOf: portFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            if port?.isEmpty ?? true { port = nil }
            if port == nil { usleep(50_000) }
        }
        guard let port, process.isRunning else {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            throw PythonJSONPatch.Unavailable(description: "the fake Heroku API did not start; see \(directory.path)/fake.log")
        }
        url = URL(string: "http://127.0.0.1:\(port)")!
    }

    private static func createFile(_ url: URL) -> URL {
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        return url
    }

    /// Changes the fake's settings (`day`, `fail_path`...) through its control API.
    func configure(_ settings: JSONValue) async throws {
        var request = URLRequest(url: url.appendingPathComponent("_fake/config"))
        request.httpMethod = "PUT"
        request.httpBody = Data(CanonicalJSON.encode(settings))
        let (_, response) = try await URLSession.shared.data(for: request)
        guard (response as? HTTPURLResponse)?.statusCode == 200 else {
            throw PythonJSONPatch.Unavailable(description: "the fake Heroku API rejected the settings \(CanonicalJSON.encodeString(settings))")
        }
    }

    /// Stops the fake through its control API and waits for it to exit. A signal would not
    /// do: a child started from a Swift concurrency thread inherits that thread's blocked
    /// signals, so SIGTERM stays pending. SIGKILL, which cannot be blocked, is the fallback.
    func stop() async {
        var request = URLRequest(url: url.appendingPathComponent("_fake/shutdown"))
        request.httpMethod = "POST"
        _ = try? await URLSession.shared.data(for: request)
        for _ in 0..<100 where process.isRunning {
            try? await Task.sleep(nanoseconds: 50_000_000)
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
    }
}
