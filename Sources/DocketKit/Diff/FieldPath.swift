/// One step from a JSON value to a part of it.
public enum PathSegment: Sendable, Hashable {
    /// An object member.
    case member(String)
    /// The element of an array of objects whose `key` member has the scalar `value`; arrays
    /// matched this way are compared by key, never by position.
    case element(key: String, value: JSONValue)
}

/// The location of a field inside a resource body, such as `stack.name` or
/// `permissions[name=deploy]`.
///
/// The text form joins members with `.` and writes keyed array elements as `[key=value]`.
/// A member whose name contains `.`, `[`, `]`, `=`, `"` or a space, or is empty, is written as
/// a quoted JSON string in brackets (`["auto_explain.log_analyze"].value`), so every path
/// reads back to the same segments.
public struct FieldPath: Sendable, Hashable, CustomStringConvertible, Comparable {
    public var segments: [PathSegment]

    public init(_ segments: [PathSegment] = []) {
        self.segments = segments
    }

    public var isRoot: Bool { segments.isEmpty }

    public func appending(_ segment: PathSegment) -> FieldPath {
        FieldPath(segments + [segment])
    }

    public var description: String {
        var text = ""
        for segment in segments {
            switch segment {
            case .member(let name) where Self.isPlain(name):
                text += text.isEmpty ? name : "." + name
            case .member(let name):
                text += "[" + CanonicalJSON.encodeString(.string(name)) + "]"
            case .element(let key, let value):
                text += "[" + key + "=" + Self.keyText(value) + "]"
            }
        }
        return text
    }

    public static func < (left: FieldPath, right: FieldPath) -> Bool {
        left.description < right.description
    }

    /// The segments as JSON, for machine-readable output: a string for a member, and
    /// `{"key": ..., "value": ...}` for a keyed array element.
    public var jsonValue: JSONValue {
        .array(
            segments.map {
                switch $0 {
                case .member(let name): return .string(name)
                case .element(let key, let value): return ["key": .string(key), "value": value]
                }
            })
    }

    /// True when `name` is written bare in a path: not empty and with none of `.[]=" `.
    /// Those are ASCII, and no byte of a multi-byte UTF-8 sequence is, so bytes are checked.
    static func isPlain(_ name: String) -> Bool {
        !name.isEmpty && !name.utf8.contains { Self.specialBytes.contains($0) }
    }

    private static let specialBytes: [UInt8] = Array(".[]=\" ".utf8)

    /// Formats a key value as written inside `[key=value]`: strings bare, other scalars as JSON.
    static func keyText(_ value: JSONValue) -> String {
        if case .string(let text) = value { return text }
        return CanonicalJSON.encodeString(value)
    }
}

/// A pattern over field paths, as written in the volatility policy: the path syntax of
/// `FieldPath`, where `*` stands for any member and `[*]` for any array element.
///
/// A pattern matches a path that starts with it, so `ssl_cert` covers `ssl_cert.expires_at`.
public struct PathPattern: Sendable, Hashable, CustomStringConvertible {
    enum Step: Sendable, Hashable {
        case member(String)
        case anyMember
        case element(key: String, value: String)
        case anyElement
    }

    let steps: [Step]
    public let description: String

    /// Parses `text`.
    /// - Throws: `DocketError` (usage) naming the pattern and the position that failed.
    public init(_ text: String) throws {
        var parser = PatternParser(text: text)
        steps = try parser.parse()
        description = text
    }

    /// True when `path` is this pattern's field or lies inside it.
    public func matches(_ path: FieldPath) -> Bool {
        guard path.segments.count >= steps.count else { return false }
        for (step, segment) in zip(steps, path.segments) where !Self.step(step, matches: segment) {
            return false
        }
        return true
    }

    /// Returns true when one step of a pattern matches one segment of a path.
    static func step(_ step: Step, matches segment: PathSegment) -> Bool {
        switch (step, segment) {
        case (.member(let expected), .member(let name)): return expected == name
        case (.anyMember, .member): return true
        case (.element(let key, let expected), .element(let actualKey, let value)):
            return key == actualKey && expected == FieldPath.keyText(value)
        case (.anyElement, .element): return true
        default: return false
        }
    }
}

/// A small recursive-descent reader for `PathPattern` text.
private struct PatternParser {
    let characters: [Character]
    let text: String
    var index = 0

    init(text: String) {
        self.text = text
        self.characters = Array(text)
    }

    mutating func parse() throws -> [PathPattern.Step] {
        var steps: [PathPattern.Step] = []
        while index < characters.count {
            if characters[index] == "[" {
                steps.append(try bracket())
            } else {
                if !steps.isEmpty {
                    try expect(".")
                }
                if index < characters.count, characters[index] == "[" {
                    steps.append(try bracket())
                } else {
                    steps.append(try member())
                }
            }
        }
        guard !steps.isEmpty else { throw failure("the pattern is empty") }
        return steps
    }

    private mutating func member() throws -> PathPattern.Step {
        let start = index
        while index < characters.count, !".[".contains(characters[index]) {
            index += 1
        }
        let name = String(characters[start..<index])
        guard !name.isEmpty else { throw failure("expected a member name") }
        return name == "*" ? .anyMember : .member(name)
    }

    private mutating func bracket() throws -> PathPattern.Step {
        try expect("[")
        if index < characters.count, characters[index] == "\"" {
            let name = try quoted()
            try expect("]")
            return .member(name)
        }
        guard let close = characters[index...].firstIndex(of: "]") else { throw failure("missing ]") }
        let inner = String(characters[index..<close])
        index = close + 1
        if inner == "*" {
            return .anyElement
        }
        guard let equals = inner.firstIndex(of: "="), equals != inner.startIndex else {
            throw failure("expected [*], [key=value] or [\"member\"]")
        }
        return .element(key: String(inner[..<equals]), value: String(inner[inner.index(after: equals)...]))
    }

    private mutating func quoted() throws -> String {
        let start = index
        index += 1
        while index < characters.count, characters[index] != "\"" {
            index += characters[index] == "\\" ? 2 : 1
        }
        guard index < characters.count else { throw failure("unterminated quoted member") }
        index += 1
        guard let name = (try? JSONParser.parse(String(characters[start..<index])))?.stringValue else {
            throw failure("invalid quoted member")
        }
        return name
    }

    private mutating func expect(_ character: Character) throws {
        guard index < characters.count, characters[index] == character else {
            throw failure("expected \"\(character)\"")
        }
        index += 1
    }

    private func failure(_ reason: String) -> DocketError {
        DocketError(.usage, "invalid field pattern \"\(text)\" at character \(index + 1): \(reason)")
    }
}

extension JSONValue {
    /// Returns the value at `path`, or nil where a member or keyed element is missing.
    public func value(at path: FieldPath) -> JSONValue? {
        var current: JSONValue? = self
        for segment in path.segments {
            switch segment {
            case .member(let name):
                current = current?[name]
            case .element(let key, let value):
                current = current?.arrayValue?.first { $0[key] == value }
            }
        }
        return current
    }
}
