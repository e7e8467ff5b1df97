import Foundation

/// Progress callbacks of a capture: one phase at a time, with a total when it is known.
public protocol CaptureProgress: Sendable {
    func beginPhase(_ name: String, total: Int?)
    func advance()
    func endPhase()
    /// A one-line message between progress updates, such as a long wait.
    func note(_ text: String)
}

/// What a walk of the catalogue collected: redacted resources, the listings it could not
/// read, and the core failure that stops the capture, if any.
struct CatalogueResult: Sendable {
    var resources: [CapturedResource]
    var notRecorded: [NotRecordedListing]
    var account: JSONValue
}

/// A failure that stops the capture before a snapshot can be recorded: a 401 anywhere, or
/// a core listing (`/account`, `/apps`) that could not be read.
struct CaptureAbort: Error, Sendable {
    let error: HerokuRequestError
}

/// Collects resources from concurrent listings.
actor ResourceCollector {
    private(set) var resources: [CapturedResource] = []
    private(set) var notRecorded: [NotRecordedListing] = []

    func add(_ resource: CapturedResource) {
        resources.append(resource)
    }

    func add(_ list: [CapturedResource]) {
        resources += list
    }

    func missing(_ listing: NotRecordedListing) {
        notRecorded.append(listing)
    }
}

/// Walks Heroku's resource catalogue: account-wide listings, then per team, per app, per
/// space and per database add-on. Dyno state and config var values are never requested.
struct CatalogueWalk: Sendable {
    let client: HerokuClient
    let progress: (any CaptureProgress)?
    let collector = ResourceCollector()

    func run() async throws -> CatalogueResult {
        let floor = client.configuration.minimumRateLimit
        let refill = client.configuration.rateLimitRefillPerMinute
        await client.gate.observeWaits { [progress] seconds in
            progress?.note(
                "capture: waiting \(Int(seconds.rounded(.up))) s for the Heroku rate-limit budget to refill above --min-rate-limit \(floor) (refill \(Int(refill)) a minute)")
        }
        progress?.beginPhase("account", total: 8)
        let account = try await core("/account", endpoint: "GET /account", kind: ResourceKind.account)
        guard let accountID = account["id"]?.stringValue else {
            throw CaptureAbort(error: HerokuRequestError(kind: .other, endpoint: "GET /account", status: 200, message: "the account has no id"))
        }
        await collector.add(CapturedResource(kind: ResourceKind.account, key: accountID, name: account["email"]?.stringValue ?? accountID, body: account))
        progress?.advance()
        let appList = try await coreList("/apps", endpoint: "GET /apps")
        progress?.advance()
        async let teams = listAndStore("/teams", endpoint: "GET /teams", kind: ResourceKind.team)
        async let addons = listAndStore("/addons", endpoint: "GET /addons", kind: ResourceKind.addon)
        async let spaces = listAndStore("/spaces", endpoint: "GET /spaces", kind: ResourceKind.space)
        async let pipelines = listAndStore("/pipelines", endpoint: "GET /pipelines", kind: ResourceKind.pipeline)
        async let regions = listAndStore("/regions", endpoint: "GET /regions", kind: ResourceKind.region)
        async let stacks = listAndStore("/stacks", endpoint: "GET /stacks", kind: ResourceKind.stack)
        let (teamList, addonList, spaceList, pipelineList, _, _) = try await (teams, addons, spaces, pipelines, regions, stacks)
        progress?.endPhase()
        await recordDependents(
            teams: teamList == nil, addons: addonList == nil, spaces: spaceList == nil)

        let apps = try await collectApps(appList, teams: teamList ?? [])
        try await collectAddonAttachments(apps: apps)
        try await collectPipelineCouplings(pipelines: pipelineList ?? [], apps: apps)
        try await collectPerApp(apps)
        try await collectSpaces(spaceList ?? [])
        try await collectDatabases(addonList ?? [], apps: apps)
        return CatalogueResult(
            resources: await collector.resources, notRecorded: await collector.notRecorded,
            account: ["id": .string(accountID), "email": account["email"] ?? .null])
    }

    // MARK: - Listing helpers

    /// Reads a core document; any failure stops the capture.
    private func core(_ path: String, endpoint: String, kind: String) async throws -> JSONValue {
        do {
            guard let value = try await client.getObject(path, endpoint: endpoint) else {
                throw CaptureAbort(error: HerokuRequestError(kind: .notFound, endpoint: endpoint, status: 404, message: "not found"))
            }
            return Redactor.redact(value)
        } catch let error as HerokuRequestError {
            throw CaptureAbort(error: error)
        }
    }

    private func coreList(_ path: String, endpoint: String) async throws -> [JSONValue] {
        do {
            guard let list = try await client.getList(path, endpoint: endpoint) else {
                throw CaptureAbort(error: HerokuRequestError(kind: .notFound, endpoint: endpoint, status: 404, message: "not found"))
            }
            return list.map { Redactor.redact($0) }
        } catch let error as HerokuRequestError {
            throw CaptureAbort(error: error)
        }
    }

    /// Reads a list; on failure records the listing as not read and returns nil. A 401
    /// stops the whole capture, because every later request would fail the same way.
    func list(_ path: String, endpoint: String, kind: String, parentKey: String? = nil, parentName: String? = nil,
              rangeField: String = "id", variant: String? = nil) async throws -> [JSONValue]? {
        do {
            guard let list = try await client.getList(path, endpoint: endpoint, rangeField: rangeField, variant: variant) else {
                await collector.missing(
                    NotRecordedListing(kind: kind, parentKey: parentKey, parentName: parentName, listing: endpoint, error: "HTTP 404: not found"))
                return nil
            }
            return list.map { Redactor.redact($0) }
        } catch let error as HerokuRequestError {
            if error.kind == .unauthorized { throw CaptureAbort(error: error) }
            await collector.missing(
                NotRecordedListing(kind: kind, parentKey: parentKey, parentName: parentName, listing: endpoint, error: error.reason))
            return nil
        }
    }

    /// Marks the kinds that a failed top-level listing leads to as not recorded, so that their
    /// resources are unknown in this snapshot rather than missing. Without `/teams` the team
    /// members and the team-only apps cannot be listed; without `/addons` no database can be
    /// found; without `/spaces` no inbound ruleset.
    private func recordDependents(teams: Bool, addons: Bool, spaces: Bool) async {
        var dependents: [(kind: String, listing: String)] = []
        if teams {
            dependents += [(ResourceKind.teamMember, "GET /teams"), (ResourceKind.app, "GET /teams")]
        }
        if addons {
            let kinds = [
                ResourceKind.postgres, ResourceKind.postgresBackupSchedule, ResourceKind.postgresBackups, ResourceKind.redis,
                ResourceKind.redisConfig,
            ]
            dependents += kinds.map { ($0, "GET /addons") }
        }
        if spaces {
            dependents.append((ResourceKind.inboundRuleset, "GET /spaces"))
        }
        for dependent in dependents {
            await collector.missing(
                NotRecordedListing(
                    kind: dependent.kind, parentKey: nil, listing: dependent.listing,
                    error: "not read, because \(dependent.listing) failed"))
        }
    }

    /// Reads a top-level list and stores each item under its id and name.
    private func listAndStore(_ path: String, endpoint: String, kind: String) async throws -> [JSONValue]? {
        let items = try await list(path, endpoint: endpoint, kind: kind)
        for item in items ?? [] {
            guard let id = item["id"]?.stringValue else { continue }
            let appKey = kind == ResourceKind.addon ? item["app"]?["id"]?.stringValue : nil
            await collector.add(CapturedResource(kind: kind, key: id, name: item["name"]?.stringValue ?? id, appKey: appKey, body: item))
        }
        progress?.advance()
        return items
    }

    // MARK: - Apps and teams

    /// Apps are the union of `/apps` and every `/teams/{team}/apps`, deduplicated by id,
    /// because `/apps` can omit team apps the caller has not joined.
    private func collectApps(_ appList: [JSONValue], teams: [JSONValue]) async throws -> [JSONValue] {
        progress?.beginPhase("teams", total: teams.count)
        var apps: [String: JSONValue] = [:]
        for app in appList {
            if let id = app["id"]?.stringValue { apps[id] = app }
        }
        let teamApps = try await withThrowingTaskGroup(of: [JSONValue].self) { group in
            for team in teams {
                guard let teamID = team["id"]?.stringValue else { continue }
                let teamName = team["name"]?.stringValue ?? teamID
                group.addTask {
                    try await collectMembers(teamID: teamID, teamName: teamName)
                    let list = try await list(
                        "/teams/\(teamID)/apps", endpoint: "GET /teams/{team}/apps", kind: ResourceKind.app, parentKey: nil, parentName: teamName)
                    progress?.advance()
                    return list ?? []
                }
            }
            var all: [JSONValue] = []
            for try await list in group { all += list }
            return all
        }
        for app in teamApps {
            if let id = app["id"]?.stringValue, apps[id] == nil { apps[id] = app }
        }
        for (id, app) in apps {
            await collector.add(CapturedResource(kind: ResourceKind.app, key: id, name: app["name"]?.stringValue ?? id, appKey: id, body: app))
        }
        progress?.endPhase()
        return apps.values.sorted { ($0["id"]?.stringValue ?? "") < ($1["id"]?.stringValue ?? "") }
    }

    private func collectMembers(teamID: String, teamName: String) async throws {
        let members = try await list(
            "/teams/\(teamID)/members", endpoint: "GET /teams/{team}/members", kind: ResourceKind.teamMember, parentKey: teamID,
            parentName: teamName, rangeField: "email")
        for member in members ?? [] {
            let email = member["email"]?.stringValue ?? member["user"]?["email"]?.stringValue ?? "unknown"
            let memberID = member["id"]?.stringValue ?? email
            await collector.add(
                CapturedResource(kind: ResourceKind.teamMember, key: "\(teamID)/\(memberID)", name: "\(teamName)/\(email)", parentKey: teamID, body: member))
        }
    }

    private func collectAddonAttachments(apps: [JSONValue]) async throws {
        let appNames = Self.appNames(apps)
        let attachments = try await list("/addon-attachments", endpoint: "GET /addon-attachments", kind: ResourceKind.addonAttachment)
        for attachment in attachments ?? [] {
            guard let id = attachment["id"]?.stringValue else { continue }
            let appID = attachment["app"]?["id"]?.stringValue
            let appName = attachment["app"]?["name"]?.stringValue ?? appID.flatMap { appNames[$0] } ?? "?"
            let name = "\(appName)/\(attachment["name"]?.stringValue ?? id)"
            await collector.add(CapturedResource(kind: ResourceKind.addonAttachment, key: id, name: name, appKey: appID, body: attachment))
        }
    }

    private func collectPipelineCouplings(pipelines: [JSONValue], apps: [JSONValue]) async throws {
        let appNames = Self.appNames(apps)
        var pipelineNames: [String: String] = [:]
        for pipeline in pipelines {
            if let id = pipeline["id"]?.stringValue { pipelineNames[id] = pipeline["name"]?.stringValue ?? id }
        }
        let couplings = try await list("/pipeline-couplings", endpoint: "GET /pipeline-couplings", kind: ResourceKind.pipelineCoupling)
        for coupling in couplings ?? [] {
            guard let id = coupling["id"]?.stringValue else { continue }
            let appID = coupling["app"]?["id"]?.stringValue
            let pipelineID = coupling["pipeline"]?["id"]?.stringValue ?? "?"
            let pipelineName = coupling["pipeline"]?["name"]?.stringValue ?? pipelineNames[pipelineID] ?? pipelineID
            let appName = coupling["app"]?["name"]?.stringValue ?? appID.flatMap { appNames[$0] } ?? appID ?? "?"
            let name = "\(pipelineName)/\(appName)"
            await collector.add(CapturedResource(kind: ResourceKind.pipelineCoupling, key: id, name: name, appKey: appID, body: coupling))
        }
    }

    static func appNames(_ apps: [JSONValue]) -> [String: String] {
        var names: [String: String] = [:]
        for app in apps {
            if let id = app["id"]?.stringValue { names[id] = app["name"]?.stringValue ?? id }
        }
        return names
    }
}
