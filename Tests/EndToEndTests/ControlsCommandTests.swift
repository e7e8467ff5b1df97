import DocketKit
import Foundation
import Testing

/// `docket controls` run as a user would: the built binary over a store captured from the
/// fake Heroku API's six sample days.
@Suite("controls command", .serialized)
struct ControlsCommandTests {
    @Test("sample days give the planted results")
    func sampleDays() throws {
        let sample = try ControlsSample.shared()
        let day1 = try sample.controls(["2026-03-25", "--as-of", "snapshot", "--json"])
        #expect(day1.status == 0)
        let first = try JSONParser.parse(day1.output)
        #expect(ControlsSample.status(first, control: "space-inbound-restricted", resource: "acme-private") == "fail")
        #expect(ControlsSample.status(first, control: "team-member-mfa", resource: "acme/bob@acme.example") == "fail")
        #expect(ControlsSample.status(first, control: "app-stack-supported", resource: "acme-worker") == "fail")
        #expect(ControlsSample.status(first, control: "team-member-mfa", resource: "acme-data/erin@acme.example") == "not-applicable")

        let second = try JSONParser.parse(try sample.controls(["2026-03-26", "--as-of", "snapshot", "--json"]).output)
        #expect(ControlsSample.status(second, control: "space-inbound-restricted", resource: "acme-private") == "pass")
        #expect(ControlsSample.status(second, control: "team-member-mfa", resource: "acme/bob@acme.example") == "pass")

        let fifth = try JSONParser.parse(try sample.controls(["2026-03-29", "--as-of", "snapshot", "--json"]).output)
        #expect(ControlsSample.status(fifth, control: "access-removal", resource: "acme/carol@acme.example") == "pass")
        #expect(ControlsSample.message(fifth, control: "access-removal", resource: "acme/carol@acme.example")?.contains("2026-03-29T06:00:00Z") == true)
    }

    @Test("snapshot time reference repeats byte for byte")
    func reproducible() throws {
        let sample = try ControlsSample.shared()
        for format in ["text", "json", "csv"] {
            let first = try sample.controls(["latest", "--as-of", "snapshot", "--format", format])
            let second = try sample.controls(["latest", "--as-of", "snapshot", "--format", format], now: "2027-01-01T00:00:00Z")
            #expect(first.status == 0)
            #expect(first.output == second.output, "\(format)")
        }
    }

    @Test("exit code and policy file")
    func exitCodeAndPolicy() throws {
        let sample = try ControlsSample.shared()
        let example = ControlsSample.repository.appendingPathComponent("Fixtures/policy-example.jsonc").path
        let result = try sample.controls(["--policy", example, "--exit-code"])
        #expect(result.status == 1)
        #expect(result.output.contains("FAIL   email-domain-allowed"))
        #expect(result.output.contains("policy \(example) (sha256 "))

        let passing = try sample.controls(["--policy", example, "--format", "csv"])
        #expect(passing.status == 0)
        #expect(passing.output.hasPrefix("snapshot,captured_at,control,status,"))
    }

    @Test("invalid policy exits 64 naming the key")
    func invalidPolicy() throws {
        let sample = try ControlsSample.shared()
        let path = sample.folder.appendingPathComponent("bad-policy.json")
        try Data(#"{"production": {"pipeline_stages": "production"}}"#.utf8).write(to: path)
        let result = try sample.controls(["--policy", path.path])
        #expect(result.status == 64)
        #expect(result.output.isEmpty)
        #expect(result.error.contains("\"production.pipeline_stages\" must be an array of strings"))
    }
}

/// A store captured once from the six sample days, shared by the tests of this suite.
final class ControlsSample: @unchecked Sendable {
    static let repository: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    private static let lock = NSLock()
    nonisolated(unsafe) private static var captured: ControlsSample?

    let folder: URL
    let store: String
    let docket: URL

    struct Outcome {
        let status: Int32
        let output: String
        let error: String
    }

    /// Captures the sample days on first use; later calls reuse the store.
    static func shared() throws -> ControlsSample {
        lock.lock()
        defer { lock.unlock() }
        if let captured { return captured }
        let sample = try ControlsSample()
        try sample.captureSampleDays()
        captured = sample
        return sample
    }

    private init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("docket-controls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        store = folder.appendingPathComponent("store.sqlite").path
        docket = Self.repository.appendingPathComponent(".build/debug/docket")
        guard FileManager.default.isExecutableFile(atPath: docket.path) else {
            throw ControlsSampleError("the docket binary is missing at \(docket.path); run `swift build` first")
        }
    }

    /// Captures each sample day from a fake Heroku API started on that day, as the demo does.
    private func captureSampleDays() throws {
        for day in 1...6 {
            let server = try startFakeAPI(day: day)
            defer { ChildProcess.stop(server.pid) }
            let time = String(format: "2026-03-%02dT06:00:00Z", 24 + day)
            let url = "http://127.0.0.1:\(server.port)"
            let token = Self.repository.appendingPathComponent("Fixtures/sample/token").path
            let result = try run(["capture", "--store", store, "--api-url", url, "--data-api-url", url, "--token-file", token, "-q"], now: time)
            // Exit 3 (incomplete) still commits a snapshot; the controls report what was missed.
            guard result.status == 0 || result.status == 3 else {
                throw ControlsSampleError("capture of day \(day) exited \(result.status): \(result.error)")
            }
        }
    }

    private func startFakeAPI(day: Int) throws -> (pid: pid_t, port: Int) {
        let portFile = folder.appendingPathComponent("port-\(day)")
        let python = ProcessInfo.processInfo.environment["DOCKET_PYTHON"] ?? "python3"
        let arguments = [
            python, Self.repository.appendingPathComponent("Fixtures/fake_heroku.py").path, "--data",
            Self.repository.appendingPathComponent("Fixtures/sample").path, "--day", String(day), "--port", "0", "--port-file",
            portFile.path,
        ]
        let log = folder.appendingPathComponent("fake-\(day).log").path
        let pid = try ChildProcess.spawn(
            "/usr/bin/env", arguments: arguments, environment: ProcessInfo.processInfo.environment, output: log, error: log)
        do {
            return (pid, try waitForPort(portFile, pid: pid))
        } catch {
            ChildProcess.stop(pid)
            throw error
        }
    }

    private func waitForPort(_ file: URL, pid: pid_t) throws -> Int {
        for _ in 0..<100 {
            if let text = try? String(contentsOf: file, encoding: .utf8), let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return port
            }
            guard kill(pid, 0) == 0 else {
                throw ControlsSampleError("the fake Heroku API exited before it wrote its port; check that python3 (or $DOCKET_PYTHON) runs")
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw ControlsSampleError("the fake Heroku API wrote no port file within 10 seconds")
    }

    func controls(_ arguments: [String], now: String = "2026-03-30T06:05:00Z") throws -> Outcome {
        try run(["controls", "--store", store] + arguments, now: now)
    }

    /// Runs the docket binary with `DOCKET_NOW` set, its output sent to files in the sample's
    /// folder, and waits for it with `waitpid`.
    func run(_ arguments: [String], now: String) throws -> Outcome {
        var environment = ProcessInfo.processInfo.environment
        environment["DOCKET_NOW"] = now
        let outputFile = folder.appendingPathComponent("stdout")
        let errorFile = folder.appendingPathComponent("stderr")
        let pid = try ChildProcess.spawn(docket.path, arguments: arguments, environment: environment, output: outputFile.path, error: errorFile.path)
        let status = try ChildProcess.wait(pid)
        return Outcome(
            status: status, output: (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "",
            error: (try? String(contentsOf: errorFile, encoding: .utf8)) ?? "")
    }

    /// Returns the status of `control` on the resource named `resource` in a JSON report.
    static func status(_ report: JSONValue, control: String, resource: String) -> String? {
        result(report, control: control, resource: resource)?["status"]?.stringValue
    }

    static func message(_ report: JSONValue, control: String, resource: String) -> String? {
        result(report, control: control, resource: resource)?["message"]?.stringValue
    }

    private static func result(_ report: JSONValue, control: String, resource: String) -> JSONValue? {
        let entry = report["controls"]?.arrayValue?.first { $0["id"]?.stringValue == control }
        return entry?["results"]?.arrayValue?.first { $0["resource"]?["name"]?.stringValue == resource }
    }
}

/// Child processes started with `posix_spawn`, with an empty signal mask, and reaped with
/// `waitpid`.
enum ChildProcess {
    static func spawn(_ path: String, arguments: [String], environment: [String: String], output: String, error: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, error, O_WRONLY | O_CREAT | (output == error ? O_APPEND : O_TRUNC), 0o644)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        // Test threads block some signals, and a child inherits that mask: without an empty
        // mask the fake API never receives the SIGTERM that stops it.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        var pid: pid_t = 0
        let code = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard code == 0 else { throw ControlsSampleError("cannot start \(path): \(String(cString: strerror(code)))") }
        return pid
    }

    /// Waits for `pid` and returns its exit status (128 + signal when a signal ended it).
    static func wait(_ pid: pid_t) throws -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw ControlsSampleError("waitpid failed: \(String(cString: strerror(errno)))") }
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Sends SIGTERM and reaps the process.
    static func stop(_ pid: pid_t) {
        kill(pid, SIGTERM)
        _ = try? wait(pid)
    }
}

struct ControlsSampleError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
