import DocketKit
import Foundation

/// Records a capture stopped by SIGTERM (what systemd sends at `TimeoutStartSec`) or SIGINT:
/// the run is marked interrupted in the ledger with the signal's name, the metrics file gets
/// the exit code, one line goes to stderr, and the process exits 128 plus the signal number.
/// A snapshot being committed when the signal arrives is either fully in the store or not
/// at all, because the commit is one SQLite transaction.
final class SignalStopper: @unchecked Sendable {
    private let lock = NSLock()
    private var currentRunID: Int64?
    private var sources: [DispatchSourceSignal] = []
    private let storePath: String
    private let metricsPath: String?
    private let console: Console
    private let environment: [String: String]

    var runID: Int64? {
        get { lock.withLock { currentRunID } }
        set { lock.withLock { currentRunID = newValue } }
    }

    init(storePath: String, metricsPath: String?, console: Console, environment: [String: String]) {
        self.storePath = storePath
        self.metricsPath = metricsPath
        self.console = console
        self.environment = environment
        for (number, name) in [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.stop(signal: number, name: name) }
            source.resume()
            sources.append(source)
        }
    }

    /// Restores the default handlers once the run has ended normally.
    func disarm() {
        for source in sources { source.cancel() }
        signal(SIGTERM, SIG_DFL)
        signal(SIGINT, SIG_DFL)
    }

    private func stop(signal number: Int32, name: String) {
        let exitCode = 128 + Int(number)
        let endedAt = Timestamp.format(Timestamp.now(environment: environment))
        var marked = false
        if let runID, let store = try? SnapshotStore(path: storePath) {
            marked = (try? store.markRunStopped(
                id: runID, endedAt: endedAt, exitCode: exitCode, reason: "stopped by \(name) before the run finished")) ?? false
        }
        if let metricsPath {
            let metrics = CaptureMetrics.unrecordedRun(
                startedAt: Timestamp.now(environment: environment), exitCode: exitCode, durationSeconds: 0, storePath: storePath)
            try? MetricsFile.write(metrics, to: metricsPath)
        }
        let ledger = marked ? "run \(runID ?? 0) is marked interrupted in the run ledger" : "no run was recorded"
        console.error("capture stopped by \(name): \(ledger). The next capture runs as usual.")
        exit(Int32(exitCode))
    }
}
