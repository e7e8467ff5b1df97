import DocketKit
import Foundation
import Testing

/// A capture run the way the timer runs it, stderr not a terminal, then `docket status`
/// as the monitoring check calls it, against the fake Heroku API on loopback.
@Suite("capture under a scheduler")
struct ServiceCaptureTests {
    /// The fake Heroku API serving the sample account, stopped when the test ends.
    final class FakeHeroku {
        let process = Process()
        let url: String

        init(day: Int) throws {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("docket-fake-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let portFile = folder.appendingPathComponent("port")
            let python = ProcessInfo.processInfo.environment["DOCKET_PYTHON"] ?? "/usr/bin/python3"
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = [
                DocketRun.repository.appendingPathComponent("Fixtures/fake_heroku.py").path, "--data",
                DocketRun.repository.appendingPathComponent("Fixtures/sample").path, "--day", String(day), "--port", "0",
                "--port-file", portFile.path,
            ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()

            // The fake writes the port file once it listens; give it up to 20 seconds.
            var port: String?
            for _ in 0..<200 where port == nil {
                if let text = try? String(contentsOf: portFile, encoding: .utf8), !text.isEmpty {
                    port = text.trimmingCharacters(in: .whitespacesAndNewlines)
                } else {
                    usleep(100_000)
                }
            }
            guard let port else {
                process.terminate()
                throw DocketError(.failure, "the fake Heroku API did not start within 20 seconds")
            }
            url = "http://127.0.0.1:\(port)"
        }

        // SIGKILL, because a child started from a Dispatch worker thread inherits that
        // thread's signal mask, in which SIGTERM and SIGINT are blocked.
        deinit {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    private let token = DocketRun.repository.appendingPathComponent("Fixtures/sample/token")

    @Test("scheduled capture logs plain lines and status sees it")
    func captureThenStatus() throws {
        let fake = try FakeHeroku(day: 1)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("docket-service-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let store = folder.appendingPathComponent("store.sqlite").path

        let capture = try DocketRun.run(
            ["capture", "--store", store, "--api-url", fake.url, "--data-api-url", fake.url, "--token-file", token.path],
            environment: ["DOCKET_NOW": "2026-03-25T06:00:00Z", "TERM": "xterm-256color"])
        #expect(capture.status == 0, "\(capture.errorOutput)")

        // stderr is a file here, as it is under systemd: no bar, no carriage return, no escape code.
        #expect(!capture.errorOutput.contains("\u{1B}"), "escape code in: \(capture.errorOutput)")
        #expect(!capture.errorOutput.contains("\r"))
        #expect(capture.errorOutput.split(separator: "\n").contains { $0.hasPrefix("capture complete: snapshot ") })

        let secret = try String(contentsOf: token, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!secret.isEmpty)
        #expect(!capture.errorOutput.contains(secret), "the token appears on the capture's stderr")
        #expect(!capture.output.contains(secret), "the token appears on the capture's stdout")

        let fresh = try DocketRun.run(["status", "--store", store, "--max-age", "26h"], environment: ["DOCKET_NOW": "2026-03-25T08:00:00Z"])
        #expect(fresh.status == 0, "\(fresh.errorOutput)")
        #expect(fresh.output.contains("last success  run 1 started 2026-03-25T06:00:00Z, 2h ago"))
        #expect(!fresh.output.contains(secret))

        let stale = try DocketRun.run(["status", "--store", store, "--max-age", "26h"], environment: ["DOCKET_NOW": "2026-03-27T06:00:00Z"])
        #expect(stale.status == 1)
    }
}
