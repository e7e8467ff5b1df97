import Foundation
import Testing

@testable import DocketKit

/// One fixture that must give `control` the `expected` status on the result whose resource
/// is named `subject`.
struct ControlCase: Sendable, CustomTestStringConvertible {
    let control: String
    let expected: ControlStatus
    let subject: String
    /// The fixture's distinguishing fact, shown in the test name.
    let why: String
    let scenario: ControlScenario

    var testDescription: String { "\(control) \(expected.rawValue): \(why)" }
}

private typealias F = ControlFixtures

private let production = ControlFixtures.coupling(app: "api", stage: "production")
private let staging = ControlFixtures.coupling(app: "api", stage: "staging")
private let snapshotSubject = ControlFixtures.time

private func policy(_ change: (inout ControlPolicy) -> Void) -> ControlPolicy {
    var policy = ControlPolicy()
    change(&policy)
    return policy
}

private func scenario(_ change: (inout ControlScenario) -> Void) -> ControlScenario {
    var scenario = ControlScenario([F.account()])
    change(&scenario)
    return scenario
}

/// Every control gets at least a pass, a fail, a not-applicable and an error fixture.
let controlCases: [ControlCase] = [
    // account-mfa
    ControlCase(control: "account-mfa", expected: .pass, subject: "compliance@acme.example", why: "MFA on", scenario: ControlScenario([F.account(mfa: true)])),
    ControlCase(control: "account-mfa", expected: .fail, subject: "compliance@acme.example", why: "MFA off", scenario: ControlScenario([F.account(mfa: false)])),
    ControlCase(
        control: "account-mfa", expected: .notApplicable, subject: "compliance@acme.example", why: "federated user",
        scenario: ControlScenario([F.account(mfa: false, federated: true)])),
    ControlCase(
        control: "account-mfa", expected: .error, subject: "GET /account", why: "account not recorded",
        scenario: ControlScenario([], notRecorded: [F.notRecorded(ResourceKind.account)])),
    ControlCase(
        control: "account-mfa", expected: .error, subject: "compliance@acme.example", why: "MFA field missing",
        scenario: ControlScenario([F.account(mfa: nil)])),

    // team-member-mfa
    ControlCase(
        control: "team-member-mfa", expected: .pass, subject: "acme/bob@acme.example", why: "member with MFA",
        scenario: ControlScenario([F.team(), F.member("bob@acme.example", mfa: true)])),
    ControlCase(
        control: "team-member-mfa", expected: .fail, subject: "acme/bob@acme.example", why: "member without MFA",
        scenario: ControlScenario([F.team(), F.member("bob@acme.example", mfa: false)])),
    ControlCase(
        control: "team-member-mfa", expected: .notApplicable, subject: "acme/erin@acme.example", why: "federated member",
        scenario: ControlScenario([F.team(), F.member("erin@acme.example", mfa: false, federated: true)])),
    ControlCase(
        control: "team-member-mfa", expected: .error, subject: "GET /team-member", why: "members not recorded",
        scenario: ControlScenario([F.team()], notRecorded: [F.notRecorded(ResourceKind.teamMember, parent: F.teamID)])),

    // team-admin-limit
    ControlCase(
        control: "team-admin-limit", expected: .pass, subject: "acme", why: "two admins, maximum three",
        scenario: ControlScenario([F.team(), F.member("a@acme.example", role: "admin"), F.member("b@acme.example", role: "admin")])),
    ControlCase(
        control: "team-admin-limit", expected: .fail, subject: "acme", why: "two admins, maximum one",
        scenario: ControlScenario(
            [F.team(), F.member("a@acme.example", role: "admin"), F.member("b@acme.example", role: "admin")],
            policy: policy { $0.maxTeamAdmins = 1 })),
    ControlCase(
        control: "team-admin-limit", expected: .notApplicable, subject: snapshotSubject, why: "no team",
        scenario: ControlScenario([F.account()])),
    ControlCase(
        control: "team-admin-limit", expected: .error, subject: "acme", why: "members not recorded",
        scenario: ControlScenario([F.team()], notRecorded: [F.notRecorded(ResourceKind.teamMember, parent: F.teamID)])),

    // email-domain-allowed
    ControlCase(
        control: "email-domain-allowed", expected: .pass, subject: "acme/alice@acme.example", why: "member in allowed domain",
        scenario: ControlScenario([F.team(), F.member("alice@acme.example")], policy: policy { $0.allowedEmailDomains = ["acme.example"] })),
    ControlCase(
        control: "email-domain-allowed", expected: .fail, subject: "api/dave@contractor.example", why: "collaborator outside",
        scenario: ControlScenario(
            [F.app("api"), F.collaborator("dave@contractor.example", app: "api")], policy: policy { $0.allowedEmailDomains = ["acme.example"] })),
    ControlCase(
        control: "email-domain-allowed", expected: .notApplicable, subject: snapshotSubject, why: "policy lists no domains",
        scenario: ControlScenario([F.team(), F.member("dave@contractor.example")])),
    ControlCase(
        control: "email-domain-allowed", expected: .error, subject: "GET /collaborator", why: "collaborators not recorded",
        scenario: ControlScenario(
            [F.app("api")], notRecorded: [F.notRecorded(ResourceKind.collaborator, parent: "app-api")],
            policy: policy { $0.allowedEmailDomains = ["acme.example"] })),

    // app-stack-supported
    ControlCase(control: "app-stack-supported", expected: .pass, subject: "api", why: "heroku-24", scenario: ControlScenario([F.app("api")])),
    ControlCase(
        control: "app-stack-supported", expected: .fail, subject: "worker", why: "heroku-20 past end of life",
        scenario: ControlScenario([F.app("worker", stack: "heroku-20", buildStack: "heroku-20")])),
    ControlCase(
        control: "app-stack-supported", expected: .fail, subject: "worker", why: "build stack past end of life",
        scenario: ControlScenario([F.app("worker", stack: "heroku-24", buildStack: "heroku-18")])),
    ControlCase(
        control: "app-stack-supported", expected: .notApplicable, subject: "image", why: "container app",
        scenario: ControlScenario([F.app("image", stack: "container", buildStack: "container")])),
    ControlCase(
        control: "app-stack-supported", expected: .error, subject: "api", why: "stack not recorded",
        scenario: ControlScenario([F.app("api", stack: nil, buildStack: nil)])),
    ControlCase(
        control: "app-stack-supported", expected: .error, subject: "GET /app", why: "apps not recorded",
        scenario: ControlScenario([F.account()], notRecorded: [F.notRecorded(ResourceKind.app)])),

    // domain-certificate
    ControlCase(
        control: "domain-certificate", expected: .pass, subject: "www.acme.example", why: "SNI endpoint",
        scenario: ControlScenario([F.app("web"), F.domain("www.acme.example", app: "web", sniEndpoint: "stegosaurus")])),
    ControlCase(
        control: "domain-certificate", expected: .pass, subject: "api.acme.example", why: "ACM issued",
        scenario: ControlScenario([F.app("api"), F.domain("api.acme.example", app: "api", acmStatus: "cert issued")])),
    ControlCase(
        control: "domain-certificate", expected: .fail, subject: "api.acme.example", why: "ACM failing",
        scenario: ControlScenario([F.app("api"), F.domain("api.acme.example", app: "api", acmStatus: "failing")])),
    ControlCase(
        control: "domain-certificate", expected: .fail, subject: "bare.acme.example", why: "no certificate",
        scenario: ControlScenario([F.app("api"), F.domain("bare.acme.example", app: "api")])),
    ControlCase(
        control: "domain-certificate", expected: .notApplicable, subject: "api.herokuapp.com", why: "Heroku domain",
        scenario: ControlScenario([F.app("api"), F.domain("api.herokuapp.com", app: "api", kind: "heroku")])),
    ControlCase(
        control: "domain-certificate", expected: .error, subject: "GET /domain", why: "domains not recorded",
        scenario: ControlScenario([F.app("api")], notRecorded: [F.notRecorded(ResourceKind.domain, parent: "app-api")])),

    // certificate-expiry
    ControlCase(
        control: "certificate-expiry", expected: .pass, subject: "web/stegosaurus", why: "expires in nine months",
        scenario: ControlScenario([F.app("web"), F.sniEndpoint("stegosaurus", app: "web", expiresAt: "2027-01-01T00:00:00Z")])),
    ControlCase(
        control: "certificate-expiry", expected: .fail, subject: "web/stegosaurus", why: "expires in 13 days",
        scenario: ControlScenario([F.app("web"), F.sniEndpoint("stegosaurus", app: "web", expiresAt: "2026-04-07T23:59:59Z")])),
    ControlCase(
        control: "certificate-expiry", expected: .fail, subject: "web/stegosaurus", why: "expired",
        scenario: ControlScenario([F.app("web"), F.sniEndpoint("stegosaurus", app: "web", expiresAt: "2026-03-01T00:00:00Z")])),
    ControlCase(
        control: "certificate-expiry", expected: .notApplicable, subject: "web/acm", why: "ACM renews it",
        scenario: ControlScenario([F.app("web"), F.sniEndpoint("acm", app: "web", expiresAt: "2026-04-01T00:00:00Z", acm: true)])),
    ControlCase(
        control: "certificate-expiry", expected: .error, subject: "web/stegosaurus", why: "expiry not recorded",
        scenario: ControlScenario([F.app("web"), F.sniEndpoint("stegosaurus", app: "web", expiresAt: nil)])),
    ControlCase(
        control: "certificate-expiry", expected: .error, subject: "GET /sni-endpoint", why: "endpoints not recorded",
        scenario: ControlScenario([F.app("web")], notRecorded: [F.notRecorded(ResourceKind.sniEndpoint, parent: "app-web")])),

    // production-log-shipping
    ControlCase(
        control: "production-log-shipping", expected: .pass, subject: "api", why: "log drain",
        scenario: ControlScenario([F.app("api"), production, F.logDrain(app: "api")])),
    ControlCase(
        control: "production-log-shipping", expected: .pass, subject: "api", why: "logging add-on",
        scenario: ControlScenario([F.app("api"), production, F.addon("papertrail-1", app: "api", service: "papertrail", plan: "fixa")])),
    ControlCase(
        control: "production-log-shipping", expected: .fail, subject: "api", why: "neither",
        scenario: ControlScenario([F.app("api"), production, F.addon("scheduler-1", app: "api", service: "scheduler", plan: "standard")])),
    ControlCase(
        control: "production-log-shipping", expected: .notApplicable, subject: "api", why: "staging app",
        scenario: ControlScenario([F.app("api"), staging])),
    ControlCase(
        control: "production-log-shipping", expected: .error, subject: "api", why: "drains not recorded",
        scenario: ControlScenario([F.app("api"), production], notRecorded: [F.notRecorded(ResourceKind.logDrain, parent: "app-api")])),
    ControlCase(
        control: "production-log-shipping", expected: .error, subject: "api", why: "couplings not recorded",
        scenario: ControlScenario([F.app("api"), F.logDrain(app: "api")], notRecorded: [F.notRecorded(ResourceKind.pipelineCoupling)])),

    // region-allowed
    ControlCase(
        control: "region-allowed", expected: .pass, subject: "api", why: "us allowed",
        scenario: ControlScenario([F.app("api", region: "us")], policy: policy { $0.allowedRegions = ["us", "virginia"] })),
    ControlCase(
        control: "region-allowed", expected: .fail, subject: "eu-space", why: "space in frankfurt",
        scenario: ControlScenario([F.space("eu-space", region: "frankfurt")], policy: policy { $0.allowedRegions = ["us", "virginia"] })),
    ControlCase(
        control: "region-allowed", expected: .notApplicable, subject: snapshotSubject, why: "policy lists no regions",
        scenario: ControlScenario([F.app("api", region: "eu")])),
    ControlCase(
        control: "region-allowed", expected: .error, subject: "GET /space", why: "spaces not recorded",
        scenario: ControlScenario([F.app("api")], notRecorded: [F.notRecorded(ResourceKind.space)], policy: policy { $0.allowedRegions = ["us"] })),

    // postgres-continuous-protection
    ControlCase(
        control: "postgres-continuous-protection", expected: .pass, subject: "pg-standard", why: "standard plan",
        scenario: ControlScenario([F.app("api"), production, F.postgres("pg-standard", app: "api", body: F.dedicatedBody())])),
    ControlCase(
        control: "postgres-continuous-protection", expected: .pass, subject: "pg-essential", why: "essential with a schedule",
        scenario: ControlScenario(
            [F.app("api"), production, F.postgres("pg-essential", app: "api", body: F.essentialBody()), F.schedule(addon: "pg-essential", app: "api")])),
    ControlCase(
        control: "postgres-continuous-protection", expected: .pass, subject: "pg-advanced", why: "advanced with protection",
        scenario: ControlScenario([F.app("api"), production, F.postgres("pg-advanced", app: "api", body: F.advancedBody())])),
    ControlCase(
        control: "postgres-continuous-protection", expected: .fail, subject: "pg-essential", why: "essential without a schedule",
        scenario: ControlScenario([F.app("api"), production, F.postgres("pg-essential", app: "api", body: F.essentialBody())])),
    ControlCase(
        control: "postgres-continuous-protection", expected: .notApplicable, subject: "pg-essential", why: "staging database",
        scenario: ControlScenario([F.app("api"), staging, F.postgres("pg-essential", app: "api", body: F.essentialBody())])),
    ControlCase(
        control: "postgres-continuous-protection", expected: .notApplicable, subject: "pg-new", why: "staging database without data-API record",
        scenario: ControlScenario([F.app("api"), staging, F.postgres("pg-new", app: "api", body: F.noDataAPIRecord)])),
    ControlCase(
        control: "postgres-continuous-protection", expected: .error, subject: "pg-essential", why: "schedules not recorded",
        scenario: ControlScenario(
            [F.app("api"), production, F.postgres("pg-essential", app: "api", body: F.essentialBody())],
            notRecorded: [F.notRecorded(ResourceKind.postgresBackupSchedule, parent: "addon-pg-essential")])),
    ControlCase(
        control: "postgres-continuous-protection", expected: .error, subject: "pg-new", why: "no data-API record",
        scenario: ControlScenario([F.app("api"), production, F.postgres("pg-new", app: "api", body: F.noDataAPIRecord)])),

    // postgres-version-supported
    ControlCase(
        control: "postgres-version-supported", expected: .pass, subject: "pg", why: "16 supported",
        scenario: ControlScenario([F.app("api"), production, F.postgres("pg", app: "api", body: F.dedicatedBody(version: "16.4"))])),
    ControlCase(
        control: "postgres-version-supported", expected: .pass, subject: "pg", why: "essential shape reads PG Version",
        scenario: ControlScenario([F.app("api"), production, F.postgres("pg", app: "api", body: F.essentialBody(version: "17.2"))])),
    ControlCase(
        control: "postgres-version-supported", expected: .fail, subject: "pg", why: "13 past end of life",
        scenario: ControlScenario([F.app("api"), production, F.postgres("pg", app: "api", body: F.dedicatedBody(version: "13.12"))])),
    ControlCase(
        control: "postgres-version-supported", expected: .notApplicable, subject: "pg", why: "staging database",
        scenario: ControlScenario([F.app("api"), staging, F.postgres("pg", app: "api", body: F.dedicatedBody(version: "13.12"))])),
    ControlCase(
        control: "postgres-version-supported", expected: .error, subject: "pg", why: "version not recorded",
        scenario: ControlScenario([F.app("api"), production, F.postgres("pg", app: "api", body: F.dedicatedBody(version: nil))])),
    ControlCase(
        control: "postgres-version-supported", expected: .error, subject: "GET /postgres", why: "data API not read",
        scenario: ControlScenario([F.app("api"), production], notRecorded: [F.notRecorded(ResourceKind.postgres, parent: "addon-pg")])),

    // postgres-high-availability
    ControlCase(
        control: "postgres-high-availability", expected: .pass, subject: "pg", why: "advanced with HA",
        scenario: ControlScenario(
            [F.app("api"), production, F.postgres("pg", app: "api", body: F.advancedBody())], policy: policy { $0.postgresRequiresHighAvailability = true })),
    ControlCase(
        control: "postgres-high-availability", expected: .pass, subject: "pg", why: "premium HA available",
        scenario: ControlScenario(
            [F.app("api"), production, F.postgres("pg", app: "api", body: F.dedicatedBody(plan: "premium-0", haStatus: "Available"))],
            policy: policy { $0.postgresRequiresHighAvailability = true })),
    ControlCase(
        control: "postgres-high-availability", expected: .fail, subject: "pg", why: "standard plan",
        scenario: ControlScenario(
            [F.app("api"), production, F.postgres("pg", app: "api", body: F.dedicatedBody(plan: "standard-0"))],
            policy: policy { $0.postgresRequiresHighAvailability = true })),
    ControlCase(
        control: "postgres-high-availability", expected: .notApplicable, subject: snapshotSubject, why: "policy does not require HA",
        scenario: ControlScenario([F.app("api"), production, F.postgres("pg", app: "api", body: F.dedicatedBody(plan: "standard-0"))])),
    ControlCase(
        control: "postgres-high-availability", expected: .error, subject: "pg", why: "no data-API record",
        scenario: ControlScenario(
            [F.app("api"), production, F.postgres("pg", app: "api", body: F.noDataAPIRecord)], policy: policy { $0.postgresRequiresHighAvailability = true })),

    // redis-tls
    ControlCase(control: "redis-tls", expected: .pass, subject: "redis-1", why: "TLS on", scenario: ControlScenario([F.app("api"), F.redis("redis-1", app: "api")])),
    ControlCase(
        control: "redis-tls", expected: .fail, subject: "redis-1", why: "TLS off", scenario: ControlScenario([F.app("api"), F.redis("redis-1", app: "api", tls: false)])),
    ControlCase(control: "redis-tls", expected: .notApplicable, subject: snapshotSubject, why: "no Redis", scenario: ControlScenario([F.app("api")])),
    ControlCase(
        control: "redis-tls", expected: .error, subject: "redis-1", why: "TLS setting not recorded",
        scenario: ControlScenario([F.app("api"), F.redis("redis-1", app: "api", tls: nil)])),

    // redis-version-supported
    ControlCase(
        control: "redis-version-supported", expected: .pass, subject: "redis-1", why: "7.2", scenario: ControlScenario([F.app("api"), F.redis("redis-1", app: "api")])),
    ControlCase(
        control: "redis-version-supported", expected: .fail, subject: "redis-1", why: "6.2 unknown to the table",
        scenario: ControlScenario([F.app("api"), F.redis("redis-1", app: "api", version: "6.2.14")])),
    ControlCase(
        control: "redis-version-supported", expected: .pass, subject: "redis-1", why: "6.2 allowed by the policy",
        scenario: ControlScenario(
            [F.app("api"), F.redis("redis-1", app: "api", version: "6.2.14")], policy: policy { $0.redisSupportedVersions = ["6.2", "7.2"] })),
    ControlCase(control: "redis-version-supported", expected: .notApplicable, subject: snapshotSubject, why: "no Redis", scenario: ControlScenario([F.app("api")])),
    ControlCase(
        control: "redis-version-supported", expected: .error, subject: "GET /redis", why: "data API not read",
        scenario: ControlScenario([F.app("api")], notRecorded: [F.notRecorded(ResourceKind.redis, parent: "addon-redis-1")])),

    // space-inbound-restricted
    ControlCase(
        control: "space-inbound-restricted", expected: .pass, subject: "private", why: "office range only",
        scenario: ControlScenario([F.space("private"), F.ruleset(space: "private", sources: ["203.0.113.0/24"])])),
    ControlCase(
        control: "space-inbound-restricted", expected: .fail, subject: "private", why: "0.0.0.0/0 allowed",
        scenario: ControlScenario([F.space("private"), F.ruleset(space: "private", sources: ["203.0.113.0/24", "0.0.0.0/0"])])),
    ControlCase(
        control: "space-inbound-restricted", expected: .notApplicable, subject: snapshotSubject, why: "no space",
        scenario: ControlScenario([F.app("api")])),
    ControlCase(
        control: "space-inbound-restricted", expected: .error, subject: "private", why: "ruleset not recorded",
        scenario: ControlScenario([F.space("private")], notRecorded: [F.notRecorded(ResourceKind.inboundRuleset, parent: "space-private")])),

    // access-removal (removals across snapshots are tested in AccessRemovalTests)
    ControlCase(
        control: "access-removal", expected: .pass, subject: "revoked_emails: carol@acme.example", why: "revoked person absent",
        scenario: ControlScenario([F.team(), F.member("bob@acme.example")], policy: policy { $0.revokedEmails = ["carol@acme.example"] })),
    ControlCase(
        control: "access-removal", expected: .fail, subject: "acme/carol@acme.example", why: "revoked person present",
        scenario: ControlScenario([F.team(), F.member("carol@acme.example")], policy: policy { $0.revokedEmails = ["carol@acme.example"] })),
    ControlCase(
        control: "access-removal", expected: .notApplicable, subject: snapshotSubject, why: "nothing removed, nothing revoked",
        scenario: ControlScenario([F.team(), F.member("bob@acme.example")])),
    ControlCase(
        control: "access-removal", expected: .error, subject: "revoked_emails: carol@acme.example", why: "members not recorded",
        scenario: ControlScenario(
            [F.team()], notRecorded: [F.notRecorded(ResourceKind.teamMember, parent: F.teamID)], policy: policy { $0.revokedEmails = ["carol@acme.example"] })),

    // evidence-fresh
    ControlCase(control: "evidence-fresh", expected: .pass, subject: snapshotSubject, why: "this snapshot's run succeeded", scenario: ControlScenario([F.account()])),
    ControlCase(
        control: "evidence-fresh", expected: .fail, subject: snapshotSubject, why: "no run completed",
        scenario: ControlScenario([F.account()], notRecorded: [F.notRecorded(ResourceKind.app)])),
    ControlCase(
        control: "evidence-fresh", expected: .fail, subject: "2026-03-20T06:00:00Z", why: "last success five days old",
        scenario: scenario {
            $0.notRecorded = [F.notRecorded(ResourceKind.app)]
            $0.earlierRuns = [("2026-03-20T06:00:00Z", .complete)]
        }),
    ControlCase(
        control: "evidence-fresh", expected: .notApplicable, subject: snapshotSubject, why: "no maximum age",
        scenario: ControlScenario([F.account()], policy: policy { $0.evidenceMaxAgeSeconds = nil })),
    ControlCase(control: "evidence-fresh", expected: .error, subject: snapshotSubject, why: "empty run ledger", scenario: scenario { $0.recordsRun = false }),

    // evidence-continuous
    ControlCase(
        control: "evidence-continuous", expected: .pass, subject: snapshotSubject, why: "daily captures",
        scenario: scenario { $0.earlierRuns = [("2026-03-23T06:00:00Z", .complete), ("2026-03-24T06:10:00Z", .complete)] }),
    ControlCase(
        control: "evidence-continuous", expected: .fail, subject: snapshotSubject, why: "three-day gap",
        scenario: scenario { $0.earlierRuns = [("2026-03-22T06:00:00Z", .complete), ("2026-03-23T06:00:00Z", .transientFailure)] }),
    ControlCase(
        control: "evidence-continuous", expected: .notApplicable, subject: snapshotSubject, why: "no cadence",
        scenario: ControlScenario([F.account()], policy: policy { $0.evidenceCadenceSeconds = nil })),
    ControlCase(control: "evidence-continuous", expected: .error, subject: snapshotSubject, why: "empty run ledger", scenario: scenario { $0.recordsRun = false }),

    // evidence-store-intact
    ControlCase(control: "evidence-store-intact", expected: .pass, subject: "docket check", why: "intact store", scenario: ControlScenario([F.account()])),
    ControlCase(control: "evidence-store-intact", expected: .fail, subject: "docket check", why: "altered object", scenario: scenario { $0.corruptsAnObject = true }),
    ControlCase(
        control: "evidence-store-intact", expected: .notApplicable, subject: snapshotSubject, why: "check turned off",
        scenario: ControlScenario([F.account()], policy: policy { $0.evidenceCheckStore = false })),
    ControlCase(control: "evidence-store-intact", expected: .error, subject: "docket check", why: "check cannot run", scenario: scenario { $0.storeCheckFails = true }),
]

@Suite("control catalogue")
struct ControlCatalogueTests {
    @Test("control fixture gives the expected status", arguments: controlCases)
    func fixture(_ testCase: ControlCase) throws {
        let report = try testCase.scenario.report()
        let results = report.results.filter { $0.controlID == testCase.control }
        let matching = results.filter { $0.resource?.name == testCase.subject }
        #expect(!matching.isEmpty, "no \(testCase.control) result for \(testCase.subject); results: \(results.map { "\($0.resource?.name ?? "-"): \($0.status.rawValue) \($0.message)" })")
        #expect(matching.contains { $0.status == testCase.expected }, "\(matching.map { "\($0.status.rawValue): \($0.message)" })")
        if testCase.expected == .error {
            #expect(!matching.contains { $0.status == .pass }, "a result whose data was not recorded passed")
        }
        for result in matching where result.status != .notApplicable {
            #expect(!result.fieldsRead.isEmpty, "\(result.message) names no field read")
        }
    }

    @Test("every control has pass, fail, n/a and error fixtures")
    func everyControlCovered() {
        for control in ControlCatalogue.all {
            let statuses = Set(controlCases.filter { $0.control == control.id }.map(\.expected))
            #expect(statuses == Set(ControlStatus.allCases), "\(control.id) has fixtures for \(statuses.map(\.rawValue).sorted())")
        }
    }

    @Test("control ids are unique and stable in form")
    func identifiers() {
        let ids = ControlCatalogue.all.map(\.id)
        #expect(Set(ids).count == ids.count)
        for id in ids {
            #expect(id.allSatisfy { $0.isLowercase || $0 == "-" }, "\(id)")
        }
        for control in ControlCatalogue.all {
            #expect(!control.rationale.isEmpty, "\(control.id)")
            #expect(!control.fieldsRead.isEmpty, "\(control.id)")
        }
    }

    @Test("resource results carry the body's digest")
    func digestsPointAtEvidence() throws {
        let store = try ControlFixtures.makeStore()
        let snapshot = try ControlFixtures.commit(store, [F.account(mfa: false), F.app("worker", stack: "heroku-20")])
        let report = try ControlEvaluator(store: store).evaluate(snapshot)
        let result = try #require(report.results.first { $0.controlID == "app-stack-supported" })
        let entry = try store.findResource(kind: ResourceKind.app, nameOrID: "worker", in: snapshot)
        #expect(result.resource?.digest == entry.digest)
        #expect(result.resource?.key == entry.key)
        #expect(result.fieldsRead == ["app.stack.name", "app.build_stack.name"])
    }
}
