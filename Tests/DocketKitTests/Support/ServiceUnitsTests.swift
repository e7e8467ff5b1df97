import Foundation
import Testing

@testable import DocketKit

@Suite("systemd units")
struct ServiceUnitsTests {
    /// Writes both units and an executable stand-in for docket into a fresh folder, because
    /// `systemd-analyze verify` rejects an `ExecStart=` binary that does not exist.
    private func writeUnits(_ adjust: (inout ServiceUnits.Configuration) -> Void = { _ in }, binaryName: String = "docket")
        throws -> (folder: URL, units: ServiceUnits)
    {
        let folder = TestPaths.temporaryDirectory()
        let binary = folder.appendingPathComponent(binaryName)
        try FileManager.default.createDirectory(at: binary.deletingLastPathComponent(), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: binary.path, contents: Data("#!/bin/sh\nexit 0\n".utf8), attributes: [.posixPermissions: 0o755])
        var configuration = ServiceUnits.Configuration(binary: binary.path)
        adjust(&configuration)
        let units = try ServiceUnits(configuration)
        for file in units.files {
            try Data(file.contents.utf8).write(to: folder.appendingPathComponent(file.name))
        }
        return (folder, units)
    }

    private func verify(_ folder: URL) throws {
        guard let tool = ServiceToolRunner.locate("systemd-analyze", package: "systemd") else { return }
        let result = try ServiceToolRunner.run(
            tool, ["verify", folder.appendingPathComponent(ServiceUnits.serviceName).path, folder.appendingPathComponent(ServiceUnits.timerName).path])
        #expect(result.status == 0, "systemd-analyze verify failed: \(result.errorOutput)")
        // verify reports ignored settings (unknown keys, unparsable values) as warnings only.
        #expect(result.errorOutput.isEmpty, "systemd-analyze verify warned: \(result.errorOutput)")
        #expect(result.output.isEmpty)
    }

    private func settings(_ text: String, _ key: String) -> [String] {
        text.split(separator: "\n").filter { $0.hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)) }
    }

    @Test("default units pass systemd-analyze verify")
    func defaultUnitsVerify() throws {
        let (folder, _) = try writeUnits()
        try verify(folder)
    }

    @Test("custom schedule and odd paths pass verify", arguments: [
        "/var/lib/docket/docket.prom", "/run/docket/docket.prom", "/srv/metrics 100%/$docket.prom",
    ])
    func customUnitsVerify(metricsFile: String) throws {
        let (folder, units) = try writeUnits({
            $0.onCalendar = "*-*-* 04:30:00"
            $0.randomizedDelaySeconds = 600
            $0.timeoutSeconds = 5400
            $0.tokenFile = "/etc/docket/token with space"
            $0.metricsFile = metricsFile
        }, binaryName: "bin dir/docket$1%n")
        try verify(folder)
        #expect(units.timer.contains("OnCalendar=*-*-* 04:30:00\n"))
        #expect(units.service.contains("TimeoutStartSec=90min\n"))
        #expect(units.service.contains("docket$1%%n\" capture"))
    }

    @Test("service is a hardened oneshot with the token as a credential")
    func serviceSettings() throws {
        let (_, units) = try writeUnits()
        let service = units.service
        #expect(settings(service, "Type") == ["oneshot"])
        #expect(settings(service, "DynamicUser") == ["yes"])
        #expect(settings(service, "StateDirectory") == ["docket"])
        #expect(settings(service, "LoadCredential") == ["heroku-token:/etc/docket/heroku-token"])
        #expect(settings(service, "TimeoutStartSec") == ["2h"])
        #expect(settings(service, "ExecStart").first?.hasSuffix(" capture --store %S/docket/store.sqlite --metrics-file %S/docket/docket.prom") == true)
        for (key, value) in [
            ("ProtectSystem", "strict"), ("ProtectHome", "yes"), ("PrivateTmp", "yes"), ("PrivateDevices", "yes"),
            ("NoNewPrivileges", "yes"), ("RestrictAddressFamilies", "AF_UNIX AF_INET AF_INET6"), ("CapabilityBoundingSet", ""),
            ("MemoryDenyWriteExecute", "yes"), ("SystemCallArchitectures", "native"),
        ] {
            #expect(settings(service, key) == [value], "\(key)")
        }
        #expect(settings(service, "SystemCallFilter") == ["@system-service", "~@privileged @resources"])
    }

    @Test("only exit 5 is retried and only 0 succeeds")
    func exitCodePolicy() throws {
        let (_, units) = try writeUnits()
        let notRetried = settings(units.service, "RestartPreventExitStatus").first?.split(separator: " ").map(String.init) ?? []
        #expect(settings(units.service, "Restart") == ["on-failure"])
        #expect(settings(units.service, "RestartSec") == ["15min"])
        #expect(!notRetried.contains("5"))
        for code in ["1", "2", "3", "4", "6", "11", "64", "CREDENTIALS"] {
            #expect(notRetried.contains(code), "exit \(code) must not be retried")
        }
        #expect(settings(units.service, "SuccessExitStatus").isEmpty)
    }

    @Test("timer is persistent, randomized and daily by default")
    func timerSettings() throws {
        let (_, units) = try writeUnits()
        #expect(settings(units.timer, "OnCalendar") == ["daily"])
        #expect(settings(units.timer, "Persistent") == ["true"])
        #expect(settings(units.timer, "RandomizedDelaySec") == ["30min"])
        #expect(settings(units.timer, "Unit") == [ServiceUnits.serviceName])
        #expect(settings(units.timer, "WantedBy") == ["timers.target"])
    }

    @Test("metrics file in /run/docket gets a lasting runtime folder")
    func runtimeMetricsFolder() throws {
        let (_, units) = try writeUnits { $0.metricsFile = "/run/docket/docket.prom" }
        #expect(settings(units.service, "RuntimeDirectory") == ["docket"])
        #expect(settings(units.service, "RuntimeDirectoryMode") == ["0755"])
        #expect(settings(units.service, "RuntimeDirectoryPreserve") == ["yes"])
        #expect(settings(units.service, "ReadWritePaths").isEmpty)
    }

    @Test("metrics file elsewhere is made writable")
    func otherMetricsFolder() throws {
        let (_, units) = try writeUnits { $0.metricsFile = "/var/lib/prometheus/node-exporter/docket.prom" }
        #expect(settings(units.service, "ReadWritePaths") == ["/var/lib/prometheus/node-exporter"])
        #expect(settings(units.service, "RuntimeDirectory").isEmpty)
    }

    @Test("invalid values are rejected", arguments: [
        ("binary", "docket"), ("token", "relative/token"), ("metrics", "/var/lib/docket/"), ("calendar", ""),
        ("calendar", "daily\nExecStartPre=/bin/sh"), ("calendar", " daily"),
    ])
    func invalidValues(field: String, value: String) {
        var configuration = ServiceUnits.Configuration(binary: "/usr/local/bin/docket")
        switch field {
        case "binary": configuration.binary = value
        case "token": configuration.tokenFile = value
        case "metrics": configuration.metricsFile = value
        default: configuration.onCalendar = value
        }
        #expect(throws: DocketError.self) { try ServiceUnits(configuration) }
    }

    @Test("security exposure stays at the documented 1.1")
    func securityExposure() throws {
        let (folder, _) = try writeUnits()
        guard let tool = ServiceToolRunner.locate("systemd-analyze", package: "systemd") else { return }
        let result = try ServiceToolRunner.run(
            tool, ["security", "--offline=true", "--no-pager", folder.appendingPathComponent(ServiceUnits.serviceName).path])
        #expect(result.status == 0, "\(result.errorOutput)")
        let overall = result.output.split(separator: "\n").first { $0.contains("Overall exposure level") }
        let score = overall.flatMap { line in line.split(separator: ":").last?.split(separator: " ").first.flatMap { Double($0) } }
        #expect(score != nil, "no overall exposure line in: \(result.output)")
        #expect((score ?? 10) <= 1.1, "exposure \(score ?? -1) is above the 1.1 docs/service.md reports")
    }
}
