import Foundation

/// Controls over Heroku Postgres and Heroku Key-Value Store (Redis) add-ons, read from the
/// data-API bodies capture stores under the `postgres` and `redis` kinds.
enum DatastoreControls {
    // MARK: - Postgres

    static func postgresProtection(_ context: ControlContext) throws -> [ControlResult] {
        let id = "postgres-continuous-protection"
        let fields = ["postgres.plan", "postgres.features.continuous_protection.enabled", "postgres-backup-schedule"]
        return try forEachProductionDatabase(id, kind: ResourceKind.postgres, fields: fields, context: context) { database, production in
            try protectionResult(id, database: database, production: production, context: context, fields: fields)
        }
    }

    private static func protectionResult(
        _ id: String, database: Database, production: [EvidenceReference], context: ControlContext, fields: [String]
    ) throws -> ControlResult {
        let subject = EvidenceReference(database.entry)
        let plan = database.planName ?? "unknown plan"
        if let enabled = database.body.value(atPath: "features.continuous_protection.enabled")?.boolValue, enabled {
            return ControlResult(
                controlID: id, status: .pass, resource: subject, fieldsRead: ["postgres.features.continuous_protection.enabled"],
                message: "continuous protection is enabled", evidence: production)
        }
        if !database.isAdvanced, !database.isEssentialTier, database.planName != nil,
            database.infoValue("Continuous Protection").map(isOff) != true
        {
            return ControlResult(
                controlID: id, status: .pass, resource: subject, fieldsRead: ["postgres.plan"],
                message: "plan \(plan) is above the Essential tier, which includes continuous protection", evidence: production)
        }
        let schedules = try context.view.resources(ResourceKind.postgresBackupSchedule).filter {
            $0.entry.parentKey == database.entry.key || $0.entry.appKey == database.entry.key
        }
        if let schedule = schedules.first {
            return ControlResult(
                controlID: id, status: .pass, resource: subject, fieldsRead: ["postgres.plan", "postgres-backup-schedule"],
                message: "plan \(plan) has no continuous protection but a backup schedule (\(describeSchedule(schedule.body)))",
                evidence: schedules.map { EvidenceReference($0.entry) } + production)
        }
        if let listing = context.view.notRecorded(ResourceKind.postgresBackupSchedule, parents: [database.entry.key]) {
            return ControlResult(
                controlID: id, status: .error, resource: subject, fieldsRead: fields,
                message: "plan \(plan) has no continuous protection, and \(listing.sentence)",
                evidence: [listing.evidence] + production)
        }
        guard database.planName != nil || database.isAdvanced else {
            return ControlResult(
                controlID: id, status: .error, resource: subject, fieldsRead: fields,
                message: "the plan was not recorded and no backup schedule was found", evidence: production)
        }
        return ControlResult(
            controlID: id, status: .fail, resource: subject, fieldsRead: fields,
            message: "plan \(plan) has no continuous protection and no backup schedule", evidence: production)
    }

    private static func describeSchedule(_ body: JSONValue) -> String {
        let hour = body["hour"]?.intValue.map { String(format: "%02d:00", $0) } ?? "?"
        let zone = body["timezone"]?.stringValue ?? "UTC"
        let days = body["days"]?.arrayValue?.compactMap(\.stringValue) ?? []
        return "\(days.isEmpty ? "daily" : days.joined(separator: ", ")) at \(hour) \(zone)"
    }

    static func postgresVersion(_ context: ControlContext) throws -> [ControlResult] {
        let id = "postgres-version-supported"
        let fields = ["postgres.postgres_version", "postgres.version", "postgres.info[PG Version]"]
        return try forEachProductionDatabase(id, kind: ResourceKind.postgres, fields: fields, context: context) { database, production in
            let subject = EvidenceReference(database.entry)
            guard let version = database.postgresVersion, let major = majorVersion(version) else {
                return ControlResult(
                    controlID: id, status: .error, resource: subject, fieldsRead: fields,
                    message: "the Postgres version was not recorded", evidence: production)
            }
            var result = versionResult(
                id, product: "Postgres", version: major, table: SupportCalendar.postgres,
                override: context.policy.postgresSupportedVersions, overrideKey: "postgres.supported_versions", context: context)
            result.resource = subject
            result.fieldsRead = [database.versionField]
            result.evidence = production
            return result
        }
    }

    static func postgresHighAvailability(_ context: ControlContext) throws -> [ControlResult] {
        let id = "postgres-high-availability"
        let fields = ["postgres.plan", "postgres.features.highly_available.enabled", "postgres.info[HA Status]"]
        guard context.policy.postgresRequiresHighAvailability else {
            return [
                ControlResult(
                    controlID: id, status: .notApplicable, resource: context.snapshotReference, fieldsRead: [],
                    message: "the policy does not require highly available Postgres (postgres.require_high_availability)")
            ]
        }
        return try forEachProductionDatabase(id, kind: ResourceKind.postgres, fields: fields, context: context) { database, production in
            highAvailabilityResult(id, database: database, production: production, fields: fields)
        }
    }

    private static func highAvailabilityResult(_ id: String, database: Database, production: [EvidenceReference], fields: [String])
        -> ControlResult
    {
        let subject = EvidenceReference(database.entry)
        func result(_ status: ControlStatus, _ field: String, _ message: String) -> ControlResult {
            ControlResult(controlID: id, status: status, resource: subject, fieldsRead: [field], message: message, evidence: production)
        }
        if let enabled = database.body.value(atPath: "features.highly_available.enabled")?.boolValue {
            return result(enabled ? .pass : .fail, "postgres.features.highly_available.enabled", enabled ? "high availability is enabled" : "high availability is disabled")
        }
        if let status = database.infoValue("HA Status") {
            let isAvailable = status.lowercased() == "available"
            return result(isAvailable ? .pass : .fail, "postgres.info[HA Status]", "HA status is \(status)")
        }
        guard let plan = database.planName else {
            return result(.error, "postgres.plan", "neither the plan nor the HA status was recorded")
        }
        // Heroku's Premium, Private and Shield tiers run a standby; Essential and Standard do not.
        let isHighlyAvailable = ["premium", "private", "shield"].contains { plan.hasPrefix($0) }
        let verdict = isHighlyAvailable ? "includes a high-availability standby" : "has no high-availability standby"
        return result(isHighlyAvailable ? .pass : .fail, "postgres.plan", "plan \(plan) \(verdict)")
    }

    // MARK: - Redis

    static func redisTLS(_ context: ControlContext) throws -> [ControlResult] {
        let id = "redis-tls"
        let fields = ["redis.prefer_native_tls"]
        return try forEachDatabase(id, kind: ResourceKind.redis, fields: fields, context: context) { database in
            if let missing = missingRecord(id, database: database, fields: fields) { return missing }
            let subject = EvidenceReference(database.entry)
            switch database.body["prefer_native_tls"]?.boolValue {
            case true:
                return ControlResult(controlID: id, status: .pass, resource: subject, fieldsRead: fields, message: "TLS is required")
            case false:
                return ControlResult(
                    controlID: id, status: .fail, resource: subject, fieldsRead: fields, message: "prefer_native_tls is false")
            case nil:
                return ControlResult(
                    controlID: id, status: .error, resource: subject, fieldsRead: fields, message: "prefer_native_tls was not recorded")
            }
        }
    }

    static func redisVersion(_ context: ControlContext) throws -> [ControlResult] {
        let id = "redis-version-supported"
        let fields = ["redis.version"]
        return try forEachDatabase(id, kind: ResourceKind.redis, fields: fields, context: context) { database in
            if let missing = missingRecord(id, database: database, fields: fields) { return missing }
            let subject = EvidenceReference(database.entry)
            guard let version = database.body["version"]?.stringValue else {
                return ControlResult(controlID: id, status: .error, resource: subject, fieldsRead: fields, message: "version was not recorded")
            }
            let minor = version.split(separator: ".").prefix(2).joined(separator: ".")
            var result = versionResult(
                id, product: "Redis", version: minor, table: SupportCalendar.redis, override: context.policy.redisSupportedVersions,
                overrideKey: "redis.supported_versions", context: context)
            result.resource = subject
            result.fieldsRead = fields
            return result
        }
    }

    // MARK: - Shared

    /// Judges a version against Docket's table, or against the policy's list when it has one.
    private static func versionResult(
        _ id: String, product: String, version: String, table: [SupportWindow], override: [String]?, overrideKey: String,
        context: ControlContext
    ) -> ControlResult {
        func result(_ status: ControlStatus, _ message: String, warning: String? = nil) -> ControlResult {
            ControlResult(controlID: id, status: status, resource: nil, fieldsRead: [], message: message, warning: warning)
        }
        if let override {
            return override.contains(version)
                ? result(.pass, "\(product) \(version) is in the policy's \(overrideKey)")
                : result(.fail, "\(product) \(version) is not in the policy's \(overrideKey) (\(override.joined(separator: ", ")))")
        }
        let verdict = SupportVerdict.judge(version, in: table, at: context.asOf, warningSeconds: context.policy.endOfLifeWarningSeconds)
        switch verdict {
        case .unknown:
            let known = table.filter { $0.endOfLife.map { Timestamp.parseDay($0).map { $0 > context.asOf } ?? false } ?? true }
            return result(
                .fail,
                "\(product) \(version) is not among the supported versions Docket knows (\(known.map(\.version).joined(separator: ", "))); set \(overrideKey) in the policy if Heroku supports it")
        case .ended(let window):
            return result(.fail, "\(product) \(version) reached end of life \(SupportVerdict.describe(window))")
        case .endingSoon(let window, let days):
            return result(
                .pass, "\(product) \(version) is supported",
                warning: "\(product) \(version) reaches end of life in \(days) days, \(SupportVerdict.describe(window))")
        case .supported(let window):
            let until = window.endOfLife.map { " until \($0)\(window.isConfirmed ? "" : " (\(window.asPublished))")" } ?? ""
            return result(.pass, "\(product) \(version) is supported\(until)")
        }
    }

    private static func isOff(_ value: String) -> Bool {
        ["off", "no", "disabled", "false", "unsupported"].contains(value.lowercased())
    }

    /// `16` from `16.4`, `9.6` from `9.6.24`; nil when the text does not start with a number.
    static func majorVersion(_ version: String) -> String? {
        let parts = version.split(separator: " ").first.map { $0.split(separator: ".") } ?? []
        guard let first = parts.first, let number = Int(first) else { return nil }
        if number < 10, parts.count > 1 { return "\(number).\(parts[1])" }
        return String(number)
    }

    /// Runs `judge` on each database of `kind` that the data API recorded.
    private static func forEachDatabase(
        _ id: String, kind: String, fields: [String], context: ControlContext, judge: (Database) throws -> ControlResult
    ) throws -> [ControlResult] {
        var results = context.notRecordedResults(id, kind: kind, fields: fields)
        let databases = try context.view.resources(kind).map { Database(entry: $0.entry, body: $0.body) }
        if databases.isEmpty && results.isEmpty {
            results.append(
                ControlResult(
                    controlID: id, status: .notApplicable, resource: context.snapshotReference, fieldsRead: fields,
                    message: "the snapshot contains no \(kind == ResourceKind.postgres ? "Heroku Postgres" : "Heroku Key-Value Store") database"))
        }
        for database in databases {
            results.append(try judge(database))
        }
        return results
    }

    /// Returns the error result for a database the data API has no record of (still
    /// provisioning, or not managed there), or nil when its settings were recorded.
    private static func missingRecord(_ id: String, database: Database, fields: [String], evidence: [EvidenceReference] = []) -> ControlResult? {
        guard database.body["data_api_record"]?.boolValue == false else { return nil }
        return ControlResult(
            controlID: id, status: .error, resource: EvidenceReference(database.entry), fieldsRead: fields,
            message: "the data API has no record of this add-on (still provisioning, or not managed there), so its settings were not recorded",
            evidence: evidence)
    }

    /// Like `forEachDatabase`, for production databases only: the database's app decides.
    private static func forEachProductionDatabase(
        _ id: String, kind: String, fields: [String], context: ControlContext,
        judge: (Database, [EvidenceReference]) throws -> ControlResult
    ) throws -> [ControlResult] {
        let classification = try context.production()
        let apps = Dictionary(try context.view.resources(ResourceKind.app).map { ($0.entry.key, $0) }, uniquingKeysWith: { first, _ in first })
        let addons = Dictionary(try context.view.resources(ResourceKind.addon).map { ($0.entry.key, $0.body) }, uniquingKeysWith: { first, _ in first })
        return try forEachDatabase(id, kind: kind, fields: fields, context: context) { database in
            let subject = EvidenceReference(database.entry)
            let appKey = database.entry.appKey ?? database.body.value(atPath: "app.id")?.stringValue
                ?? addons[database.entry.key]?.value(atPath: "app.id")?.stringValue
            guard let appKey, let app = apps[appKey] else {
                return ControlResult(
                    controlID: id, status: .error, resource: subject, fieldsRead: ["addon.app.id"],
                    message: "the database's app is not in this snapshot, so whether it is production is unknown")
            }
            switch classification.verdict(for: app.entry, body: app.body) {
            case .production(_, let evidence):
                let production = [EvidenceReference(app.entry)] + evidence
                if let missing = missingRecord(id, database: database, fields: fields, evidence: production) { return missing }
                return try judge(database, production)
            case .notProduction(let reason):
                return ControlResult(
                    controlID: id, status: .notApplicable, resource: subject, fieldsRead: ["app.name"],
                    message: "its app \(app.entry.name) is not production: \(reason)", evidence: [EvidenceReference(app.entry)])
            case .undecided(let reason, let listing):
                return ControlResult(
                    controlID: id, status: .error, resource: subject, fieldsRead: ["app.name"],
                    message: "cannot tell whether its app \(app.entry.name) is production: \(reason)",
                    evidence: [EvidenceReference(app.entry), listing.evidence])
            }
        }
    }
}

/// A `postgres` or `redis` resource and the facts the controls read from its body, whichever
/// data-API shape it has: Essential (`plan` a string), dedicated (`plan` an object) or
/// Advanced tier (`features`, `version`).
struct Database {
    let entry: ResourceEntry
    let body: JSONValue

    var isAdvanced: Bool { body["tier"]?.stringValue == "advanced" || body["features"]?.objectValue != nil }

    /// The plan without the `heroku-postgresql:` service prefix, such as `standard-0`.
    var planName: String? {
        let raw = body["plan"]?.stringValue ?? body.value(atPath: "plan.name")?.stringValue ?? infoValue("Plan")
        guard let raw else { return isAdvanced ? "advanced" : nil }
        let name = raw.split(separator: ":").last.map(String.init) ?? raw
        return name.lowercased().replacingOccurrences(of: " ", with: "-")
    }

    /// Essential plans, and the retired plans they replaced, have no continuous protection.
    var isEssentialTier: Bool {
        guard let plan = planName else { return false }
        return ["essential", "mini", "basic", "dev", "hobby"].contains { plan.hasPrefix($0) }
    }

    var postgresVersion: String? {
        body["postgres_version"]?.stringValue ?? body["version"]?.stringValue ?? body["version"]?.intValue.map(String.init)
            ?? infoValue("PG Version")
    }

    var versionField: String {
        if body["postgres_version"] != nil { return "postgres.postgres_version" }
        if body["version"] != nil { return "postgres.version" }
        return "postgres.info[PG Version]"
    }

    /// Returns the first value of the `info` row named `name`, as `pg:info` shows it.
    func infoValue(_ name: String) -> String? {
        let row = body["info"]?.arrayValue?.first { $0["name"]?.stringValue == name }
        guard let value = row?["values"]?.arrayValue?.first else { return nil }
        if let text = value.stringValue { return text }
        return value.doubleValue.map { CanonicalJSON.formatNumber($0) }
    }
}
