import DocketKit
import DocketTestSupport
import Foundation
import Testing

/// The metrics file a real capture writes, and the progress bar it draws on a terminal.
@Suite("capture metrics and progress")
struct ServiceMetricsTests {
    private func promtool() -> String? {
        for candidate in ["/usr/bin/promtool", "/usr/local/bin/promtool"] where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        Issue.record("promtool is not installed: install Debian's prometheus package (`make setup` does).")
        return nil
    }

    /// The value of the sample `name` (with its labels, if any) in a metrics file's text.
    private func sample(_ name: String, in text: String) -> String? {
        text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.map { String($0.split(separator: " ").last ?? "") }
    }

    @Test("capture writes metrics that promtool accepts")
    func captureWritesMetrics() throws {
        let fake = try FakeHeroku(day: 1)
        let folder = Repository.temporaryDirectory()
        let store = folder.appendingPathComponent("store.sqlite").path
        let metricsPath = folder.appendingPathComponent("docket.prom").path

        let capture = try docket(
            fake.captureArguments(store: store) + ["--metrics-file", metricsPath], environment: ["DOCKET_NOW": "2026-03-25T06:00:00Z"])
        #expect(capture.status == 0, "\(capture.stderr)")
        let text = try String(contentsOfFile: metricsPath, encoding: .utf8)

        let attributes = try FileManager.default.attributesOfItem(atPath: metricsPath)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o644)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".tmp") }.isEmpty)

        let started = String(Int64(Timestamp.parse("2026-03-25T06:00:00Z")!.timeIntervalSince1970))
        #expect(sample("docket_last_run_timestamp_seconds", in: text) == started)
        #expect(sample("docket_last_success_timestamp_seconds", in: text) == started)
        #expect(sample("docket_last_run_exit_code", in: text) == "0")
        #expect(sample("docket_snapshot_changed", in: text) == "1")
        #expect(sample("docket_snapshot_resources{kind=\"app\"}", in: text) != nil)
        #expect(Int(sample("docket_last_run_requests", in: text) ?? "") ?? 0 > 0)
        #expect(!text.contains(Repository.tokenValue))

        guard let promtool = promtool() else { return }
        let folderForCheck = Repository.temporaryDirectory()
        let check = try ChildProcess(
            executable: "/bin/sh", arguments: ["-c", "exec \"$0\" check metrics < \"$1\"", promtool, metricsPath],
            environment: ProcessInfo.processInfo.environment, stdoutPath: folderForCheck.appendingPathComponent("out").path,
            stderrPath: folderForCheck.appendingPathComponent("err").path
        ).wait()
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.isEmpty, "promtool: \(check.stdout)")
        #expect(check.stderr.isEmpty, "promtool: \(check.stderr)")
    }

    @Test("failed capture keeps the last success in metrics")
    func failedCaptureKeepsSuccess() throws {
        let fake = try FakeHeroku(day: 1)
        let folder = Repository.temporaryDirectory()
        let store = folder.appendingPathComponent("store.sqlite").path
        let metricsPath = folder.appendingPathComponent("docket.prom").path
        let arguments = fake.captureArguments(store: store) + ["--metrics-file", metricsPath, "--max-attempts", "1"]

        let first = try docket(arguments, environment: ["DOCKET_NOW": "2026-03-25T06:00:00Z"])
        #expect(first.status == 0, "\(first.stderr)")
        try fake.configure(["fail_500": "always"])
        let second = try docket(arguments, environment: ["DOCKET_NOW": "2026-03-26T06:00:00Z"])
        #expect(second.status == 5, "\(second.stderr)")

        let text = try String(contentsOfFile: metricsPath, encoding: .utf8)
        #expect(sample("docket_last_run_exit_code", in: text) == "5")
        #expect(sample("docket_last_run_timestamp_seconds", in: text) == String(Int64(Timestamp.parse("2026-03-26T06:00:00Z")!.timeIntervalSince1970)))
        #expect(sample("docket_last_success_timestamp_seconds", in: text) == String(Int64(Timestamp.parse("2026-03-25T06:00:00Z")!.timeIntervalSince1970)))
        #expect(sample("docket_snapshot_changed", in: text) == nil)
    }

    @Test("terminal capture draws and clears a bar")
    func terminalProgressBar() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else {
            Issue.record("script is not installed: install Debian's bsdutils package.")
            return
        }
        let fake = try FakeHeroku(day: 1, extraArguments: ["--slow-ms", "20"])
        let folder = Repository.temporaryDirectory()
        let store = folder.appendingPathComponent("store.sqlite").path
        let typescript = folder.appendingPathComponent("typescript").path

        // script(1) gives the capture a pseudo-terminal as stdin, stdout and stderr, and
        // records every byte written to it.
        let command = ([Repository.docket] + fake.captureArguments(store: store)).map { "'\($0)'" }.joined(separator: " ")
        let result = try ChildProcess(
            executable: "/usr/bin/script", arguments: ["-qfec", command, typescript],
            environment: childEnvironment(["DOCKET_NOW": "2026-03-25T06:00:00Z", "TERM": "xterm"], home: folder.path),
            stdoutPath: folder.appendingPathComponent("out").path, stderrPath: folder.appendingPathComponent("err").path
        ).wait()
        #expect(result.status == 0, "\(result.stderr)")

        let screen = try String(contentsOfFile: typescript, encoding: .utf8)
        #expect(screen.contains("\rcapture apps ["), "no bar for the apps phase in: \(screen)")
        #expect(screen.contains("/8 "), "no done/total figures in: \(screen)")
        #expect(screen.contains("\r\u{1B}[Kcapture apps: 8/8 done in "), "the bar is not cleared before the phase line")
        #expect(!screen.contains(Repository.tokenValue))
    }
}
