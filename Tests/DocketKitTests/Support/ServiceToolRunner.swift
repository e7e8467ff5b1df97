import Foundation
import Testing

/// Runs the outside tools that check Docket's service files: `systemd-analyze` for units and
/// `promtool` for metrics. A missing tool fails the test with the package to install.
enum ServiceToolRunner {
    struct Result {
        let status: Int32
        let output: String
        let errorOutput: String
    }

    /// Finds the tool's absolute path in `PATH`; returns nil after recording an issue that names the
    /// Debian package to install.
    static func locate(_ tool: String, package: String, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for folder in folders + ["/usr/bin", "/usr/sbin"] {
            let candidate = "\(folder)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        Issue.record("\(tool) is not installed: install Debian's \(package) package (`make setup` does).", sourceLocation: sourceLocation)
        return nil
    }

    /// Runs `executable` with `arguments`, feeding `input` on stdin, and waits for it.
    static func run(_ executable: String, _ arguments: [String], input: String? = nil, environment: [String: String]? = nil) throws
        -> Result
    {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("docket-tool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let outputURL = folder.appendingPathComponent("stdout")
        let errorURL = folder.appendingPathComponent("stderr")
        let inputURL = folder.appendingPathComponent("stdin")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: inputURL.path, contents: Data((input ?? "").utf8))

        // Files rather than pipes, so that a tool writing a lot never blocks on a full pipe.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardInput = try FileHandle(forReadingFrom: inputURL)
        process.standardOutput = try FileHandle(forWritingTo: outputURL)
        process.standardError = try FileHandle(forWritingTo: errorURL)
        try process.run()
        process.waitUntilExit()

        return Result(
            status: process.terminationStatus, output: try String(contentsOf: outputURL, encoding: .utf8),
            errorOutput: try String(contentsOf: errorURL, encoding: .utf8))
    }
}
