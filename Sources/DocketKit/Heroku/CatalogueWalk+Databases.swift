import Foundation

/// Heroku Postgres and Heroku Redis details from the data API, for each database add-on.
extension CatalogueWalk {
    /// The data-API family that serves an add-on.
    enum DatabaseTier: Sendable {
        /// Essential, Standard, Premium, Private and Shield plans: `/client/v11/databases/{id}`.
        case postgresLegacy
        /// Advanced and Performance plans: `/data/postgres/v1/{id}/info`.
        case postgresAdvanced
        case redis
    }

    static func tier(of addon: JSONValue) -> DatabaseTier? {
        let service = addon["addon_service"]?["name"]?.stringValue
        let plan = addon["plan"]?["name"]?.stringValue ?? ""
        if service == "heroku-postgresql" || plan.hasPrefix("heroku-postgresql:") {
            let planPart = plan.split(separator: ":").last.map(String.init) ?? ""
            return planPart.hasPrefix("advanced") || planPart.hasPrefix("performance") ? .postgresAdvanced : .postgresLegacy
        }
        if service == "heroku-redis" || plan.hasPrefix("heroku-redis:") {
            return .redis
        }
        return nil
    }

    func collectDatabases(_ addons: [JSONValue], apps: [JSONValue]) async throws {
        let databases = addons.compactMap { addon in Self.tier(of: addon).map { (addon, $0) } }
        progress?.beginPhase("databases", total: databases.count)
        let appNames = Self.appNames(apps)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (addon, tier) in databases {
                group.addTask {
                    try await collectDatabase(addon, tier: tier)
                    progress?.advance()
                }
            }
            let backupApps = Set(databases.filter { $0.1 == .postgresLegacy }.compactMap { $0.0["app"]?["id"]?.stringValue })
            for appID in backupApps.sorted() {
                group.addTask { try await collectBackups(appID: appID, appName: appNames[appID] ?? appID) }
            }
            try await group.waitForAll()
        }
        progress?.endPhase()
    }

    private func collectDatabase(_ addon: JSONValue, tier: DatabaseTier) async throws {
        guard let addonID = addon["id"]?.stringValue else { return }
        let addonName = addon["name"]?.stringValue ?? addonID
        let appID = addon["app"]?["id"]?.stringValue
        let noRecord: JSONValue = ["addon": ["id": .string(addonID), "name": .string(addonName)], "data_api_record": false]
        func store(_ kind: String, _ key: String, _ name: String, _ body: JSONValue) async {
            await collector.add(CapturedResource(kind: kind, key: key, name: name, parentKey: addonID, appKey: appID, body: body))
        }
        switch tier {
        case .postgresLegacy, .postgresAdvanced:
            let (path, endpoint) = tier == .postgresAdvanced
                ? ("/data/postgres/v1/\(addonID)/info", "GET /data/postgres/v1/{addon}/info")
                : ("/client/v11/databases/\(addonID)", "GET /client/v11/databases/{addon}")
            let dependents = tier == .postgresLegacy ? [ResourceKind.postgresBackupSchedule] : []
            guard let info = try await document(
                path, endpoint: endpoint, kind: ResourceKind.postgres, parentKey: addonID, parentName: addonName, api: .data,
                dependentKinds: dependents)
            else { return }
            await store(ResourceKind.postgres, addonID, addonName, info.isNull ? noRecord : info)
            guard tier == .postgresLegacy, !info.isNull else { return }
            try await collectSchedules(addonID: addonID, addonName: addonName, appID: appID)
        case .redis:
            guard let info = try await document(
                "/redis/v0/databases/\(addonID)", endpoint: "GET /redis/v0/databases/{addon}", kind: ResourceKind.redis, parentKey: addonID,
                parentName: addonName, api: .data, dependentKinds: [ResourceKind.redisConfig])
            else { return }
            await store(ResourceKind.redis, addonID, addonName, info.isNull ? noRecord : info)
            guard !info.isNull else { return }
            let config = try await document(
                "/redis/v0/databases/\(addonID)/config", endpoint: "GET /redis/v0/databases/{addon}/config", kind: ResourceKind.redisConfig,
                parentKey: addonID, parentName: addonName, api: .data)
            if let config, !config.isNull {
                await store(ResourceKind.redisConfig, addonID, addonName, config)
            }
        }
    }

    private func collectSchedules(addonID: String, addonName: String, appID: String?) async throws {
        let endpoint = "GET /client/v11/databases/{addon}/transfer-schedules"
        guard let schedules = try await document(
            "/client/v11/databases/\(addonID)/transfer-schedules", endpoint: endpoint, kind: ResourceKind.postgresBackupSchedule,
            parentKey: addonID, parentName: addonName, api: .data)
        else { return }
        for schedule in schedules.arrayValue ?? [] {
            let name = schedule["name"]?.stringValue ?? "schedule"
            let key = schedule["uuid"]?.stringValue ?? "\(addonID)/\(name)"
            await collector.add(
                CapturedResource(
                    kind: ResourceKind.postgresBackupSchedule, key: key, name: "\(addonName)/\(name)", parentKey: addonID, appKey: appID,
                    body: schedule))
        }
    }

    /// Backups are an append-mostly log, so an app's recent backups are stored as one
    /// summary: the count, and the ten newest with their outcome and times.
    private func collectBackups(appID: String, appName: String) async throws {
        let endpoint = "GET /client/v11/apps/{app}/transfers"
        guard let transfers = try await document(
            "/client/v11/apps/\(appID)/transfers", endpoint: endpoint, kind: ResourceKind.postgresBackups, parentKey: appID,
            parentName: appName, api: .data)
        else { return }
        let backups = (transfers.arrayValue ?? []).filter {
            $0["from_type"]?.stringValue == "pg_dump" && $0["to_type"]?.stringValue == "gof3r"
        }
        let newest = backups.sorted { ($0["created_at"]?.stringValue ?? "") > ($1["created_at"]?.stringValue ?? "") }
        let summaryFields = ["num", "from_name", "to_name", "succeeded", "created_at", "finished_at", "processed_bytes", "schedule"]
        let recent: [JSONValue] = newest.prefix(10).map { backup in
            var fields: [String: JSONValue] = [:]
            for field in summaryFields { fields[field] = backup[field] ?? .null }
            return .object(fields)
        }
        let lastSuccess = newest.first { $0["succeeded"]?.boolValue == true }
        let body: JSONValue = [
            "app": ["id": .string(appID), "name": .string(appName)],
            "backup_count": .number(Double(backups.count)),
            "last_successful_backup_at": lastSuccess?["finished_at"] ?? .null,
            "recent": .array(recent),
        ]
        await collector.add(
            CapturedResource(kind: ResourceKind.postgresBackups, key: appID, name: appName, parentKey: appID, appKey: appID, body: body))
    }
}
