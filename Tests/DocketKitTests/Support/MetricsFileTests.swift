import Foundation
import Testing

@testable import DocketKit

@Suite("node_exporter metrics file")
struct MetricsFileTests {
    static let fullMetrics = CaptureMetrics(
        lastRunTimestamp: 1_774_418_400, lastSuccessTimestamp: 1_774_332_000, lastExitCode: 3, durationSeconds: 12.25,
        resourcesByKind: ["app": 4, "domain": 9, "team-member": 3], requests: 57, retries: 2, rateLimited: 1,
        rateLimitRemaining: 4410, snapshotChanged: true, failingControls: 2)

    /// Runs `promtool check metrics` on `text` and expects no parse error and no lint finding.
    private func expectPromtoolAccepts(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        guard let promtool = ServiceToolRunner.locate("promtool", package: "prometheus", sourceLocation: sourceLocation) else { return }
        let result = try ServiceToolRunner.run(promtool, ["check", "metrics"], input: text)
        #expect(result.status == 0, "promtool exit \(result.status): \(result.output)\(result.errorOutput)", sourceLocation: sourceLocation)
        #expect(result.output.isEmpty, "promtool: \(result.output)", sourceLocation: sourceLocation)
        #expect(result.errorOutput.isEmpty, "promtool: \(result.errorOutput)", sourceLocation: sourceLocation)
    }

    /// Lists the metric names of the file's `# TYPE` lines, in order.
    private func typedNames(_ text: String) -> [String] {
        text.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { String($0.split(separator: " ")[2]) }
    }

    @Test("full file passes promtool check metrics")
    func fullFilePasses() throws {
        try expectPromtoolAccepts(MetricsFile.render(Self.fullMetrics))
    }

    @Test("full file holds every documented series")
    func fullFileHoldsSeries() {
        let text = MetricsFile.render(Self.fullMetrics)
        #expect(typedNames(text) == MetricsFile.series.map(\.name))
        #expect(text.contains("docket_last_run_timestamp_seconds 1774418400\n"))
        #expect(text.contains("docket_last_success_timestamp_seconds 1774332000\n"))
        #expect(text.contains("docket_last_run_exit_code 3\n"))
        #expect(text.contains("docket_last_run_duration_seconds 12.25\n"))
        #expect(text.contains("docket_snapshot_resources{kind=\"team-member\"} 3\n"))
        #expect(text.contains("docket_rate_limit_remaining 4410\n"))
        #expect(text.contains("docket_snapshot_changed 1\n"))
        #expect(text.contains("docket_failing_controls 2\n"))
        #expect(text.contains("docket_info{version=\"\(DocketVersion.current)\"} 1\n"))
    }

    @Test("unknown values leave their series out")
    func unknownValuesOmitted() throws {
        let metrics = CaptureMetrics(lastRunTimestamp: 1_774_418_400, lastSuccessTimestamp: nil, lastExitCode: 5, durationSeconds: 3)
        let text = MetricsFile.render(metrics)
        let names = typedNames(text)
        for absent in ["docket_last_success_timestamp_seconds", "docket_rate_limit_remaining", "docket_snapshot_resources",
            "docket_snapshot_changed", "docket_failing_controls"]
        {
            #expect(!names.contains(absent), "\(absent)")
        }
        #expect(text.contains("docket_last_run_exit_code 5\n"))
        try expectPromtoolAccepts(text)
    }

    @Test("label values are escaped")
    func labelEscaping() throws {
        var metrics = Self.fullMetrics
        metrics.resourcesByKind = ["we\"ird\\kind\nx": 1]
        let text = MetricsFile.render(metrics)
        #expect(text.contains(#"docket_snapshot_resources{kind="we\"ird\\kind\nx"} 1"# + "\n"))
        try expectPromtoolAccepts(text)
    }

    @Test("sample values use Prometheus spellings", arguments: [
        (3.0, "3"), (12.25, "12.25"), (Double.nan, "NaN"), (Double.infinity, "+Inf"), (-Double.infinity, "-Inf"), (0.0, "0"),
    ])
    func sampleValues(value: Double, expected: String) {
        #expect(MetricsFile.formatValue(value) == expected)
    }

    @Test("write replaces the file with mode 0644")
    func atomicWrite() throws {
        let folder = TestPaths.temporaryDirectory()
        let path = folder.appendingPathComponent("docket.prom").path
        try Data("old\n".utf8).write(to: URL(fileURLWithPath: path))

        // The generated service runs with UMask=0077; the file must still be world-readable.
        let previousMask = umask(0o077)
        defer { umask(previousMask) }
        try MetricsFile.write(Self.fullMetrics, to: path)

        #expect(try String(contentsOfFile: path, encoding: .utf8) == MetricsFile.render(Self.fullMetrics))
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o644)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["docket.prom"])
    }

    @Test("write into a missing folder names the path")
    func missingFolder() throws {
        let path = TestPaths.temporaryDirectory().appendingPathComponent("absent/docket.prom").path
        let error = #expect(throws: DocketError.self) { try MetricsFile.write(Self.fullMetrics, to: path) }
        #expect(error?.message.contains(path) == true)
        #expect(error?.category == .failure)
    }

    // MARK: - From the run ledger

    private func makeStore() throws -> SnapshotStore {
        try SnapshotStore(path: TestPaths.temporaryDirectory().appendingPathComponent("store.sqlite").path, create: true)
    }

    /// Records one run; with `resources`, it commits a complete snapshot of them.
    private func recordRun(
        _ store: SnapshotStore, at startedAt: String, outcome: RunOutcome, exitCode: Int, resources: [CapturedResource]?
    ) throws -> RunRecord {
        let id = try store.beginRun(startedAt: startedAt, pid: 1, host: "test", docketVersion: DocketVersion.current, apiURL: nil, tokenSource: nil)
        var snapshot: SnapshotInfo?
        if let resources {
            snapshot = try store.commitSnapshot(resources: resources, notRecorded: [], capturedAt: startedAt, runID: id, account: [:])
        }
        let endedAt = Timestamp.format(Timestamp.parse(startedAt)!.addingTimeInterval(42))
        let run = RunRecord(
            id: id, startedAt: startedAt, endedAt: endedAt, outcome: outcome, exitCode: exitCode, error: nil, pid: 1, host: "test",
            docketVersion: DocketVersion.current, apiURL: nil, tokenSource: nil, requests: 10, retries: 1, rateLimited: 0,
            rateLimitAtStart: 4500, rateLimitAtEnd: 4490, snapshotDigest: snapshot?.digest, resourceCount: resources?.count)
        try store.finishRun(run, endpoints: [])
        return run
    }

    private let resources = [
        CapturedResource(kind: "app", key: "a1", name: "api", body: ["name": "api"]),
        CapturedResource(kind: "app", key: "a2", name: "web", body: ["name": "web"]),
        CapturedResource(kind: "domain", key: "d1", name: "api.example.com", parentKey: "a1", appKey: "a1", body: ["hostname": "api.example.com"]),
    ]

    @Test("last success survives a failed run")
    func lastSuccessSurvivesFailure() throws {
        let store = try makeStore()
        _ = try recordRun(store, at: "2026-03-25T06:00:00Z", outcome: .complete, exitCode: 0, resources: resources)
        let failed = try recordRun(store, at: "2026-03-26T06:00:00Z", outcome: .transientFailure, exitCode: 5, resources: nil)

        let metrics = try CaptureMetrics.finishedRun(failed, in: store)
        #expect(metrics.lastSuccessTimestamp == Int64(Timestamp.parse("2026-03-25T06:00:00Z")!.timeIntervalSince1970))
        #expect(metrics.lastRunTimestamp == Int64(Timestamp.parse("2026-03-26T06:00:00Z")!.timeIntervalSince1970))
        #expect(metrics.lastExitCode == 5)
        #expect(metrics.durationSeconds == 42)
        #expect(metrics.resourcesByKind.isEmpty)
        #expect(metrics.snapshotChanged == nil)
        #expect(metrics.rateLimitRemaining == 4490)
    }

    @Test("complete run counts resources and change")
    func completeRunFigures() throws {
        let store = try makeStore()
        let first = try recordRun(store, at: "2026-03-25T06:00:00Z", outcome: .complete, exitCode: 0, resources: resources)
        let second = try recordRun(store, at: "2026-03-26T06:00:00Z", outcome: .complete, exitCode: 0, resources: resources)

        let firstMetrics = try CaptureMetrics.finishedRun(first, in: store)
        #expect(firstMetrics.resourcesByKind == ["app": 2, "domain": 1])
        #expect(firstMetrics.snapshotChanged == true)

        let secondMetrics = try CaptureMetrics.finishedRun(second, in: store)
        #expect(secondMetrics.snapshotChanged == false)
        #expect(secondMetrics.lastSuccessTimestamp == secondMetrics.lastRunTimestamp)
        try expectPromtoolAccepts(MetricsFile.render(secondMetrics))
    }

    @Test("run that never started keeps last success")
    func unrecordedRunKeepsSuccess() throws {
        let store = try makeStore()
        _ = try recordRun(store, at: "2026-03-25T06:00:00Z", outcome: .complete, exitCode: 0, resources: resources)
        let startedAt = Timestamp.parse("2026-03-26T06:00:00Z")!

        let metrics = CaptureMetrics.unrecordedRun(startedAt: startedAt, exitCode: 11, durationSeconds: 0.5, storePath: store.path)
        #expect(metrics.lastSuccessTimestamp == Int64(Timestamp.parse("2026-03-25T06:00:00Z")!.timeIntervalSince1970))
        #expect(metrics.lastRunTimestamp == Int64(startedAt.timeIntervalSince1970))
        #expect(metrics.lastExitCode == 11)
        #expect(metrics.resourcesByKind.isEmpty)

        let missing = CaptureMetrics.unrecordedRun(startedAt: startedAt, exitCode: 4, durationSeconds: 0, storePath: store.path + ".absent")
        #expect(missing.lastSuccessTimestamp == nil)
        try expectPromtoolAccepts(MetricsFile.render(missing))
    }

    @Test("docs/service.md documents every series")
    func seriesDocumented() throws {
        let document = try String(contentsOf: TestPaths.repository.appendingPathComponent("docs/service.md"), encoding: .utf8)
        for series in MetricsFile.series {
            #expect(document.contains("`\(series.name)`"), "\(series.name) is missing from docs/service.md")
        }
    }
}
