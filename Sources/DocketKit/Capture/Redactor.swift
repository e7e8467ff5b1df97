import Foundation

/// Removes secrets from Heroku responses before anything is hashed or stored.
///
/// - Fields that hold secrets are replaced by `[REDACTED]` (null stays null, so an auditor can
///   still see whether a value was set): data-API `resource_url`, `database_password`,
///   `database_user`, `metaas_source`, `metaas_server_source`, transfer `from_url`/`to_url`,
///   any `password`, `secret`, `token`, `pre_shared_key`, OAuth grant `code`, telemetry
///   exporter `headers`, and dyno `attach_url`.
/// - In every string, URL credentials (`scheme://user:pass@host`) become
///   `scheme://[REDACTED]@host` and `HRKU-` tokens become `HRKU-[REDACTED]`.
/// - In URL-valued fields (`url`, `endpoint`, names ending in `_url`), query values are
///   replaced, because log drain and webhook URLs carry tokens there.
public enum Redactor {
    public static let marker = "[REDACTED]"

    static let secretKeys: Set<String> = [
        "resource_url", "database_password", "database_user", "metaas_source", "metaas_server_source", "from_url", "to_url",
        "password", "secret", "token", "pre_shared_key", "attach_url", "headers",
    ]

    public static func redact(_ value: JSONValue, key: String? = nil, parentKey: String? = nil) -> JSONValue {
        redacted(value, key: key, parentKey: parentKey) ?? value
    }

    /// The redacted form of `value`, or nil when redaction changes nothing in it. Most values
    /// hold no secret, and returning nil for them spares copying every object and array.
    private static func redacted(_ value: JSONValue, key: String?, parentKey: String?) -> JSONValue? {
        switch value {
        case .object(let members):
            var result: [String: JSONValue]?
            for (name, member) in members {
                let isReplaced = isSecret(key: name, parentKey: key) && !member.isNull
                guard let replacement = isReplaced ? .string(marker) : redacted(member, key: name, parentKey: key) else { continue }
                if result == nil { result = members }
                result?[name] = replacement
            }
            return result.map { .object($0) }
        case .array(let elements):
            var result: [JSONValue]?
            for (index, element) in elements.enumerated() {
                guard let replacement = redacted(element, key: key, parentKey: parentKey) else { continue }
                if result == nil { result = elements }
                result?[index] = replacement
            }
            return result.map { .array($0) }
        case .string(let text):
            let cleaned = isURLField(key) ? redactQuery(redactString(text)) : redactString(text)
            return cleaned == text ? nil : .string(cleaned)
        default:
            return nil
        }
    }

    private static func isSecret(key: String, parentKey: String?) -> Bool {
        if secretKeys.contains(key) { return true }
        return key == "code" && parentKey == "grant"
    }

    private static func isURLField(_ key: String?) -> Bool {
        guard let key else { return false }
        return key == "url" || key == "endpoint" || key.hasSuffix("_url")
    }

    nonisolated(unsafe) private static let userinfoPattern = try! Regex(#"([A-Za-z][A-Za-z0-9+.\-]*://)[^/\s@]+@"#)
    nonisolated(unsafe) private static let herokuTokenPattern = try! Regex(#"HRKU-[A-Za-z0-9_\-]+"#)

    /// Removes URL credentials and `HRKU-` tokens from free text, such as release
    /// descriptions and error messages.
    public static func redactString(_ text: String) -> String {
        guard mayHoldSecret(text) else { return text }
        var result = text.replacing(userinfoPattern) { match in
            String(match.output[1].substring ?? "") + marker + "@"
        }
        result = result.replacing(herokuTokenPattern, with: "HRKU-" + marker)
        return result
    }

    /// True when `text` contains `@` or `HRKU-`, the only strings the patterns above can change.
    /// It scans UTF-8 bytes because most strings contain neither, and Foundation's substring
    /// search, which `String.contains` resolves to here, cost more than the rest of redaction.
    static func mayHoldSecret(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            let token = Array("HRKU-".utf8)
            for index in bytes.indices {
                switch bytes[index] {
                case UInt8(ascii: "@"):
                    return true
                case UInt8(ascii: "H") where bytes.count - index >= token.count:
                    if bytes[index..<index + token.count].elementsEqual(token) { return true }
                default:
                    continue
                }
            }
            return false
        }
    }

    /// Replaces every query value of a URL: `?token=abc&x=1` becomes `?token=[REDACTED]&x=[REDACTED]`.
    static func redactQuery(_ text: String) -> String {
        guard let question = text.firstIndex(of: "?") else { return text }
        let head = text[..<question]
        var tail = String(text[text.index(after: question)...])
        var fragment = ""
        if let hash = tail.firstIndex(of: "#") {
            fragment = String(tail[hash...])
            tail = String(tail[..<hash])
        }
        let pairs = tail.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
            guard let equals = pair.firstIndex(of: "=") else { return pair.isEmpty ? "" : marker }
            return pair[..<equals] + "=" + marker
        }
        return head + "?" + pairs.joined(separator: "&") + fragment
    }
}
