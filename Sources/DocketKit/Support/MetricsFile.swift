import Foundation

/// The figures of one capture run that `--metrics-file` publishes to Prometheus.
///
/// Timestamps are the start of a run, which is also the capture time of the snapshot it
/// recorded, in seconds since 1970 (UTC).
public struct CaptureMetrics: Sendable, Equatable {
    /// Start of the run these figures describe.
    public var lastRunTimestamp: Int64
    /// Start of the last run that ended complete (exit 0), this one or an earlier one; nil
    /// when no run has succeeded yet. Read it from the run ledger, so that a failed run
    /// keeps the previous value.
    public var lastSuccessTimestamp: Int64?
    public var lastExitCode: Int
    /// Wall-clock length of the run, in seconds.
    public var durationSeconds: Double
    /// Resources per kind in the snapshot the run recorded; empty when it recorded none.
    public var resourcesByKind: [String: Int]
    /// HTTP requests the run sent, retries included.
    public var requests: Int
    public var retries: Int
    /// Responses with status 429 (rate limited).
    public var rateLimited: Int
    /// Heroku's `RateLimit-Remaining` after the last response; nil when no response arrived.
    public var rateLimitRemaining: Int?
    /// Whether the recorded snapshot's content differs from its parent's; nil when the run
    /// recorded no snapshot.
    public var snapshotChanged: Bool?
    /// Controls failing on the recorded snapshot; nil until controls are evaluated.
    public var failingControls: Int?

    public init(
        lastRunTimestamp: Int64, lastSuccessTimestamp: Int64?, lastExitCode: Int, durationSeconds: Double,
        resourcesByKind: [String: Int] = [:], requests: Int = 0, retries: Int = 0, rateLimited: Int = 0,
        rateLimitRemaining: Int? = nil, snapshotChanged: Bool? = nil, failingControls: Int? = nil
    ) {
        self.lastRunTimestamp = lastRunTimestamp
        self.lastSuccessTimestamp = lastSuccessTimestamp
        self.lastExitCode = lastExitCode
        self.durationSeconds = durationSeconds
        self.resourcesByKind = resourcesByKind
        self.requests = requests
        self.retries = retries
        self.rateLimited = rateLimited
        self.rateLimitRemaining = rateLimitRemaining
        self.snapshotChanged = snapshotChanged
        self.failingControls = failingControls
    }

    /// Collects the figures of a finished run from the run ledger and its snapshot.
    ///
    /// The last success comes from the ledger, so a failed run keeps the previous one. The
    /// duration is whole seconds between the recorded start and end; pass `durationSeconds`
    /// when a finer measure is at hand.
    /// - Throws: `StoreError` when the store cannot be read.
    public static func finishedRun(_ run: RunRecord, in store: SnapshotStore, durationSeconds: Double? = nil) throws -> CaptureMetrics {
        let startedAt = Timestamp.parse(run.startedAt) ?? Date(timeIntervalSince1970: 0)
        let endedAt = run.endedAt.flatMap(Timestamp.parse) ?? startedAt
        var metrics = CaptureMetrics(
            lastRunTimestamp: Int64(startedAt.timeIntervalSince1970),
            lastSuccessTimestamp: try store.lastSuccessfulRun().flatMap { Timestamp.parse($0.startedAt) }
                .map { Int64($0.timeIntervalSince1970) },
            lastExitCode: run.exitCode ?? 2,
            durationSeconds: durationSeconds ?? endedAt.timeIntervalSince(startedAt),
            requests: run.requests, retries: run.retries, rateLimited: run.rateLimited,
            rateLimitRemaining: run.rateLimitAtEnd)
        if let digest = run.snapshotDigest, let snapshot = try store.snapshot(digest: digest) {
            for entry in try store.entries(of: snapshot) {
                metrics.resourcesByKind[entry.kind, default: 0] += 1
            }
            metrics.snapshotChanged = try store.parent(of: snapshot).map { $0.treeDigest != snapshot.treeDigest } ?? true
        }
        return metrics
    }

    /// Collects the figures of a capture that ended before it recorded a run, such as one
    /// that found the store locked (exit 11) or no token (exit 4). The last success still
    /// comes from the run ledger when the store at `storePath` can be read; an unreadable or
    /// missing store leaves it nil.
    public static func unrecordedRun(startedAt: Date, exitCode: Int, durationSeconds: Double, storePath: String) -> CaptureMetrics {
        let store = try? SnapshotStore(path: storePath, readOnly: true)
        let lastSuccess = (try? store?.lastSuccessfulRun()).flatMap { $0 }
        return CaptureMetrics(
            lastRunTimestamp: Int64(startedAt.timeIntervalSince1970),
            lastSuccessTimestamp: lastSuccess.flatMap { Timestamp.parse($0.startedAt) }.map { Int64($0.timeIntervalSince1970) },
            lastExitCode: exitCode, durationSeconds: durationSeconds)
    }
}

/// A node_exporter textfile-collector file: Prometheus text exposition format 0.0.4, written
/// so that a reader sees either the old file or the new one, never a partial file.
public enum MetricsFile {
    /// One series as documented in `docs/service.md`: its name, type and help text.
    public struct Series: Sendable {
        public let name: String
        public let type: String
        public let help: String
    }

    /// Every series Docket writes; a series whose value is unknown is left out of the file.
    public static let series: [Series] = [
        Series(name: "docket_info", type: "gauge", help: "Version of the Docket that wrote this file, as a label; always 1."),
        Series(name: "docket_last_run_timestamp_seconds", type: "gauge", help: "Start of the last capture run, in seconds since 1970."),
        Series(name: "docket_last_success_timestamp_seconds", type: "gauge", help: "Start of the last capture run that ended complete (exit 0), in seconds since 1970."),
        Series(name: "docket_last_run_exit_code", type: "gauge", help: "Exit code of the last capture run: 0 complete, 3 incomplete, 4 authentication, 5 transient, 11 locked."),
        Series(name: "docket_last_run_duration_seconds", type: "gauge", help: "Wall-clock length of the last capture run."),
        Series(name: "docket_last_run_requests", type: "gauge", help: "HTTP requests the last capture run sent, retries included."),
        Series(name: "docket_last_run_retries", type: "gauge", help: "Requests the last capture run retried."),
        Series(name: "docket_last_run_rate_limited", type: "gauge", help: "Responses with status 429 in the last capture run."),
        Series(name: "docket_rate_limit_remaining", type: "gauge", help: "Heroku API request budget left after the last capture run (RateLimit-Remaining)."),
        Series(name: "docket_snapshot_resources", type: "gauge", help: "Resources per kind in the snapshot the last capture run recorded."),
        Series(name: "docket_snapshot_changed", type: "gauge", help: "1 when the snapshot the last capture run recorded differs from its parent, else 0."),
        Series(name: "docket_failing_controls", type: "gauge", help: "Controls failing on the snapshot the last capture run recorded."),
    ]

    /// Renders the file's text for `metrics`.
    public static func render(_ metrics: CaptureMetrics) -> String {
        var samples: [String: [(labels: [(String, String)], value: String)]] = [:]
        func add(_ name: String, _ value: String, labels: [(String, String)] = []) {
            samples[name, default: []].append((labels, value))
        }
        add("docket_info", "1", labels: [("version", DocketVersion.current)])
        add("docket_last_run_timestamp_seconds", String(metrics.lastRunTimestamp))
        if let success = metrics.lastSuccessTimestamp {
            add("docket_last_success_timestamp_seconds", String(success))
        }
        add("docket_last_run_exit_code", String(metrics.lastExitCode))
        add("docket_last_run_duration_seconds", formatValue(metrics.durationSeconds))
        add("docket_last_run_requests", String(metrics.requests))
        add("docket_last_run_retries", String(metrics.retries))
        add("docket_last_run_rate_limited", String(metrics.rateLimited))
        if let remaining = metrics.rateLimitRemaining {
            add("docket_rate_limit_remaining", String(remaining))
        }
        for (kind, count) in metrics.resourcesByKind.sorted(by: { $0.key < $1.key }) {
            add("docket_snapshot_resources", String(count), labels: [("kind", kind)])
        }
        if let changed = metrics.snapshotChanged {
            add("docket_snapshot_changed", changed ? "1" : "0")
        }
        if let failing = metrics.failingControls {
            add("docket_failing_controls", String(failing))
        }

        var text = ""
        for series in series {
            guard let lines = samples[series.name] else { continue }
            text += "# HELP \(series.name) \(escapeHelp(series.help))\n"
            text += "# TYPE \(series.name) \(series.type)\n"
            for sample in lines {
                text += series.name + formatLabels(sample.labels) + " " + sample.value + "\n"
            }
        }
        return text
    }

    /// Writes `metrics` to `path` with mode 0644 so that node_exporter can read it. The
    /// temporary file `AtomicFile` writes first does not end in `.prom`, so the textfile
    /// collector never reads a partial file.
    /// - Throws: `DocketError` (category `.failure`) naming the path and the system's reason.
    public static func write(_ metrics: CaptureMetrics, to path: String) throws {
        try AtomicFile.write(Array(render(metrics).utf8), to: path, mode: 0o644, purpose: "the metrics file")
    }

    // MARK: - Exposition syntax

    /// `{name="value",...}` with the label values escaped as the text format requires:
    /// backslash, double quote and line feed.
    static func formatLabels(_ labels: [(String, String)]) -> String {
        guard !labels.isEmpty else { return "" }
        let pairs = labels.map { name, value in
            let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n")
            return "\(name)=\"\(escaped)\""
        }
        return "{" + pairs.joined(separator: ",") + "}"
    }

    /// HELP text escapes backslash and line feed only.
    static func escapeHelp(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Formats a sample value as Go's `strconv.ParseFloat` reads it: `+Inf`, `-Inf` and `NaN` spelled
    /// as Prometheus spells them, whole numbers without a fraction.
    static func formatValue(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
