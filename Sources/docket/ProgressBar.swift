import DocketKit
import Foundation

/// Progress of a long command, one phase at a time, on stderr.
///
/// On a terminal (stderr is a TTY and `TERM` is not `dumb`) it draws one line, redrawn at
/// most ten times a second. The line shows the phase, a bar when the total is known, done
/// and total, the rate and the time left. Anywhere else, such as under systemd where stderr goes
/// to the journal, it draws nothing and writes one plain line per phase when the phase ends.
/// Both forms end a phase with the same line, and `--quiet` hides them.
///
/// Call `start(phase:total:)`, then `advance(by:)` as work completes (from any thread),
/// then `finish()`. Starting a phase finishes the one before it.
final class ProgressBar: @unchecked Sendable {
    private let console: Console
    private let isDrawing: Bool
    private let lock = NSLock()

    private var phase: String?
    private var total: Int?
    private var done = 0
    private var startedAt: UInt64 = 0
    private var lastDrawnAt: UInt64 = 0
    private var isLineDrawn = false

    /// Redraws closer together than this are skipped, so a fast phase costs no terminal time.
    private static let redrawInterval: UInt64 = 100_000_000

    init(console: Console, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.console = console
        isDrawing = console.isErrorTerminal && environment["TERM"] != "dumb" && console.verbosity != .quiet
    }

    /// Begins `phase` (such as "listing apps"), with `total` items when known.
    func start(phase: String, total: Int?) {
        finish()
        lock.lock()
        defer { lock.unlock() }
        self.phase = phase
        self.total = total
        done = 0
        startedAt = Self.now()
        lastDrawnAt = 0
        drawIfDue(force: true)
    }

    /// Counts `count` more items done in the current phase.
    func advance(by count: Int) {
        lock.lock()
        defer { lock.unlock() }
        guard phase != nil else { return }
        done += count
        drawIfDue(force: false)
    }

    /// Ends the current phase: clears the bar and writes the phase's summary line.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        guard let phase else { return }
        clearLine()
        let seconds = Double(Self.now() - startedAt) / 1e9
        var count = total.map { "\(done)/\($0) " } ?? "\(done) "
        if total == nil, done == 0 { count = "" }
        console.info("\(phase): \(count)done in \(HumanFormat.elapsed(seconds))")
        self.phase = nil
    }

    /// Writes a diagnostic line above the bar, so that it is not drawn over.
    func note(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        clearLine()
        console.info(text)
        drawIfDue(force: true)
    }

    // MARK: - Drawing

    private func drawIfDue(force: Bool) {
        guard isDrawing, let phase else { return }
        let now = Self.now()
        guard force || now - lastDrawnAt >= Self.redrawInterval else { return }
        lastDrawnAt = now
        console.rawError("\r" + Self.line(phase: phase, done: done, total: total, elapsed: Double(now - startedAt) / 1e9, width: Self.columns()) + "\u{1B}[K")
        isLineDrawn = true
    }

    private func clearLine() {
        guard isLineDrawn else { return }
        console.rawError("\r\u{1B}[K")
        isLineDrawn = false
    }

    /// Formats the bar's text, at most `width` characters: `phase [####....] 120/300 12.3/s 15s left`.
    static func line(phase: String, done: Int, total: Int?, elapsed: Double, width: Int) -> String {
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        var figures = total.map { "\(done)/\($0)" } ?? "\(done)"
        figures += String(format: " %.1f/s", rate)
        if let total, rate > 0, total > done {
            figures += " " + HumanFormat.duration(seconds: Int((Double(total - done) / rate).rounded(.up))) + " left"
        }

        let label = String(phase.prefix(max(0, width / 3)))
        let barWidth = width - label.count - figures.count - 5
        guard let total, total > 0, barWidth >= 10 else {
            return String((label + " " + figures).prefix(max(0, width - 1)))
        }
        let filled = min(barWidth, barWidth * done / total)
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: barWidth - filled)
        return "\(label) [\(bar)] \(figures)"
    }

    private static func now() -> UInt64 {
        DispatchTime.now().uptimeNanoseconds
    }

    /// Reads the terminal's width in columns from stderr's window size; 80 when unknown.
    private static func columns() -> Int {
        var size = winsize()
        let status = withUnsafeMutablePointer(to: &size) { ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), $0) }
        return status == 0 && size.ws_col > 0 ? Int(size.ws_col) : 80
    }
}

/// The capture pipeline reports its phases through `CaptureProgress`; each phase line reads
/// `capture apps: 8/8 done in 0.4s`.
extension ProgressBar: CaptureProgress {
    func beginPhase(_ name: String, total: Int?) {
        start(phase: "capture \(name)", total: total)
    }

    func advance() {
        advance(by: 1)
    }

    func endPhase() {
        finish()
    }
}
