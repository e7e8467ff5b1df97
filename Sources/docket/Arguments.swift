/// A command-line usage error: an unknown command or option, a missing or invalid value.
/// The message names the value and the fix; the command exits 64.
struct UsageError: Error, CustomStringConvertible {
    let message: String
    let command: String?

    init(_ message: String, command: String? = nil) {
        self.message = message
        self.command = command
    }

    var description: String { message }
}

/// One option a command accepts.
struct OptionSpec: Sendable {
    let name: String
    let short: Character?
    /// The placeholder of the option's value (`FILE`, `N`), or nil for a flag.
    let valueName: String?
    let help: String

    init(_ name: String, short: Character? = nil, value valueName: String? = nil, help: String) {
        self.name = name
        self.short = short
        self.valueName = valueName
        self.help = help
    }
}

/// The options every command takes.
let globalOptions: [OptionSpec] = [
    OptionSpec("store", value: "PATH", help: "the store file (default: $DOCKET_STORE, $STATE_DIRECTORY/store.sqlite, $XDG_STATE_HOME/docket/store.sqlite or ~/.local/state/docket/store.sqlite)"),
    OptionSpec("json", help: "print the result as JSON on stdout"),
    OptionSpec("verbose", short: "v", help: "print more detail on stderr"),
    OptionSpec("quiet", short: "q", help: "print only errors on stderr"),
    OptionSpec("help", short: "h", help: "show this help"),
]

/// Parsed arguments of one command: option values by long name, flags, and positionals.
struct ParsedArguments: Sendable {
    var values: [String: [String]] = [:]
    var flags: Set<String> = []
    var positionals: [String] = []

    func value(_ name: String) -> String? { values[name]?.last }

    func has(_ name: String) -> Bool { flags.contains(name) }

    /// The value of `name` as a positive integer, or `defaultValue` when absent.
    func integer(_ name: String, default defaultValue: Int, minimum: Int = 1, command: String) throws -> Int {
        guard let text = value(name) else { return defaultValue }
        guard let number = Int(text), number >= minimum else {
            throw UsageError("invalid value \"\(text)\" for --\(name): expected a whole number of at least \(minimum).", command: command)
        }
        return number
    }

    /// The value of `name` as a duration (`90s`, `30m`, `24h`, `7d`), in seconds.
    func duration(_ name: String, command: String) throws -> Int? {
        guard let text = value(name) else { return nil }
        guard let seconds = Duration.parseSeconds(text) else {
            throw UsageError("invalid duration \"\(text)\" for --\(name): expected a number with a unit, such as 90s, 30m, 24h or 7d.", command: command)
        }
        return seconds
    }

    /// The value of `name`, which must be one of `choices`.
    func choice(_ name: String, _ choices: [String], default defaultValue: String, command: String) throws -> String {
        guard let text = value(name) else { return defaultValue }
        guard choices.contains(text) else {
            throw UsageError("invalid value \"\(text)\" for --\(name): expected one of \(choices.joined(separator: ", ")).", command: command)
        }
        return text
    }
}

import DocketKit

/// Parses `arguments` against `options`. Accepts `--name value`, `--name=value`, `-x value`,
/// bundled short flags (`-vq`) and `--` before positionals that start with a dash.
func parseArguments(_ arguments: [String], options: [OptionSpec], command: String) throws -> ParsedArguments {
    var parsed = ParsedArguments()
    var remaining = arguments[...]
    while let argument = remaining.popFirst() {
        if argument == "--" {
            parsed.positionals += remaining
            break
        }
        if argument.hasPrefix("--") {
            var name = String(argument.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            guard let spec = options.first(where: { $0.name == name }) else {
                throw UsageError("unknown option --\(name)\(suggestion(for: name, in: options)). See `docket \(command) --help`.", command: command)
            }
            try take(spec, inlineValue: inlineValue, from: &remaining, into: &parsed, command: command)
        } else if argument.hasPrefix("-"), argument.count > 1, !isNegativeNumber(argument) {
            for character in argument.dropFirst() {
                guard let spec = options.first(where: { $0.short == character }) else {
                    throw UsageError("unknown option -\(character). See `docket \(command) --help`.", command: command)
                }
                try take(spec, inlineValue: nil, from: &remaining, into: &parsed, command: command)
            }
        } else {
            parsed.positionals.append(argument)
        }
    }
    return parsed
}

private func take(
    _ spec: OptionSpec, inlineValue: String?, from remaining: inout ArraySlice<String>, into parsed: inout ParsedArguments,
    command: String
) throws {
    guard let valueName = spec.valueName else {
        if inlineValue != nil {
            throw UsageError("option --\(spec.name) takes no value.", command: command)
        }
        parsed.flags.insert(spec.name)
        return
    }
    guard let value = inlineValue ?? remaining.popFirst() else {
        throw UsageError("option --\(spec.name) needs a value (\(valueName)).", command: command)
    }
    parsed.values[spec.name, default: []].append(value)
}

private func isNegativeNumber(_ text: String) -> Bool {
    Double(text) != nil
}

private func suggestion(for name: String, in options: [OptionSpec]) -> String {
    let close = options.map(\.name).filter { editDistance($0, name) <= 2 }
    guard let best = close.min(by: { editDistance($0, name) < editDistance($1, name) }) else { return "" }
    return " (did you mean --\(best)?)"
}

func editDistance(_ left: String, _ right: String) -> Int {
    let a = Array(left)
    let b = Array(right)
    guard !a.isEmpty else { return b.count }
    guard !b.isEmpty else { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
