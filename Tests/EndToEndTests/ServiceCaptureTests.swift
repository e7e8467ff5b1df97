import DocketKit
import DocketTestSupport
import Foundation
import Testing

/// A capture run the way the timer runs it, stderr not a terminal, then `docket status`
/// as the monitoring check calls it, against the fake Heroku API on loopback.
@Suite("capture under a scheduler")
struct ServiceCaptureTests {
    @Test("scheduled capture logs plain lines and status sees it")
    func captureThenStatus() throws {
        let fake = try FakeHeroku(day: 1)
        let store = Repository.temporaryDirectory().appendingPathComponent("store.sqlite").path

        let capture = try docket(
            fake.captureArguments(store: store), environment: ["DOCKET_NOW": "2026-03-25T06:00:00Z", "TERM": "xterm-256color"])
        #expect(capture.status == 0, "\(capture.stderr)")

        // stderr is a file here, as it is under systemd: no bar, no carriage return, no escape code.
        #expect(!capture.stderr.contains("\u{1B}"), "escape code in: \(capture.stderr)")
        #expect(!capture.stderr.contains("\r"))
        #expect(capture.stderr.split(separator: "\n").contains { $0.hasPrefix("capture complete: snapshot ") })

        let secret = Repository.tokenValue
        #expect(!secret.isEmpty)
        #expect(!capture.stderr.contains(secret), "the token appears on the capture's stderr")
        #expect(!capture.stdout.contains(secret), "the token appears on the capture's stdout")

        let fresh = try docket(["status", "--store", store, "--max-age", "26h"], environment: ["DOCKET_NOW": "2026-03-25T08:00:00Z"])
        #expect(fresh.status == 0, "\(fresh.stderr)")
        #expect(fresh.stdout.contains("last success  run 1 started 2026-03-25T06:00:00Z, 2h ago"))
        #expect(!fresh.stdout.contains(secret))

        let stale = try docket(["status", "--store", store, "--max-age", "26h"], environment: ["DOCKET_NOW": "2026-03-27T06:00:00Z"])
        #expect(stale.status == 1)
    }
}
