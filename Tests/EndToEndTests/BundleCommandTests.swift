import DocketTestSupport
import Foundation
import Testing

@testable import DocketKit

/// `docket bundle` and `docket verify` as a user runs them: the built binary, its exit codes
/// and output, under different clocks, time zones and locales, and with a key in ssh-agent.
@Suite("bundle and verify commands")
struct BundleCommandTests {
    /// Creates a store with six daily snapshots, 2026-03-25 to 2026-03-30.
    static func makeStore() throws -> (folder: URL, store: String) {
        let folder = Repository.temporaryDirectory(prefix: "docket-bundle-e2e")
        let path = folder.appendingPathComponent("store.sqlite").path
        let store = try SnapshotStore(path: path, create: true)
        for day in 25...30 {
            let time = "2026-03-\(day)T06:00:00Z"
            let runID = try store.beginRun(startedAt: time, pid: 1, host: "host", docketVersion: "0.1.0", apiURL: nil, tokenSource: nil)
            // The long hostname makes paths exceed ustar's 100 bytes, so the tar needs pax records.
            let host = "customer-portal-with-a-very-long-name.eu-west.production.acme.example"
            var resources = [
                CapturedResource(kind: ResourceKind.app, key: "app-1", name: "acme-api", body: ["name": "acme-api", "region": ["name": "us"]]),
                CapturedResource(kind: ResourceKind.domain, key: "dom-1", name: host, appKey: "app-1", body: ["hostname": .string(host)]),
            ]
            if day >= 28 {
                resources.append(CapturedResource(kind: ResourceKind.app, key: "app-2", name: "acme-web", body: ["name": "acme-web"]))
            }
            let snapshot = try store.commitSnapshot(
                resources: resources, notRecorded: [], capturedAt: time, runID: runID, account: ["id": "acct", "email": "ops@acme.example"])
            let run = RunRecord(
                id: runID, startedAt: time, endedAt: time, outcome: .complete, exitCode: 0, error: nil, pid: 1, host: "host",
                docketVersion: "0.1.0", apiURL: nil, tokenSource: nil, requests: 3, retries: 0, rateLimited: 0, rateLimitAtStart: nil,
                rateLimitAtEnd: nil, snapshotDigest: snapshot.digest, resourceCount: resources.count)
            try store.finishRun(run, endpoints: [])
        }
        return (folder, path)
    }

    @Test("invalid periods exit 64", arguments: ["2026-Q5", "2026-04-14..2026-01-15", "last-week"])
    func invalidPeriod(period: String) throws {
        let (folder, store) = try Self.makeStore()
        let run = try BundleCLI.run(["bundle", period, "--store", store, "-o", folder.appendingPathComponent("x.tar").path])
        #expect(run.status == 64, "\(run.errorOutput)")
        #expect(run.errorOutput.contains("invalid period \"\(period)\""))
        #expect(run.output.isEmpty)
    }

    @Test("a period with no snapshot exits 2 and names the covered range")
    func emptyPeriod() throws {
        let (folder, store) = try Self.makeStore()
        let run = try BundleCLI.run(["bundle", "2026-Q2", "--store", store, "-o", folder.appendingPathComponent("x.tar").path])
        #expect(run.status == 2)
        #expect(run.errorOutput.contains("from 2026-03-25T06:00:00Z to 2026-03-30T06:00:00Z"), "\(run.errorOutput)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("x.tar").path))
    }

    @Test("an unknown output suffix exits 64")
    func unknownSuffix() throws {
        let (folder, store) = try Self.makeStore()
        let run = try BundleCLI.run(["bundle", "2026-03", "--store", store, "-o", folder.appendingPathComponent("x.zip").path])
        #expect(run.status == 64)
    }

    @Test("the same bundle under any clock, time zone and locale", arguments: ["b.tar", "b.tar.gz", "b.tar.zst"])
    func reproducibleAcrossEnvironments(name: String) throws {
        let (folder, store) = try Self.makeStore()
        let environments: [[String: String]] = [
            ["TZ": "UTC", "LC_ALL": "C", "DOCKET_NOW": "2026-04-01T00:00:00Z"],
            ["TZ": "Pacific/Kiritimati", "LC_ALL": "C.UTF-8", "DOCKET_NOW": "2031-07-15T13:14:15Z"],
            ["TZ": "America/St_Johns", "LC_ALL": "POSIX", "LANG": "de_DE.UTF-8"],
        ]
        var digests: [String] = []
        for (index, environment) in environments.enumerated() {
            let output = folder.appendingPathComponent("\(index)-\(name)").path
            let run = try BundleCLI.run(["bundle", "2026-03", "--store", store, "-o", output], environment: environment)
            #expect(run.status == 0, "\(run.errorOutput)")
            digests.append(try Digest.sha256([UInt8](Data(contentsOf: URL(fileURLWithPath: output)))))
            #expect(run.output == "\(digests[index])  \(output)\n")
        }
        #expect(Set(digests).count == 1, "the bundles differ: \(digests)")
    }

    @Test("verify exits 0 on a valid bundle and 6 naming the damaged file")
    func verifyExitCodes() throws {
        let (folder, store) = try Self.makeStore()
        let output = folder.appendingPathComponent("b.tar").path
        #expect(try BundleCLI.run(["bundle", "2026-03", "--store", store, "-o", output]).status == 0)

        let valid = try BundleCLI.run(["verify", output])
        #expect(valid.status == 0, "\(valid.output)\(valid.errorOutput)")
        #expect(valid.output.isEmpty)
        #expect(valid.errorOutput.contains("valid"))

        let extracted = folder.appendingPathComponent("x")
        try FileManager.default.createDirectory(at: extracted, withIntermediateDirectories: true)
        #expect(try BundleCLI.tool(["tar", "-xf", output, "-C", extracted.path]).status == 0)
        let bag = extracted.appendingPathComponent("docket-acme-2026-03")
        try "forged\r\n".write(to: bag.appendingPathComponent("data/inventory.csv"), atomically: true, encoding: .utf8)
        let repacked = folder.appendingPathComponent("forged.tar.gz").path
        #expect(try BundleCLI.tool(["tar", "-czf", repacked, "-C", extracted.path, "docket-acme-2026-03"]).status == 0)

        let damaged = try BundleCLI.run(["verify", repacked])
        #expect(damaged.status == 6)
        #expect(damaged.output.hasPrefix("error: data/inventory.csv: the contents differ from the manifests"), "\(damaged.output)")
        #expect(damaged.errorOutput.contains("1 problem found"))

        let json = try BundleCLI.run(["verify", repacked, "--json"])
        #expect(json.status == 6)
        let report = try JSONParser.parse(json.output)
        #expect(report["valid"] == false)
        #expect(report["problems"]?.arrayValue?.first?["file"] == "data/inventory.csv")
    }

    @Test("damage outside period exits 6")
    func damageOutsidePeriod() throws {
        let (folder, store) = try Self.makeStore()
        // A row no snapshot names, so the bundle reads it only through the store check.
        #expect(try BundleCLI.tool(["sqlite3", store, "INSERT INTO objects(body) VALUES (X'00');"]).status == 0)
        let output = folder.appendingPathComponent("b.tar").path
        let bundle = try BundleCLI.run(["bundle", "2026-03", "--store", store, "-o", output])
        #expect(bundle.status == 6)
        #expect(bundle.errorOutput.contains("the store is damaged: its check found 1 problem"))
        #expect(bundle.errorOutput.contains("docket check"))
        #expect(FileManager.default.fileExists(atPath: output))
        #expect(try BundleCLI.run(["verify", output]).status == 0)
    }

    @Test("captured days bundle, verify and validate")
    func capturedDays() throws {
        let fake = try FakeHeroku(day: 1)
        let folder = Repository.temporaryDirectory()
        let store = folder.appendingPathComponent("store.sqlite").path
        for day in 1...3 {
            try fake.configure(["day": day])
            let capture = try docket(fake.captureArguments(store: store), environment: ["DOCKET_NOW": "2026-03-\(24 + day)T06:00:00Z"])
            #expect(capture.status == 0, "capture of day \(day): \(capture.stderr)")
        }
        let output = folder.appendingPathComponent("march.tar.zst").path
        let bundle = try BundleCLI.run(["bundle", "2026-03", "--store", store, "-o", output])
        #expect(bundle.status == 0, "\(bundle.errorOutput)")

        let verify = try BundleCLI.run(["verify", output])
        #expect(verify.status == 0, "\(verify.output)\(verify.errorOutput)")
        #expect(verify.errorOutput.contains("3 snapshots chained"))

        let extracted = folder.appendingPathComponent("x")
        try FileManager.default.createDirectory(at: extracted, withIntermediateDirectories: true)
        #expect(try BundleCLI.tool(["tar", "-xf", output, "-C", extracted.path]).status == 0)
        let bag = extracted.appendingPathComponent("docket-acme-2026-03").path
        let validation = try BundleCLI.tool([Repository.python] + Repository.pythonArguments + ["-m", "bagit", "--validate", bag])
        #expect(validation.status == 0, "bagit (make setup installs it; DOCKET_PYTHON names its Python): \(validation.errorOutput)")
        let secret = Repository.tokenValue
        #expect(!secret.isEmpty)
        let grep = try BundleCLI.tool(["grep", "-rlF", secret, bag])
        #expect(grep.status == 1, "the token appears in \(grep.output)")
    }

    @Test("a key in ssh-agent signs through its public key")
    func agentSigning() throws {
        let (folder, store) = try Self.makeStore()
        let key = folder.appendingPathComponent("agent-key").path
        #expect(try BundleCLI.tool(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "audit@acme.example", "-f", key]).status == 0)
        let socket = folder.appendingPathComponent("agent.sock").path
        let agent = try BundleCLI.start(["ssh-agent", "-D", "-a", socket])
        defer {
            kill(agent.pid, SIGTERM)
            agent.waitStatus()
        }
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: socket) {
            usleep(50_000)
        }
        let environment = ["SSH_AUTH_SOCK": socket]
        #expect(try BundleCLI.tool(["ssh-add", "-q", key], environment: environment).status == 0)
        // Only the public key remains on disk: the private half is in the agent alone.
        try FileManager.default.removeItem(atPath: key)

        let output = folder.appendingPathComponent("signed.tar.zst").path
        let bundle = try BundleCLI.run(["bundle", "2026-03", "--store", store, "-o", output, "--sign-key", key + ".pub"], environment: environment)
        #expect(bundle.status == 0, "\(bundle.errorOutput)")
        #expect(bundle.errorOutput.contains("signed with 256 SHA256:"))

        let publicKey = try String(contentsOfFile: key + ".pub", encoding: .utf8)
        let signers = folder.appendingPathComponent("allowed_signers").path
        try "audit@acme.example \(publicKey)".write(toFile: signers, atomically: true, encoding: .utf8)
        let verify = try BundleCLI.run(["verify", output, "--allowed-signers", signers])
        #expect(verify.status == 0, "\(verify.output)\(verify.errorOutput)")
        #expect(verify.errorOutput.contains("signature: good, by audit@acme.example"))
    }
}

/// Runs the built `docket` binary and other tools through the shared harness, which spawns
/// with posix_spawn (Foundation's `Process` can hang when tests start children concurrently).
private enum BundleCLI {
    struct Result {
        let status: Int32
        let output: String
        let errorOutput: String
    }

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        guard FileManager.default.isExecutableFile(atPath: Repository.docket) else {
            Issue.record("\(Repository.docket) is missing: run `swift build` before the end-to-end tests.")
            return Result(status: -1, output: "", errorOutput: "")
        }
        let result = try docket(arguments, environment: environment)
        return Result(status: result.status, output: result.stdout, errorOutput: result.stderr)
    }

    static func tool(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let result = try start(arguments, environment: environment).wait()
        return Result(status: result.status, output: result.stdout, errorOutput: result.stderr)
    }

    /// Starts a program found on PATH; the returned child is killed when released.
    static func start(_ arguments: [String], environment: [String: String] = [:]) throws -> ChildProcess {
        let folder = Repository.temporaryDirectory()
        return try ChildProcess(
            executable: "/usr/bin/env", arguments: arguments, environment: childEnvironment(environment, home: folder.path),
            stdoutPath: folder.appendingPathComponent("stdout").path, stderrPath: folder.appendingPathComponent("stderr").path)
    }
}
