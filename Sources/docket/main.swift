internal import CGlibc
import DocketKit
import Foundation

/// Every command, in the order `docket --help` lists them.
let commands: [CommandDescriptor] = [
    CaptureCommand.descriptor,
    SnapshotsCommand.descriptor,
    ShowCommand.descriptor,
    DiffCommand.descriptor,
    HistoryCommand.descriptor,
    CheckCommand.descriptor,
    ControlsCommand.descriptor,
    BundleCommand.descriptor,
    VerifyCommand.descriptor,
    StatusCommand.descriptor,
    SystemdCommand.descriptor,
]

func mainHelp() -> String {
    var lines = [
        "docket \(DocketVersion.current): an offline evidence archiver for Heroku",
        "",
        "Usage: docket COMMAND [options]",
        "",
        "Commands:",
    ]
    for command in commands {
        lines.append("  " + command.name.padding(toLength: 11, withPad: " ", startingAt: 0) + command.summary)
    }
    lines += ["", "Run `docket COMMAND --help` for a command's options and exit codes."]
    return lines.joined(separator: "\n")
}

func runMain() -> Int32 {
    // libarchive converts each archive name between UTF-8 and the C character set, one
    // character at a time under the default ASCII set. Under UTF-8 they need no conversion.
    _ = setlocale(LC_CTYPE, "C.UTF-8")
    let arguments = Array(CommandLine.arguments.dropFirst())
    let environment = ProcessInfo.processInfo.environment
    // glibc gives threads heaps of their own, by default up to eight per core on 64-bit
    // systems (mallopt(3)). The heap of a bundle's writer thread added 25 to 50 MB to its peak
    // memory in the benchmark, and two heaps brought it back to about what it was before that
    // thread. An environment that sets MALLOC_ARENA_MAX keeps its own choice.
    if environment["MALLOC_ARENA_MAX"] == nil {
        _ = docket_set_malloc_arena_limit(2)
    }
    guard let first = arguments.first, first != "-h", first != "--help", first != "help" else {
        Console(verbosity: .normal).output(mainHelp())
        return arguments.isEmpty ? ExitStatus.usage : ExitStatus.success
    }
    if first == "--version" {
        Console(verbosity: .normal).output("docket \(DocketVersion.current)")
        return ExitStatus.success
    }
    guard let command = commands.first(where: { $0.name == first }) else {
        let names = commands.map(\.name)
        let close = names.min { editDistance($0, first) < editDistance($1, first) }
        let hint = close.map { editDistance($0, first) <= 2 ? " (did you mean \"\($0)\"?)" : "" } ?? ""
        FileHandle.standardError.write(Data("docket: error: unknown command \"\(first)\"\(hint). Run `docket --help` for the list.\n".utf8))
        return ExitStatus.usage
    }
    return run(command, arguments: Array(arguments.dropFirst()), environment: environment)
}

func run(_ command: CommandDescriptor, arguments: [String], environment: [String: String]) -> Int32 {
    var console = Console(verbosity: .normal)
    do {
        let parsed = try parseArguments(arguments, options: command.options + globalOptions, command: command.name)
        if parsed.has("help") {
            console.output(command.helpText)
            return ExitStatus.success
        }
        if parsed.has("quiet") && parsed.has("verbose") {
            throw UsageError("--quiet and --verbose cannot be combined.", command: command.name)
        }
        console = Console(verbosity: parsed.has("quiet") ? .quiet : parsed.has("verbose") ? .verbose : .normal)
        let context = CommandContext(arguments: parsed, console: console, environment: environment, command: command.name)
        return try command.run(context)
    } catch {
        console.error("\(error)")
        return ExitStatus.code(for: error)
    }
}

exit(runMain())
