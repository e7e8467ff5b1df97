import DocketKit
import Foundation

/// `docket systemd`: prints or writes the hardened capture service and its timer.
enum SystemdCommand: Command {
    static let name = "systemd"
    static let summary = "print (or write) a hardened systemd service and timer for capture"
    static let usage = "systemd [--on-calendar SPEC] [--output-dir DIR] [options]"
    static let discussion = """
        Generates docket-capture.service, a oneshot service that runs `docket capture` as a
        dynamic user with the store and the metrics file in its state directory
        (/var/lib/docket), and docket-capture.timer, which starts it on schedule. The service
        reads the Heroku token through LoadCredential= from --token-file, which root alone
        should be able to read. Without --output-dir both units go to stdout, each after a
        `# NAME` line.

        As systemd sees it, only exit 0 is a success. Exit 5 (transient) is retried after 15
        minutes, at most 3 times. Exit 3 (incomplete: a snapshot was recorded but some listings
        were not read) fails the unit without a retry, as does every other code, because a
        person has to look. Change the units with `systemctl edit docket-capture.service`
        rather than by editing the generated files.
        """
    static let options = [
        OptionSpec("on-calendar", value: "SPEC", help: "when the timer starts a capture, as systemd.time(7) reads it (default: daily)"),
        OptionSpec("randomized-delay", value: "DURATION", help: "random delay added to each start, such as 30m (default: 30m)"),
        OptionSpec("timeout", value: "DURATION", help: "how long one capture may run before systemd stops it (default: 2h)"),
        OptionSpec("binary", value: "PATH", help: "the docket executable the service runs (default: this one)"),
        OptionSpec("token-file", value: "FILE", help: "the file LoadCredential= reads the token from (default: /etc/docket/heroku-token)"),
        OptionSpec("metrics-file", value: "FILE", help: "where the capture writes metrics (default: docket.prom in the state directory)"),
        OptionSpec("output-dir", value: "DIR", help: "write both units into DIR, such as /etc/systemd/system, instead of stdout"),
    ]
    static let exitCodes: [(Int32, String)] = [(2, "a unit file cannot be written")]

    static func run(_ context: CommandContext) throws -> Int32 {
        _ = try context.positionals(minimum: 0, maximum: 0)
        let units = try ServiceUnits(configuration(context))
        warnAboutPaths(units.configuration, explicitBinary: context.arguments.value("binary") != nil, console: context.console)

        guard let folder = context.arguments.value("output-dir") else {
            printUnits(units, context: context)
            return ExitStatus.success
        }
        for file in units.files {
            let path = (folder as NSString).appendingPathComponent(file.name)
            try AtomicFile.write(Array(file.contents.utf8), to: path, mode: 0o644, purpose: "the unit file")
            context.console.info("wrote \(path)")
        }
        context.console.info(
            "next: systemctl daemon-reload && systemctl enable --now \(ServiceUnits.timerName); first run: systemctl start \(ServiceUnits.serviceName)")
        return ExitStatus.success
    }

    private static func configuration(_ context: CommandContext) throws -> ServiceUnits.Configuration {
        let arguments = context.arguments
        if arguments.value("store") != nil {
            throw UsageError(
                "--store does not apply to `docket systemd`: the service keeps its store in its state directory, /var/lib/docket/store.sqlite. Run `docket status --store /var/lib/docket/store.sqlite` to read it.",
                command: name)
        }
        var configuration = ServiceUnits.Configuration(binary: try arguments.value("binary") ?? runningExecutable())
        configuration.onCalendar = arguments.value("on-calendar") ?? configuration.onCalendar
        if let spec = arguments.value("on-calendar") {
            try validateCalendar(spec, console: context.console)
        }
        configuration.randomizedDelaySeconds =
            try arguments.duration("randomized-delay", command: name) ?? configuration.randomizedDelaySeconds
        configuration.timeoutSeconds = try arguments.duration("timeout", command: name) ?? configuration.timeoutSeconds
        configuration.tokenFile = arguments.value("token-file") ?? configuration.tokenFile
        configuration.metricsFile = arguments.value("metrics-file")
        return configuration
    }

    /// Checks `spec` with `systemd-analyze calendar` when systemd's tools are installed, so a
    /// typo fails here rather than when the timer is loaded. Without the tool, only the
    /// library's syntax check applies.
    static func validateCalendar(_ spec: String, console: Console) throws {
        let tool = "/usr/bin/systemd-analyze"
        guard FileManager.default.isExecutableFile(atPath: tool) else {
            console.detail("systemd-analyze is not installed; --on-calendar \"\(spec)\" was not checked")
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["calendar", spec]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw UsageError(
                "invalid calendar expression \"\(spec)\" for --on-calendar: systemd-analyze calendar rejects it. Use a form such as daily, hourly or \"*-*-* 04:00:00\".",
                command: name)
        }
    }

    /// Finds the real path of this executable through `/proc/self/exe`.
    private static func runningExecutable() throws -> String {
        guard let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else {
            throw UsageError("cannot find the path of this docket executable. Pass --binary with the absolute path of docket.", command: name)
        }
        return path
    }

    /// Warns about paths the sandboxed service cannot reach; the units are still written.
    private static func warnAboutPaths(_ configuration: ServiceUnits.Configuration, explicitBinary: Bool, console: Console) {
        let binary = configuration.binary
        let hiddenFolders = ["/home/", "/root/", "/run/user/", "/tmp/", "/var/tmp/"]
        if let folder = hiddenFolders.first(where: { binary.hasPrefix($0) }) {
            console.warning(
                "the service cannot run \(binary): ProtectHome= and PrivateTmp= hide \(folder) from it. Install docket to /usr/local/bin and pass --binary /usr/local/bin/docket.")
        } else if explicitBinary, access(binary, X_OK) != 0 {
            console.warning("\(binary) is not an executable file yet; the service fails with status 203/EXEC until it is.")
        }
        if access(configuration.tokenFile, F_OK) != 0 {
            console.warning(
                "the token file \(configuration.tokenFile) does not exist yet; create it (mode 0600, owner root) before the first run, or the service fails with status 243/CREDENTIALS.")
        }
    }

    private static func printUnits(_ units: ServiceUnits, context: CommandContext) {
        if context.wantsJSON {
            let files = Dictionary(uniqueKeysWithValues: units.files.map { ($0.name, JSONValue.string($0.contents)) })
            context.console.outputRaw(PrettyJSON.encode(.object(files)))
            return
        }
        for (index, file) in units.files.enumerated() {
            if index > 0 { context.console.output("") }
            context.console.output("# \(file.name)")
            context.console.outputRaw(file.contents)
        }
    }
}
