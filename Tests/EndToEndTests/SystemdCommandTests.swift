import DocketKit
import DocketTestSupport
import Foundation
import Testing

/// `docket systemd` as an administrator runs it, with the units checked by systemd's own verifier.
@Suite("docket systemd")
struct SystemdCommandTests {
    private let folder = Repository.temporaryDirectory()

    private func systemdAnalyze() -> String? {
        for candidate in ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"] where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        Issue.record("systemd-analyze is not installed: install Debian's systemd package (`make setup` does).")
        return nil
    }

    @Test("written units pass systemd-analyze verify")
    func writtenUnitsVerify() throws {
        let result = try docket([
            "systemd", "--binary", Repository.docket, "--output-dir", folder.path, "--on-calendar", "hourly", "--timeout", "45m",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("wrote \(folder.path)/docket-capture.service"))

        let service = folder.appendingPathComponent(ServiceUnits.serviceName).path
        let timer = folder.appendingPathComponent(ServiceUnits.timerName).path
        let attributes = try FileManager.default.attributesOfItem(atPath: service)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o644)
        #expect(try String(contentsOfFile: timer, encoding: .utf8).contains("OnCalendar=hourly\n"))
        #expect(try String(contentsOfFile: service, encoding: .utf8).contains("TimeoutStartSec=45min\n"))

        guard let tool = systemdAnalyze() else { return }
        let verify = Process()
        let errors = Pipe()
        verify.executableURL = URL(fileURLWithPath: tool)
        verify.arguments = ["verify", service, timer]
        verify.standardError = errors
        verify.standardOutput = errors
        try verify.run()
        let report = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        verify.waitUntilExit()
        #expect(verify.terminationStatus == 0, "\(report)")
        #expect(report.isEmpty, "systemd-analyze verify warned: \(report)")
    }

    @Test("without --output-dir both units go to stdout")
    func printedUnits() throws {
        let result = try docket(["systemd", "--binary", "/usr/local/bin/docket"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("# docket-capture.service\n"))
        #expect(result.stdout.contains("\n# docket-capture.timer\n"))
        #expect(result.stdout.contains("ExecStart=/usr/local/bin/docket capture --store %S/docket/store.sqlite --metrics-file %S/docket/docket.prom\n"))
    }

    @Test("invalid values exit 64", arguments: [
        ["--on-calendar", ""], ["--on-calendar", "bogus spec"], ["--timeout", "forever"], ["--binary", "docket"],
        ["--randomized-delay", "-1"], ["--store", "/srv/store.sqlite"],
    ])
    func invalidValues(arguments: [String]) throws {
        let result = try docket(["systemd"] + arguments)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test("binary in a home folder draws a warning")
    func homeBinaryWarning() throws {
        let result = try docket(["systemd", "--binary", "/home/someone/docket"])
        #expect(result.status == 0)
        #expect(result.stderr.contains("ProtectHome= and PrivateTmp= hide /home/ from it"))
    }
}
