import Foundation

/// Where a command writes: results to stdout, diagnostics to stderr, at the chosen verbosity.
/// Colour and progress bars appear only when stderr is a terminal.
final class Console: @unchecked Sendable {
    enum Verbosity: Int {
        case quiet, normal, verbose
    }

    let verbosity: Verbosity
    let isErrorTerminal: Bool
    let isOutputTerminal: Bool
    private let lock = NSLock()

    init(verbosity: Verbosity) {
        self.verbosity = verbosity
        isErrorTerminal = isatty(STDERR_FILENO) == 1
        isOutputTerminal = isatty(STDOUT_FILENO) == 1
    }

    /// Writes a result line to stdout.
    func output(_ text: String) {
        write(text.hasSuffix("\n") ? text : text + "\n", to: STDOUT_FILENO)
    }

    /// Writes raw text to stdout, without adding a newline.
    func outputRaw(_ text: String) {
        write(text, to: STDOUT_FILENO)
    }

    /// A diagnostic on stderr, hidden by `--quiet`.
    func info(_ text: String) {
        guard verbosity != .quiet else { return }
        write(text + "\n", to: STDERR_FILENO)
    }

    /// A detail on stderr, shown with `--verbose`.
    func detail(_ text: String) {
        guard verbosity == .verbose else { return }
        write(text + "\n", to: STDERR_FILENO)
    }

    /// A warning on stderr, shown unless `--quiet`.
    func warning(_ text: String) {
        guard verbosity != .quiet else { return }
        write("docket: warning: \(text)\n", to: STDERR_FILENO)
    }

    /// An error on stderr, always shown.
    func error(_ text: String) {
        write("docket: error: \(text)\n", to: STDERR_FILENO)
    }

    /// Writes to stderr as is; for progress bars, which manage their own line.
    func rawError(_ text: String) {
        write(text, to: STDERR_FILENO)
    }

    private func write(_ text: String, to descriptor: Int32) {
        lock.lock()
        defer { lock.unlock() }
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            bytes = bytes.dropFirst(written)
        }
    }
}
