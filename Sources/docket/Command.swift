import DocketKit
import Foundation

/// The input of every command: its parsed arguments, the console and the environment.
struct CommandContext: Sendable {
    let arguments: ParsedArguments
    let console: Console
    let environment: [String: String]
    let command: String

    var wantsJSON: Bool { arguments.has("json") }

    /// The store path from `--store`, or the default for this environment.
    var storePath: String {
        arguments.value("store") ?? SnapshotStore.defaultPath(environment: environment).path
    }

    /// Opens the existing store for reading only, so that a copy the user cannot write, such
    /// as an auditor's, can be read too.
    func openStore() throws -> SnapshotStore {
        try SnapshotStore(path: storePath, readOnly: true)
    }

    /// Returns the positional arguments after checking their count.
    func positionals(minimum: Int, maximum: Int) throws -> [String] {
        let values = arguments.positionals
        guard values.count >= minimum else {
            throw UsageError("missing argument. See `docket \(command) --help`.", command: command)
        }
        guard values.count <= maximum else {
            throw UsageError("unexpected argument \"\(values[maximum])\". See `docket \(command) --help`.", command: command)
        }
        return values
    }
}

/// One `docket` subcommand: its help text, its options and its run step.
protocol Command: SendableMetatype {
    static var name: String { get }
    static var summary: String { get }
    /// The usage line after `docket`, such as `diff [FROM [TO]] [options]`.
    static var usage: String { get }
    /// Paragraphs printed between the usage line and the options.
    static var discussion: String { get }
    static var options: [OptionSpec] { get }
    /// Exit codes this command uses, beyond 0 and 64.
    static var exitCodes: [(Int32, String)] { get }

    /// Runs the command and returns its exit code; errors are mapped by `ExitStatus`.
    static func run(_ context: CommandContext) throws -> Int32
}

extension Command {
    static var discussion: String { "" }

    static var helpText: String {
        var lines = ["docket \(name): \(summary)", "", "Usage: docket \(usage)"]
        if !discussion.isEmpty {
            lines += ["", discussion]
        }
        lines += ["", "Options:"]
        for option in options + globalOptions {
            var label = "--\(option.name)"
            if let short = option.short { label = "-\(short), " + label }
            if let valueName = option.valueName { label += " \(valueName)" }
            lines.append("  " + label.padding(toLength: max(label.count, 26), withPad: " ", startingAt: 0) + "  " + option.help)
        }
        lines += ["", "Exit status:", "  0    success"]
        for (code, meaning) in exitCodes {
            lines.append("  \(String(code).padding(toLength: 4, withPad: " ", startingAt: 0)) \(meaning)")
        }
        lines.append("  64   usage error: unknown option, missing or invalid value")
        return lines.joined(separator: "\n")
    }
}

/// A command as the dispatcher uses it, built from each `Command` type. Calling static
/// members through `any Command.Type` crashes the Swift 6.3 compiler, hence this value.
struct CommandDescriptor: Sendable {
    let name: String
    let summary: String
    let options: [OptionSpec]
    let helpText: String
    let run: @Sendable (CommandContext) throws -> Int32
}

extension Command {
    static var descriptor: CommandDescriptor {
        CommandDescriptor(name: name, summary: summary, options: options, helpText: helpText, run: { try run($0) })
    }
}
