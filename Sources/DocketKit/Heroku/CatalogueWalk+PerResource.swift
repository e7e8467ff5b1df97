import Foundation

/// The per-app, per-space and per-database listings of the catalogue.
extension CatalogueWalk {
    /// One per-app listing: its path under `/apps/{app}`, the kind it yields, and how each
    /// item is keyed and named.
    struct AppListing: Sendable {
        let suffix: String
        let kind: String
        var variant: String? = nil
        let describe: @Sendable (_ item: JSONValue, _ appID: String, _ appName: String) -> (key: String, name: String)?
    }

    static let appListings: [AppListing] = [
        AppListing(suffix: "collaborators", kind: ResourceKind.collaborator) { item, _, appName in
            guard let id = item["id"]?.stringValue else { return nil }
            return (id, "\(appName)/\(item["user"]?["email"]?.stringValue ?? id)")
        },
        AppListing(suffix: "domains", kind: ResourceKind.domain) { item, _, _ in
            guard let id = item["id"]?.stringValue else { return nil }
            return (id, item["hostname"]?.stringValue ?? id)
        },
        AppListing(suffix: "formation", kind: ResourceKind.formation) { item, _, appName in
            guard let id = item["id"]?.stringValue else { return nil }
            return (id, "\(appName)/\(item["type"]?.stringValue ?? id)")
        },
        AppListing(suffix: "sni-endpoints", kind: ResourceKind.sniEndpoint) { item, _, appName in
            guard let id = item["id"]?.stringValue else { return nil }
            return (id, "\(appName)/\(item["name"]?.stringValue ?? id)")
        },
        AppListing(suffix: "log-drains", kind: ResourceKind.logDrain) { item, _, appName in
            guard let id = item["id"]?.stringValue else { return nil }
            let host = item["url"]?.stringValue.flatMap { URLComponents(string: $0)?.host } ?? id
            return (id, "\(appName)/\(host)")
        },
        AppListing(suffix: "features", kind: ResourceKind.appFeature) { item, appID, appName in
            guard let name = item["name"]?.stringValue else { return nil }
            return ("\(appID)/\(name)", "\(appName)/\(name)")
        },
        AppListing(suffix: "webhooks", kind: ResourceKind.webhook, variant: "3.webhooks") { item, _, appName in
            guard let id = item["id"]?.stringValue else { return nil }
            let host = item["url"]?.stringValue.flatMap { URLComponents(string: $0)?.host } ?? id
            return (id, "\(appName)/\(host)")
        },
    ]

    func collectPerApp(_ apps: [JSONValue]) async throws {
        progress?.beginPhase("apps", total: apps.count)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for app in apps {
                guard let appID = app["id"]?.stringValue else { continue }
                let appName = app["name"]?.stringValue ?? appID
                group.addTask {
                    try await collectApp(appID: appID, appName: appName)
                    progress?.advance()
                }
            }
            try await group.waitForAll()
        }
        progress?.endPhase()
    }

    private func collectApp(appID: String, appName: String) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for listing in Self.appListings {
                group.addTask {
                    let items = try await list(
                        "/apps/\(appID)/\(listing.suffix)", endpoint: "GET /apps/{app}/\(listing.suffix)", kind: listing.kind,
                        parentKey: appID, parentName: appName, variant: listing.variant)
                    var resources: [CapturedResource] = []
                    for item in items ?? [] {
                        guard let (key, name) = listing.describe(item, appID, appName) else { continue }
                        resources.append(CapturedResource(kind: listing.kind, key: key, name: name, parentKey: appID, appKey: appID, body: item))
                    }
                    await collector.add(resources)
                }
            }
            group.addTask { try await collectBuildpacks(appID: appID, appName: appName) }
            group.addTask { try await collectLatestRelease(appID: appID, appName: appName) }
            try await group.waitForAll()
        }
    }

    /// Buildpack installations have no ids, so an app's list is stored as one resource.
    private func collectBuildpacks(appID: String, appName: String) async throws {
        let items = try await list(
            "/apps/\(appID)/buildpack-installations", endpoint: "GET /apps/{app}/buildpack-installations",
            kind: ResourceKind.buildpacks, parentKey: appID, parentName: appName, rangeField: "ordinal")
        guard let items else { return }
        let sorted = items.sorted { ($0["ordinal"]?.doubleValue ?? 0) < ($1["ordinal"]?.doubleValue ?? 0) }
        let body: JSONValue = ["app": ["id": .string(appID), "name": .string(appName)], "buildpacks": .array(sorted)]
        await collector.add(CapturedResource(kind: ResourceKind.buildpacks, key: appID, name: appName, parentKey: appID, appKey: appID, body: body))
    }

    /// Reads only the latest release, because releases are append-only history and the newest
    /// one describes what runs now. `Range: version ..; max=1, order=desc` returns it in one request.
    private func collectLatestRelease(appID: String, appName: String) async throws {
        let endpoint = "GET /apps/{app}/releases"
        do {
            let items = try await client.getList(
                "/apps/\(appID)/releases", endpoint: endpoint, rangeField: "version", order: "desc", pageSize: 1, followPages: false)
            guard let items else {
                await collector.missing(
                    NotRecordedListing(kind: ResourceKind.release, parentKey: appID, parentName: appName, listing: endpoint, error: "HTTP 404: not found"))
                return
            }
            guard let latest = items.first else { return }
            await collector.add(
                CapturedResource(kind: ResourceKind.release, key: appID, name: appName, parentKey: appID, appKey: appID, body: Redactor.redact(latest)))
        } catch let error as HerokuRequestError {
            if error.kind == .unauthorized { throw CaptureAbort(error: error) }
            await collector.missing(
                NotRecordedListing(kind: ResourceKind.release, parentKey: appID, parentName: appName, listing: endpoint, error: error.reason))
        }
    }

    // MARK: - Spaces

    func collectSpaces(_ spaces: [JSONValue]) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for space in spaces {
                guard let spaceID = space["id"]?.stringValue else { continue }
                let spaceName = space["name"]?.stringValue ?? spaceID
                group.addTask {
                    let endpoint = "GET /spaces/{space}/inbound-ruleset"
                    guard let ruleset = try await document(
                        "/spaces/\(spaceID)/inbound-ruleset", endpoint: endpoint, kind: ResourceKind.inboundRuleset, parentKey: spaceID,
                        parentName: spaceName, api: .platform)
                    else { return }
                    await collector.add(
                        CapturedResource(kind: ResourceKind.inboundRuleset, key: spaceID, name: spaceName, parentKey: spaceID, body: ruleset))
                }
            }
            try await group.waitForAll()
        }
    }

    /// Reads one document. A platform 404 records the listing as not read; a data-API 404
    /// returns `.null`, the caller's cue to store "no data-API record".
    func document(_ path: String, endpoint: String, kind: String, parentKey: String?, parentName: String?, api: HerokuAPI,
                  dependentKinds: [String] = []) async throws -> JSONValue? {
        do {
            guard let value = try await client.getObject(path, endpoint: endpoint, api: api) else {
                if api == .data { return .null }
                await collector.missing(
                    NotRecordedListing(kind: kind, parentKey: parentKey, parentName: parentName, listing: endpoint, error: "HTTP 404: not found"))
                return nil
            }
            return Redactor.redact(value)
        } catch let error as HerokuRequestError {
            if error.kind == .unauthorized { throw CaptureAbort(error: error) }
            // Kinds read only after this document, such as a database's backup schedules, are
            // unknown too.
            for missingKind in [kind] + dependentKinds {
                let reason = missingKind == kind ? error.reason : "not read, because \(endpoint) failed"
                await collector.missing(
                    NotRecordedListing(kind: missingKind, parentKey: parentKey, parentName: parentName, listing: endpoint, error: reason))
            }
            return nil
        }
    }
}
