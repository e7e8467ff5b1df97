import Foundation

/// Runs a program found on `PATH`, such as `ssh-keygen`, and collects its exit status and
/// output.
///
/// It spawns with `posix_spawnp` and reaps with `waitpid` rather than Foundation's `Process`,
/// whose `waitUntilExit` can hang on Linux when several threads start children at once (as
/// the tests do). The child starts with an empty signal mask. Output goes through temporary
/// files, so a chatty program cannot fill a pipe and block.
enum ExternalTool {
    struct Result {
        let status: Int32
        let output: String
        let errorOutput: String
    }

    /// Runs `program` with `arguments` and waits for it. `input` (a file) becomes its standard
    /// input; without it the program inherits Docket's, so `ssh-keygen` can ask for a key's
    /// passphrase on the terminal.
    /// - Throws: `DocketError` (failure) when the program is not installed or cannot start.
    static func run(_ program: String, _ arguments: [String], input: URL? = nil, installHint: String) throws -> Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("docket-tool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let outputPath = folder.appendingPathComponent("stdout").path
        let errorPath = folder.appendingPathComponent("stderr").path

        let pid = try spawn(program, arguments, input: input?.path, outputPath: outputPath, errorPath: errorPath, installHint: installHint)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // A child ended by a signal reports 128 plus the signal, as shells do.
        let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Result(
            status: exitStatus,
            output: (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "",
            errorOutput: (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "")
    }

    private static func spawn(
        _ program: String, _ arguments: [String], input: String?, outputPath: String, errorPath: String, installHint: String
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let input {
            posix_spawn_file_actions_addopen(&actions, 0, input, O_RDONLY, 0)
        }
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))

        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let code = posix_spawnp(&pid, program, &actions, &attributes, argv, environ)
        guard code == 0 else {
            if code == ENOENT {
                throw DocketError(.failure, "\(program) was not found on PATH. \(installHint)")
            }
            throw DocketError(.failure, "cannot start \(program): \(String(cString: strerror(code))). \(installHint)")
        }
        return pid
    }
}
