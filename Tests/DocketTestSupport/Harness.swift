import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Paths of the repository, the built binary and the fixtures.
public enum Repository {
    public static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    public static var docket: String { root.appendingPathComponent(".build/debug/docket").path }
    public static var sample: String { root.appendingPathComponent("Fixtures/sample").path }
    public static var token: String { sample + "/token" }
    public static var tokenValue: String {
        (try? String(contentsOfFile: token, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }

    /// The Python that runs the fake API and the independent checkers: `DOCKET_PYTHON`
    /// (set by `make test` to the project's virtual environment), else `python3`.
    public static var python: String { ProcessInfo.processInfo.environment["DOCKET_PYTHON"] ?? "/usr/bin/env" }
    public static var pythonArguments: [String] { ProcessInfo.processInfo.environment["DOCKET_PYTHON"] == nil ? ["python3"] : [] }

    /// The folder under which this test process makes its scratch folders. It is removed when
    /// the process exits, so test runs leave nothing in the temporary folder.
    public static let scratchRoot: URL = {
        let url = scratchRootPath(of: getpid())
        try? FileManager.default.removeItem(at: url)
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit {
            try? FileManager.default.removeItem(at: Repository.scratchRootPath(of: getpid()))
        }
        return url
    }()

    private static func scratchRootPath(of process: pid_t) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("docket-tests-\(process)")
    }

    /// Creates a fresh, empty folder for one test, named `<prefix>-<UUID>` under `scratchRoot`.
    public static func temporaryDirectory(prefix: String = "docket-e2e") -> URL {
        let url = scratchRoot.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// The result of one run of the `docket` binary.
public struct CommandResult {
    public let status: Int32
    public let stdout: String
    public let stderr: String

    public var json: Any? { try? JSONSerialization.jsonObject(with: Data(stdout.utf8)) }
}

/// Runs the built `docket` binary with `arguments`, waiting for it to exit.
@discardableResult
public func docket(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandResult {
    try startDocket(arguments, environment: environment).wait()
}

/// A child process started with posix_spawn, its output collected to files.
///
/// Foundation's `Process.waitUntilExit` can hang on Linux when tests run concurrently, so
/// the harness spawns and reaps children itself with `posix_spawn` and `waitpid`.
public final class ChildProcess {
    public let pid: pid_t
    private let stdoutPath: String
    private let stderrPath: String
    private var exitStatus: Int32?
    /// A folder removed once the output has been read, such as the child's scratch HOME.
    var scratchFolder: String?

    public init(executable: String, arguments: [String], environment: [String: String], stdoutPath: String, stderrPath: String) throws {
        self.stdoutPath = stdoutPath
        self.stderrPath = stderrPath
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        // Test threads may block signals; the child starts with an empty mask and default
        // handlers, so that SIGTERM stops the fake API.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGPIPE, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let code = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard code == 0 else {
            throw NSError(domain: NSPOSIXErrorDomain, code: Int(code), userInfo: [NSLocalizedDescriptionKey: "cannot start \(executable)"])
        }
        self.pid = pid
    }

    deinit {
        if exitStatus == nil {
            kill(pid, SIGKILL)
            _ = waitStatus()
        }
    }

    /// Waits for the child to exit and returns its exit status (128 + signal when killed).
    @discardableResult
    public func waitStatus() -> Int32 {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        exitStatus = code
        return code
    }

    public func wait() -> CommandResult {
        let status = waitStatus()
        let out = (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        if let scratchFolder {
            try? FileManager.default.removeItem(atPath: scratchFolder)
        }
        return CommandResult(status: status, stdout: out, stderr: err)
    }
}

/// The environment of a child: this process's, without any Heroku token or store setting,
/// with a fresh HOME, plus `extra`.
public func childEnvironment(_ extra: [String: String], home: String) -> [String: String] {
    var base = ProcessInfo.processInfo.environment
    for name in ["HEROKU_API_KEY", "CREDENTIALS_DIRECTORY", "DOCKET_STORE", "STATE_DIRECTORY", "DOCKET_NOW"] {
        base.removeValue(forKey: name)
    }
    base["HOME"] = home
    return base.merging(extra) { _, new in new }
}

public func startDocket(_ arguments: [String], environment: [String: String] = [:]) throws -> ChildProcess {
    let folder = Repository.temporaryDirectory()
    let child = try ChildProcess(
        executable: Repository.docket, arguments: arguments, environment: childEnvironment(environment, home: folder.path),
        stdoutPath: folder.appendingPathComponent("stdout").path, stderrPath: folder.appendingPathComponent("stderr").path)
    child.scratchFolder = folder.path
    return child
}

/// The project's fake Heroku API, started on 127.0.0.1 with an ephemeral port for one test
/// and stopped when released.
public final class FakeHeroku {
    public let process: ChildProcess
    public let url: String
    private let folder: String

    public init(day: Int = 1, data: String = Repository.sample, extraArguments: [String] = []) throws {
        let scratch = Repository.temporaryDirectory()
        folder = scratch.path
        let portFile = scratch.appendingPathComponent("port").path
        process = try ChildProcess(
            executable: Repository.python,
            arguments: Repository.pythonArguments + [
                Repository.root.appendingPathComponent("Fixtures/fake_heroku.py").path, "--data", data, "--day", String(day),
                "--port", "0", "--port-file", portFile,
            ] + extraArguments,
            environment: ProcessInfo.processInfo.environment, stdoutPath: scratch.appendingPathComponent("fake.out").path,
            stderrPath: scratch.appendingPathComponent("fake.err").path)
        var port: String?
        for _ in 0..<300 {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8),
                !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            {
                port = text.trimmingCharacters(in: .whitespacesAndNewlines)
                break
            }
            usleep(50_000)
        }
        guard let port else {
            throw FakeError.didNotStart
        }
        url = "http://127.0.0.1:\(port)"
    }

    public enum FakeError: Error {
        case didNotStart
        case requestFailed(String)
    }

    deinit {
        kill(process.pid, SIGTERM)
        process.waitStatus()
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Changes the fake's day, rate limit or faults through its control API.
    public func configure(_ settings: [String: Any]) throws {
        _ = try control("PUT", "/_fake/config", body: settings)
    }

    /// The fake's request counters: total, per path, and the most requests in flight at once.
    public func stats() throws -> [String: Any] {
        try control("GET", "/_fake/stats", body: nil)
    }

    private func control(_ method: String, _ path: String, body: [String: Any]?) throws -> [String: Any] {
        var request = URLRequest(url: URL(string: url + path)!)
        request.httpMethod = method
        if let body {
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let semaphore = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Result<Data, Error> = .failure(FakeError.requestFailed("no answer"))
        URLSession.shared.dataTask(with: request) { data, _, error in
            result = error.map { .failure($0) } ?? .success(data ?? Data())
            semaphore.signal()
        }.resume()
        semaphore.wait()
        let data = try result.get()
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }

    /// Arguments that point a capture at this fake with the fixture token.
    public func captureArguments(store: String) -> [String] {
        ["capture", "--store", store, "--api-url", url, "--data-api-url", url, "--token-file", Repository.token]
    }
}
