import DocketKit
import Foundation

/// `docket capture`: one capture run, from token lookup to the summary line.
enum CaptureCommand: Command {
    static let name = "capture"
    static let summary = "capture the Heroku account into one snapshot"
    static let usage = "capture [--api-url URL] [--token-file FILE] [--metrics-file FILE] [options]"
    static let discussion = """
        Reads the account's metadata through the Heroku Platform API and the data APIs, removes
        secrets, and commits one snapshot to the store in one transaction. Every run is
        recorded in the run ledger, whatever its outcome (see `docket snapshots --runs`).

        The token is read from, first found: --token-file, $CREDENTIALS_DIRECTORY/heroku-token
        (systemd LoadCredential=), HEROKU_API_KEY, ~/.netrc (machine api.heroku.com). A token
        with the read scope is enough: heroku authorizations:create --scope read --short.

        A listing that cannot be read leaves its resources "not recorded" in an incomplete
        snapshot (exit 3); they are never reported as removed. A second capture while one is
        running exits 11; a capture killed mid-way is marked interrupted by the next one.
        """
    static let options = [
        OptionSpec("api-url", value: "URL", help: "Platform API base URL (default https://api.heroku.com)"),
        OptionSpec("data-api-url", value: "URL", help: "data API base URL for Postgres and Redis (default https://api.data.heroku.com)"),
        OptionSpec("token-file", value: "FILE", help: "read the Heroku token from FILE"),
        OptionSpec("metrics-file", value: "FILE", help: "write node_exporter textfile metrics to FILE, atomically"),
        OptionSpec("policy", value: "FILE", help: "the controls policy used to count failing controls in the metrics (default: built-in defaults)"),
        OptionSpec("concurrency", value: "N", help: "requests in flight at once (default 4)"),
        OptionSpec("min-rate-limit", value: "N", help: "never spend the RateLimit-Remaining budget below N; wait for refill instead (default 500)"),
        OptionSpec("rate-limit-refill", value: "PER_MINUTE", help: "the API's budget refill rate, used to size waits (default 75, Heroku's rate)"),
        OptionSpec("max-attempts", value: "N", help: "attempts per request for 429, 5xx and network errors (default 5)"),
        OptionSpec("retry-delay", value: "SECONDS", help: "first backoff delay for 5xx and network errors, doubled per attempt (default 1)"),
        OptionSpec("max-retry-time", value: "SECONDS", help: "maximum time one request may spend retrying, waits for the rate-limit budget included (default 900)"),
        OptionSpec("timeout", value: "SECONDS", help: "timeout of one HTTP request (default 30)"),
        OptionSpec("page-size", value: "N", help: "items per page in Range requests, 1 to 1000 (default 1000, Heroku's maximum)"),
    ]
    static let exitCodes: [(Int32, String)] = [
        (2, "a failure not listed below, or the store cannot be opened"),
        (3, "incomplete: a snapshot was recorded, but some listings could not be read"),
        (4, "authentication or permission failure (401, 403, no usable token): only the run was recorded"),
        (5, "transient failure (network, timeout, rate limit, 5xx after retries): only the run was recorded"),
        (11, "the store is locked by another capture"),
    ]

    static func run(_ context: CommandContext) throws -> Int32 {
        _ = try context.positionals(minimum: 0, maximum: 0)
        if let fixed = context.environment["DOCKET_NOW"], Timestamp.parse(fixed) == nil {
            throw UsageError("invalid DOCKET_NOW \"\(fixed)\": expected an ISO 8601 date-time such as 2026-03-25T06:00:00Z, or unset it.", command: name)
        }
        let configuration = try makeConfiguration(context)
        let metricsPath = context.arguments.value("metrics-file")
        if let metricsPath {
            try requireWritableFolder(of: metricsPath, option: "metrics-file")
        }
        let policyPath = context.arguments.value("policy")
        let policy = try policyPath.map(ControlPolicy.load(path:))
        let storePath = try resolvedStorePath(context)
        let started = Date()
        do {
            let credential = Result { try CredentialResolver.resolve(tokenFile: context.arguments.value("token-file"), environment: context.environment) }
                .mapError { $0 as? DocketError ?? DocketError(.authentication, "\($0)") }
            let request = CaptureRequest(configuration: configuration, credential: credential, storePath: storePath, environment: context.environment)
            let progress = ProgressBar(console: context.console, environment: context.environment)
            let source = (try? credential.get()).map(\.description) ?? "no token"
            context.console.detail("capture: store \(request.storePath), API \(configuration.apiURL.absoluteString), \(source)")
            let stopper = SignalStopper(storePath: storePath, metricsPath: metricsPath, console: context.console, environment: context.environment)
            let summary = try runBlocking { try await CaptureRunner.run(request, progress: progress, runStarted: { stopper.runID = $0 }) }
            stopper.disarm()
            report(summary, context: context)
            if let metricsPath {
                try writeMetrics(summary, storePath: storePath, policy: policy, policySource: policyPath, to: metricsPath, context: context)
            }
            guard let category = summary.failureCategory else { return ExitStatus.success }
            return ExitStatus.code(for: DocketError(category, summary.run.error ?? ""))
        } catch {
            // A capture that ended before it recorded a run still publishes its exit code, so
            // a locked store shows up in monitoring.
            if let metricsPath {
                let metrics = CaptureMetrics.unrecordedRun(
                    startedAt: Timestamp.now(environment: context.environment), exitCode: Int(ExitStatus.code(for: error)),
                    durationSeconds: Date().timeIntervalSince(started), storePath: storePath)
                try? MetricsFile.write(metrics, to: metricsPath)
            }
            throw error
        }
    }

    private static func requireWritableFolder(of path: String, option: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        let folderPath = folder.isEmpty ? "." : folder
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folderPath, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw UsageError("invalid value \"\(path)\" for --\(option): the folder \(folderPath) does not exist. Create it first.", command: name)
        }
        guard access(folderPath, W_OK) == 0 else {
            throw UsageError("invalid value \"\(path)\" for --\(option): the folder \(folderPath) is not writable.", command: name)
        }
    }

    /// Writes the run's metrics, with the number of controls failing on its snapshot.
    private static func writeMetrics(
        _ summary: CaptureSummary, storePath: String, policy: ControlPolicy?, policySource: String?, to path: String,
        context: CommandContext
    ) throws {
        let store = try SnapshotStore(path: storePath, readOnly: true)
        var metrics = try CaptureMetrics.finishedRun(summary.run, in: store, durationSeconds: summary.durationSeconds)
        if let snapshot = summary.snapshot {
            let evaluator = ControlEvaluator(
                store: store, policy: policy ?? .defaults, policySource: policySource ?? "defaults", timeReference: .snapshot)
            let report = try evaluator.evaluate(snapshot)
            metrics.failingControls = report.controlStatuses().filter { $0.status == .fail }.count
        }
        try MetricsFile.write(metrics, to: path)
        context.console.detail("capture: metrics written to \(path)")
    }

    private static func makeConfiguration(_ context: CommandContext) throws -> ClientConfiguration {
        let arguments = context.arguments
        let apiURL = try parseURL(arguments.value("api-url") ?? "https://api.heroku.com", option: "api-url")
        let dataURL = try parseURL(arguments.value("data-api-url") ?? "https://api.data.heroku.com", option: "data-api-url")
        var configuration = ClientConfiguration(apiURL: apiURL, dataAPIURL: dataURL)
        configuration.concurrency = try arguments.integer("concurrency", default: 4, command: name)
        configuration.minimumRateLimit = try arguments.integer("min-rate-limit", default: 500, minimum: 0, command: name)
        configuration.maximumAttempts = try arguments.integer("max-attempts", default: 5, command: name)
        configuration.pageSize = try arguments.integer("page-size", default: 1000, command: name)
        guard configuration.pageSize <= 1000 else {
            throw UsageError("invalid value \"\(configuration.pageSize)\" for --page-size: Heroku serves at most 1000 items per page.", command: name)
        }
        configuration.rateLimitRefillPerMinute = try seconds(context, "rate-limit-refill", default: 75)
        configuration.retryBaseDelay = try seconds(context, "retry-delay", default: 1)
        configuration.maximumRetryTime = try seconds(context, "max-retry-time", default: 900)
        configuration.requestTimeout = try seconds(context, "timeout", default: 30)
        return configuration
    }

    private static func parseURL(_ text: String, option: String) throws -> URL {
        do {
            return try ClientConfiguration.parseBaseURL(text, option: option)
        } catch let error as DocketError {
            throw UsageError(error.message, command: name)
        }
    }

    private static func seconds(_ context: CommandContext, _ option: String, default defaultValue: Double) throws -> Double {
        guard let text = context.arguments.value(option) else { return defaultValue }
        guard let value = Double(text), value > 0, value.isFinite else {
            throw UsageError("invalid value \"\(text)\" for --\(option): expected a positive number, such as 0.5 or 30.", command: name)
        }
        return value
    }

    /// Returns the store path, creating the default folder under XDG state on first use.
    private static func resolvedStorePath(_ context: CommandContext) throws -> String {
        if let explicit = context.arguments.value("store") { return explicit }
        let (path, isImplicitFolder) = SnapshotStore.defaultPath(environment: context.environment)
        if isImplicitFolder {
            let folder = (path as NSString).deletingLastPathComponent
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        return path
    }

    /// Returns one warning per failed listing and reason, naming the apps, teams or add-ons it
    /// failed for, instead of one line per parent.
    static func notRecordedLines(_ listings: [NotRecordedListing]) -> [String] {
        var groups: [String: [NotRecordedListing]] = [:]
        var order: [String] = []
        for listing in listings {
            let key = "\(listing.kind)|\(listing.listing)|\(listing.error)"
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(listing)
        }
        return order.map { key in
            let members = groups[key]!
            let first = members[0]
            let parents = members.compactMap { $0.parentName ?? $0.parentKey }.sorted()
            let scope: String
            if parents.isEmpty {
                scope = ""
            } else if parents.count <= 5 {
                scope = " for " + parents.joined(separator: ", ")
            } else {
                scope = " for \(parents.count) parents (" + parents.prefix(3).joined(separator: ", ") + ", ...)"
            }
            return "not recorded: \(first.kind)\(scope): \(first.listing): \(first.error)"
        }
    }

    private static func report(_ summary: CaptureSummary, context: CommandContext) {
        let console = context.console
        if let schema = summary.upgradedFromSchema {
            console.warning(
                "upgraded the store \(context.storePath) from schema \(schema) to \(SnapshotStore.schemaVersion): an older Docket can no longer open it; to go back to one, restore a copy of the store taken before this capture")
        }
        for id in summary.interruptedRuns {
            console.warning("run \(id) was interrupted before it finished; it is marked interrupted in the run ledger")
        }
        let run = summary.run
        let figures = "\(run.requests) requests, \(run.retries) retries, \(run.rateLimited) rate-limited, \(String(format: "%.1f", summary.durationSeconds)) s"
        let line: String
        if let snapshot = summary.snapshot {
            let changed = summary.snapshotChanged == true ? "changed" : "unchanged"
            line = "capture \(run.outcome.rawValue): snapshot \(snapshot.shortDigest) (\(snapshot.resourceCount) resources, \(changed), \(snapshot.notRecorded.count) listings not read), \(figures)"
        } else {
            line = "capture \(run.outcome.rawValue): no snapshot recorded, \(figures)"
        }
        if context.wantsJSON {
            var report = JSONReports.run(run).objectValue ?? [:]
            report["snapshot_changed"] = summary.snapshotChanged.map { .bool($0) } ?? .null
            report["resources_by_kind"] = .object(summary.resourcesByKind.mapValues { .number(Double($0)) })
            report["rate_limit_lowest"] = summary.lowestRateLimit.map { .number(Double($0)) } ?? .null
            report["paced_seconds"] = .number((summary.pacedSeconds * 10).rounded() / 10)
            console.outputRaw(PrettyJSON.encode(.object(report)))
        }
        if summary.failureCategory == nil || summary.failureCategory == .incomplete {
            console.info(line)
            for line in notRecordedLines(summary.snapshot?.notRecorded ?? []) {
                console.warning(line)
            }
        } else {
            console.error(line + ": " + (run.error ?? "unknown error"))
        }
    }
}
