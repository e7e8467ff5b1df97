import Foundation

/// The organisation's choices that the controls judge against: which apps are production,
/// allowed domains and regions, windows and limits. Every key has a default, so an empty
/// policy (or none) is valid. `docs/controls.md` documents each key.
public struct ControlPolicy: Sendable, Hashable {
    /// Glob patterns (`*`, `?`) matched against app names; a match makes the app production.
    public var productionAppNames: [String] = []
    /// Pipeline stages whose coupled apps are production.
    public var productionPipelineStages: [String] = ["production"]
    /// The maximum number of team members with the `admin` (or `owner`) role per team.
    public var maxTeamAdmins: Int = 3
    /// Email domains members and collaborators must belong to; empty: the control does not apply.
    public var allowedEmailDomains: [String] = []
    /// Emails of people whose access must be gone, such as people who left.
    public var revokedEmails: [String] = []
    /// Heroku region names (`us`, `eu`, `virginia`...); empty: the control does not apply.
    public var allowedRegions: [String] = []
    /// How long before a stack's or a datastore version's end of life a passing result warns.
    public var endOfLifeWarningSeconds: Int = 90 * 86400
    /// A certificate expiring within this time of the time reference fails.
    public var certificateExpiryWindowSeconds: Int = 30 * 86400
    /// Add-on service names (`addon_service.name`) that count as shipping logs.
    public var loggingAddonServices: [String] = [
        "papertrail", "logentries", "loggly", "sumologic", "coralogix", "logdna", "mezmo", "sematext-logsene",
        "solarwinds",
    ]
    public var postgresRequiresHighAvailability = false
    /// Major versions accepted in place of Docket's table; nil: use the table.
    public var postgresSupportedVersions: [String]?
    /// `major.minor` versions accepted in place of Docket's table; nil: use the table.
    public var redisSupportedVersions: [String]?
    /// The last successful capture must be younger than this; nil: the control does not apply.
    public var evidenceMaxAgeSeconds: Int? = 26 * 3600
    /// The expected time between captures; nil: the continuity control does not apply.
    public var evidenceCadenceSeconds: Int? = 24 * 3600
    /// Slack added to the cadence before a gap counts, for timers with a randomized delay.
    public var evidenceGraceSeconds: Int = 3600
    /// How far before the time reference the continuity control looks.
    public var evidenceLookbackSeconds: Int = 90 * 86400
    /// Whether `evidence-store-intact` runs `docket check`'s checks.
    public var evidenceCheckStore = true
    /// Control ids reported as not applicable, with the policy as the reason.
    public var disabledControls: [String] = []

    public init() {}

    /// The policy used when no file is given.
    public static let defaults = ControlPolicy()

    /// The effective policy, every key included, as written into reports and bundles.
    public var jsonValue: JSONValue {
        func strings(_ values: [String]) -> JSONValue { .array(values.map { .string($0) }) }
        func duration(_ seconds: Int?) -> JSONValue { seconds.map { .string(Duration.format(seconds: $0)) } ?? .null }
        return [
            "production": ["app_names": strings(productionAppNames), "pipeline_stages": strings(productionPipelineStages)],
            "team": ["max_admins": .number(Double(maxTeamAdmins))],
            "allowed_email_domains": strings(allowedEmailDomains),
            "revoked_emails": strings(revokedEmails),
            "allowed_regions": strings(allowedRegions),
            "end_of_life_warning": duration(endOfLifeWarningSeconds),
            "certificate_expiry_window": duration(certificateExpiryWindowSeconds),
            "logging_addon_services": strings(loggingAddonServices),
            "postgres": [
                "require_high_availability": .bool(postgresRequiresHighAvailability),
                "supported_versions": postgresSupportedVersions.map(strings) ?? .null,
            ],
            "redis": ["supported_versions": redisSupportedVersions.map(strings) ?? .null],
            "evidence": [
                "max_age": duration(evidenceMaxAgeSeconds), "cadence": duration(evidenceCadenceSeconds),
                "grace": duration(evidenceGraceSeconds), "lookback": duration(evidenceLookbackSeconds),
                "check_store": .bool(evidenceCheckStore),
            ],
            "disabled_controls": strings(disabledControls),
        ]
    }

    /// SHA-256 of the effective policy's canonical JSON: two reports with the same policy
    /// digest were judged against the same rules.
    public var digest: String { Digest.sha256(CanonicalJSON.encode(jsonValue)) }
}

// MARK: - Reading a policy file

extension ControlPolicy {
    /// Reads a policy file: JSON, where `//` and `/* */` comments are allowed outside strings.
    /// - Throws: `DocketError` (usage, exit 64) naming the file, the key and the expected
    ///   value, or the byte offset of a syntax error.
    public static func load(path: String) throws -> ControlPolicy {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DocketError(.usage, "cannot read the policy file \(path). Check the path given to --policy.")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DocketError(.usage, "the policy file \(path) is not UTF-8 text.")
        }
        return try parse(text, source: path)
    }

    /// Parses policy text; `source` names it in error messages.
    public static func parse(_ text: String, source: String) throws -> ControlPolicy {
        let value: JSONValue
        do {
            value = try JSONParser.parse(JSONComments.strip(text))
        } catch let error as JSONParseError {
            throw DocketError(.usage, "the policy file \(source) is not valid JSON: \(error). Comments are allowed, trailing commas are not.")
        }
        return try PolicyReader(source: source).read(value)
    }
}

/// Walks a parsed policy document, checking each key's type and range.
private struct PolicyReader {
    let source: String

    func invalid(_ key: String, expected: String, found: JSONValue) -> DocketError {
        let foundText = String(decoding: CanonicalJSON.encode(found), as: UTF8.self)
        return DocketError(.usage, "invalid policy \(source): \"\(key)\" must be \(expected), found \(foundText.prefix(80)).")
    }

    func object(_ value: JSONValue, key: String, allowed: [String]) throws -> [String: JSONValue] {
        guard let members = value.objectValue else {
            throw invalid(key.isEmpty ? "(top level)" : key, expected: "an object", found: value)
        }
        for name in members.keys.sorted() where !allowed.contains(name) {
            let path = key.isEmpty ? name : "\(key).\(name)"
            throw DocketError(
                .usage,
                "invalid policy \(source): unknown key \"\(path)\"; expected one of \(allowed.joined(separator: ", ")). docs/controls.md lists every key.")
        }
        return members
    }

    func strings(_ value: JSONValue, key: String) throws -> [String] {
        guard let elements = value.arrayValue else { throw invalid(key, expected: "an array of strings", found: value) }
        return try elements.map {
            guard let text = $0.stringValue, !text.isEmpty else {
                throw invalid(key, expected: "an array of non-empty strings", found: $0)
            }
            return text
        }
    }

    func optionalStrings(_ value: JSONValue, key: String) throws -> [String]? {
        value.isNull ? nil : try strings(value, key: key)
    }

    func wholeNumber(_ value: JSONValue, key: String, minimum: Int) throws -> Int {
        guard let number = value.intValue, number >= minimum else {
            throw invalid(key, expected: "a whole number of at least \(minimum)", found: value)
        }
        return number
    }

    func bool(_ value: JSONValue, key: String) throws -> Bool {
        guard let flag = value.boolValue else { throw invalid(key, expected: "true or false", found: value) }
        return flag
    }

    func duration(_ value: JSONValue, key: String) throws -> Int {
        guard let text = value.stringValue, let seconds = Duration.parseSeconds(text) else {
            throw invalid(key, expected: "a duration such as \"90d\", \"24h\" or \"30m\"", found: value)
        }
        return seconds
    }

    func optionalDuration(_ value: JSONValue, key: String) throws -> Int? {
        value.isNull ? nil : try duration(value, key: key)
    }

    func read(_ document: JSONValue) throws -> ControlPolicy {
        let top = try object(
            document, key: "",
            allowed: [
                "production", "team", "allowed_email_domains", "revoked_emails", "allowed_regions", "end_of_life_warning",
                "certificate_expiry_window", "logging_addon_services", "postgres", "redis", "evidence", "disabled_controls",
            ])
        var policy = ControlPolicy()
        if let production = top["production"] {
            let members = try object(production, key: "production", allowed: ["app_names", "pipeline_stages"])
            if let value = members["app_names"] { policy.productionAppNames = try strings(value, key: "production.app_names") }
            if let value = members["pipeline_stages"] {
                policy.productionPipelineStages = try strings(value, key: "production.pipeline_stages")
            }
        }
        if let team = top["team"] {
            let members = try object(team, key: "team", allowed: ["max_admins"])
            if let value = members["max_admins"] { policy.maxTeamAdmins = try wholeNumber(value, key: "team.max_admins", minimum: 0) }
        }
        try readLists(top, into: &policy)
        try readDatastores(top, into: &policy)
        if let evidence = top["evidence"] {
            try readEvidence(evidence, into: &policy)
        }
        return policy
    }

    private func readLists(_ top: [String: JSONValue], into policy: inout ControlPolicy) throws {
        if let value = top["allowed_email_domains"] {
            policy.allowedEmailDomains = try strings(value, key: "allowed_email_domains").map { $0.lowercased() }
        }
        if let value = top["revoked_emails"] { policy.revokedEmails = try strings(value, key: "revoked_emails").map { $0.lowercased() } }
        if let value = top["allowed_regions"] { policy.allowedRegions = try strings(value, key: "allowed_regions") }
        if let value = top["end_of_life_warning"] { policy.endOfLifeWarningSeconds = try duration(value, key: "end_of_life_warning") }
        if let value = top["certificate_expiry_window"] {
            policy.certificateExpiryWindowSeconds = try duration(value, key: "certificate_expiry_window")
        }
        if let value = top["logging_addon_services"] {
            policy.loggingAddonServices = try strings(value, key: "logging_addon_services")
        }
        if let value = top["disabled_controls"] {
            let ids = try strings(value, key: "disabled_controls")
            let known = ControlCatalogue.all.map(\.id)
            for id in ids where !known.contains(id) {
                throw invalid("disabled_controls", expected: "a list of control ids (\(known.joined(separator: ", ")))", found: .string(id))
            }
            policy.disabledControls = ids
        }
    }

    private func readDatastores(_ top: [String: JSONValue], into policy: inout ControlPolicy) throws {
        if let postgres = top["postgres"] {
            let members = try object(postgres, key: "postgres", allowed: ["require_high_availability", "supported_versions"])
            if let value = members["require_high_availability"] {
                policy.postgresRequiresHighAvailability = try bool(value, key: "postgres.require_high_availability")
            }
            if let value = members["supported_versions"] {
                policy.postgresSupportedVersions = try optionalStrings(value, key: "postgres.supported_versions")
            }
        }
        if let redis = top["redis"] {
            let members = try object(redis, key: "redis", allowed: ["supported_versions"])
            if let value = members["supported_versions"] {
                policy.redisSupportedVersions = try optionalStrings(value, key: "redis.supported_versions")
            }
        }
    }

    private func readEvidence(_ evidence: JSONValue, into policy: inout ControlPolicy) throws {
        let members = try object(evidence, key: "evidence", allowed: ["max_age", "cadence", "grace", "lookback", "check_store"])
        if let value = members["max_age"] { policy.evidenceMaxAgeSeconds = try optionalDuration(value, key: "evidence.max_age") }
        if let value = members["cadence"] { policy.evidenceCadenceSeconds = try optionalDuration(value, key: "evidence.cadence") }
        if let value = members["grace"] {
            // A grace of zero is meaningful ("no slack"), which `Duration` does not accept.
            policy.evidenceGraceSeconds = value.stringValue == "0s" ? 0 : try duration(value, key: "evidence.grace")
        }
        if let value = members["lookback"] { policy.evidenceLookbackSeconds = try duration(value, key: "evidence.lookback") }
        if let value = members["check_store"] { policy.evidenceCheckStore = try bool(value, key: "evidence.check_store") }
    }
}

/// Removal of `//` line comments and `/* */` block comments from JSON text, outside strings.
/// Each removed character becomes a space (newlines are kept), so parse errors still point
/// at the right byte offset.
enum JSONComments {
    static func strip(_ text: String) -> String {
        var output: [UInt8] = []
        let bytes = Array(text.utf8)
        var index = 0
        var inString = false
        while index < bytes.count {
            let byte = bytes[index]
            let next = index + 1 < bytes.count ? bytes[index + 1] : 0
            if inString {
                output.append(byte)
                if byte == UInt8(ascii: "\\"), index + 1 < bytes.count {
                    output.append(next)
                    index += 2
                    continue
                }
                if byte == UInt8(ascii: "\"") { inString = false }
                index += 1
            } else if byte == UInt8(ascii: "/"), next == UInt8(ascii: "/") {
                while index < bytes.count, bytes[index] != UInt8(ascii: "\n") {
                    output.append(UInt8(ascii: " "))
                    index += 1
                }
            } else if byte == UInt8(ascii: "/"), next == UInt8(ascii: "*"), let end = blockCommentEnd(bytes, from: index + 2) {
                for position in index..<end {
                    output.append(bytes[position] == UInt8(ascii: "\n") ? bytes[position] : UInt8(ascii: " "))
                }
                index = end
            } else {
                if byte == UInt8(ascii: "\"") { inString = true }
                output.append(byte)
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Returns the index just past the `*/` that closes a block comment, or nil when it is
    /// not closed, so the `/*` stays in place for the parser to reject.
    private static func blockCommentEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        var index = start
        while index + 1 < bytes.count {
            if bytes[index] == UInt8(ascii: "*"), bytes[index + 1] == UInt8(ascii: "/") { return index + 2 }
            index += 1
        }
        return nil
    }
}
