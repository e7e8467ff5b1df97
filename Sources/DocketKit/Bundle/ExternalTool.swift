import Foundation

/// Runs a program found on `PATH`, such as `ssh-keygen`, and collects its exit status and
/// output. Output goes through temporary files, so a chatty program cannot fill a pipe and
/// block.
enum ExternalTool {
    struct Result {
        let status: Int32
        let output: String
        let errorOutput: String
    }

    /// Runs `program` with `arguments`; `input` (a file) becomes its standard input, else it
    /// inherits Docket's (so `ssh-keygen` can ask for a key's passphrase on the terminal).
    /// - Throws: `DocketError` (failure) when the program cannot be started or is not installed.
    static func run(_ program: String, _ arguments: [String], input: URL? = nil, installHint: String) throws -> Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("docket-tool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let outputURL = folder.appendingPathComponent("stdout")
        let errorURL = folder.appendingPathComponent("stderr")
        guard FileManager.default.createFile(atPath: outputURL.path, contents: nil),
            FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        else {
            throw DocketError(.failure, "cannot create temporary files in \(folder.path) to run \(program); check that the temporary folder is writable")
        }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program] + arguments
        process.standardOutput = try FileHandle(forWritingTo: outputURL)
        process.standardError = try FileHandle(forWritingTo: errorURL)
        if let input {
            process.standardInput = try FileHandle(forReadingFrom: input)
        }
        do {
            try process.run()
        } catch {
            throw DocketError(.failure, "cannot start \(program): \(error). \(installHint)")
        }
        process.waitUntilExit()

        let result = Result(
            status: process.terminationStatus,
            output: (try? String(contentsOf: outputURL, encoding: .utf8)) ?? "",
            errorOutput: (try? String(contentsOf: errorURL, encoding: .utf8)) ?? "")
        // env(1) exits 127 when the program is not on PATH.
        if result.status == 127 && result.output.isEmpty {
            throw DocketError(.failure, "\(program) was not found on PATH. \(installHint)")
        }
        return result
    }
}
