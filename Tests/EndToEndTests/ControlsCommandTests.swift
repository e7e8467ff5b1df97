import DocketKit
import Foundation
import DocketTestSupport
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
        let example = Repository.root.appendingPathComponent("Fixtures/policy-example.jsonc").path
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
        let path = Repository.temporaryDirectory().appendingPathComponent("bad-policy.json")
        try Data(#"{"production": {"pipeline_stages": "production"}}"#.utf8).write(to: path)
        let result = try sample.controls(["--policy", path.path])
        #expect(result.status == 64)
        #expect(result.output.isEmpty)
        #expect(result.error.contains("\"production.pipeline_stages\" must be an array of strings"))
    }
}

/// A store captured once from the six sample days, shared by the tests of this suite.
final class ControlsSample: @unchecked Sendable {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var captured: ControlsSample?

    let store: String

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
        let sample = ControlsSample()
        try sample.captureSampleDays()
        captured = sample
        return sample
    }

    private init() {
        store = Repository.temporaryDirectory().appendingPathComponent("store.sqlite").path
    }

    /// Captures each sample day from the fake Heroku API, as the demo does.
    private func captureSampleDays() throws {
        guard FileManager.default.isExecutableFile(atPath: Repository.docket) else {
            throw ControlsSampleError("the docket binary is missing at \(Repository.docket); run `swift build` first")
        }
        let fake = try FakeHeroku(day: 1)
        for day in 1...6 {
            try fake.configure(["day": day])
            let time = String(format: "2026-03-%02dT06:00:00Z", 24 + day)
            let result = try run(fake.captureArguments(store: store) + ["-q"], now: time)
            // Exit 3 (incomplete) still commits a snapshot; the controls report what was missed.
            guard result.status == 0 || result.status == 3 else {
                throw ControlsSampleError("capture of day \(day) exited \(result.status): \(result.error)")
            }
        }
    }

    func controls(_ arguments: [String], now: String = "2026-03-30T06:05:00Z") throws -> Outcome {
        try run(["controls", "--store", store] + arguments, now: now)
    }

    /// Runs the docket binary with `DOCKET_NOW` set.
    func run(_ arguments: [String], now: String) throws -> Outcome {
        let result = try docket(arguments, environment: ["DOCKET_NOW": now])
        return Outcome(status: result.status, output: result.stdout, error: result.stderr)
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
struct ControlsSampleError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
