import DocketTestSupport
import Foundation
import Testing

/// Runs the independent tools the bundle tests read bundles with (GNU tar, bsdtar,
/// sha256sum, ssh-keygen, Python's bagit). A missing tool fails the test with the package to
/// install; it never passes silently.
enum ToolRunner {
    struct Result {
        let status: Int32
        let output: String
        let errorOutput: String

        var combined: String { output + errorOutput }
    }

    /// Runs `arguments[0]` (found on PATH) in `folder`, with `environment` added and `input`
    /// (a file) as standard input. It spawns through the shared harness's `ChildProcess`, as
    /// Foundation's `Process` can hang when tests start children concurrently.
    @discardableResult
    static func run(_ arguments: [String], in folder: URL? = nil, environment: [String: String] = [:], input: URL? = nil) throws -> Result {
        var script = "exec \"$@\""
        var extra = environment
        if let input {
            script += " < \"$TOOL_INPUT\""
            extra["TOOL_INPUT"] = input.path
        }
        if let folder {
            script = "cd \"$TOOL_FOLDER\" && " + script
            extra["TOOL_FOLDER"] = folder.path
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let child = try ChildProcess(
            executable: "/bin/sh", arguments: ["-c", script, "sh"] + arguments,
            environment: ProcessInfo.processInfo.environment.merging(extra) { _, new in new },
            stdoutPath: scratch.appendingPathComponent("out").path, stderrPath: scratch.appendingPathComponent("err").path)
        let result = child.wait()
        return Result(status: result.status, output: result.stdout, errorOutput: result.stderr)
    }

    /// Fails the test unless `program` is on PATH.
    static func require(_ program: String, package: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let found = try run(["sh", "-c", "command -v \(program)"])
        if found.status != 0 {
            Issue.record("\(program) is not installed; install the Debian package \(package) (make setup does).", sourceLocation: sourceLocation)
            throw ToolMissing(program: program)
        }
    }

    /// Returns the Python with the `bagit` package: `DOCKET_PYTHON` (set by `make test`), else
    /// the repository's `.venv`.
    static func python(sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let candidates: [String?] = [ProcessInfo.processInfo.environment["DOCKET_PYTHON"], TestPaths.repository.appendingPathComponent(".venv/bin/python").path]
        for candidate in candidates.compactMap({ $0 }) where FileManager.default.isExecutableFile(atPath: candidate) {
            if try run([candidate, "-c", "import bagit"]).status == 0 { return candidate }
        }
        Issue.record("no Python with the bagit package: run `make setup`, or set DOCKET_PYTHON to a Python that has bagit from PyPI.", sourceLocation: sourceLocation)
        throw ToolMissing(program: "python3 with bagit")
    }

    struct ToolMissing: Error {
        let program: String
    }
}
