/// One control: its stable id, what it checks and why, the fields it reads, and the code
/// that turns a snapshot into results.
public struct ControlDefinition: Sendable {
    /// Stable across Docket versions; results, timelines and `disabled_controls` use it.
    public let id: String
    public let title: String
    /// The reason an auditor cares, in one or two sentences.
    public let rationale: String
    /// The fields the control reads, as `kind.path`; results list the subset they used.
    public let fieldsRead: [String]
    /// Production-only controls report other apps as not applicable.
    public let isProductionOnly: Bool
    let evaluate: @Sendable (ControlContext) throws -> [ControlResult]

    var jsonValue: JSONValue {
        [
            "id": .string(id), "title": .string(title), "rationale": .string(rationale),
            "fields_read": .array(fieldsRead.map { .string($0) }), "production_only": .bool(isProductionOnly),
        ]
    }
}

/// Every control Docket evaluates, in report order.
public enum ControlCatalogue {
    public static let all: [ControlDefinition] = [
        ControlDefinition(
            id: "account-mfa", title: "Account has multi-factor authentication",
            rationale: "A password alone is a single point of compromise for every app the account reaches. Federated accounts sign in through an identity provider, which enforces MFA instead.",
            fieldsRead: ["account.two_factor_authentication", "account.federated"], isProductionOnly: false,
            evaluate: IdentityControls.accountMFA),
        ControlDefinition(
            id: "team-member-mfa", title: "Team members have multi-factor authentication",
            rationale: "Every member can reach the team's apps, so each member's sign-in must resist a stolen password. Federated members are covered by their identity provider.",
            fieldsRead: ["team-member.two_factor_authentication", "team-member.federated", "team-member.email"],
            isProductionOnly: false, evaluate: IdentityControls.teamMemberMFA),
        ControlDefinition(
            id: "team-admin-limit", title: "Team admins stay within the policy's maximum",
            rationale: "Admins can add members, change roles and delete apps; keeping them few limits who can do so.",
            fieldsRead: ["team-member.role"], isProductionOnly: false, evaluate: IdentityControls.teamAdminLimit),
        ControlDefinition(
            id: "email-domain-allowed", title: "Members and collaborators use allowed email domains",
            rationale: "An address outside the organisation's domains is access the organisation's offboarding does not remove.",
            fieldsRead: ["team-member.email", "collaborator.user.email"], isProductionOnly: false,
            evaluate: IdentityControls.emailDomains),
        ControlDefinition(
            id: "app-stack-supported", title: "Apps run and build on a supported stack",
            rationale: "A stack past end of life gets no security updates, and Heroku stops building apps on it.",
            fieldsRead: ["app.stack.name", "app.build_stack.name"], isProductionOnly: false,
            evaluate: AppControls.stackSupported),
        ControlDefinition(
            id: "domain-certificate", title: "Custom domains are served with a working certificate",
            rationale: "A custom domain needs an ACM or SNI certificate to serve HTTPS; an ACM status stuck in failing means the certificate will not be issued or renewed.",
            fieldsRead: ["domain.kind", "domain.acm_status", "domain.sni_endpoint"], isProductionOnly: false,
            evaluate: AppControls.domainCertificate),
        ControlDefinition(
            id: "certificate-expiry", title: "No certificate expires within the policy's window",
            rationale: "An expired certificate breaks HTTPS for every domain it covers.",
            fieldsRead: ["sni-endpoint.ssl_cert.expires_at", "sni-endpoint.ssl_cert.acm"], isProductionOnly: false,
            evaluate: AppControls.certificateExpiry),
        ControlDefinition(
            id: "production-log-shipping", title: "Production apps ship their logs",
            rationale: "Heroku keeps only the most recent log lines; investigations need logs kept elsewhere, through a log drain or a logging add-on.",
            fieldsRead: ["log-drain.app.id", "addon.addon_service.name", "addon.app.id"], isProductionOnly: true,
            evaluate: AppControls.logShipping),
        ControlDefinition(
            id: "region-allowed", title: "Apps and spaces run in allowed regions",
            rationale: "Where apps run is part of the organisation's hosting commitments. A Heroku region says where dynos run; Heroku does not present it as a data-residency guarantee.",
            fieldsRead: ["app.region.name", "space.region.name"], isProductionOnly: false,
            evaluate: AppControls.regionAllowed),
        ControlDefinition(
            id: "postgres-continuous-protection", title: "Production Postgres can be recovered",
            rationale: "A production database needs continuous protection (every plan above the Essential tier) or scheduled backups to recover from data loss.",
            fieldsRead: ["postgres.plan", "postgres.features.continuous_protection.enabled", "postgres-backup-schedule"],
            isProductionOnly: true, evaluate: DatastoreControls.postgresProtection),
        ControlDefinition(
            id: "postgres-version-supported", title: "Production Postgres runs a supported major version",
            rationale: "Heroku restricts access to and deletes databases left on a major version past its end of life.",
            fieldsRead: ["postgres.postgres_version", "postgres.version", "postgres.info[PG Version]"], isProductionOnly: true,
            evaluate: DatastoreControls.postgresVersion),
        ControlDefinition(
            id: "postgres-high-availability", title: "Production Postgres is highly available where the policy requires it",
            rationale: "A highly available database fails over to a standby instead of waiting for the primary's recovery.",
            fieldsRead: ["postgres.plan", "postgres.features.highly_available.enabled", "postgres.info[HA Status]"],
            isProductionOnly: true, evaluate: DatastoreControls.postgresHighAvailability),
        ControlDefinition(
            id: "redis-tls", title: "Redis requires TLS",
            rationale: "Without TLS, data and credentials cross the network in clear text.",
            fieldsRead: ["redis.prefer_native_tls"], isProductionOnly: false, evaluate: DatastoreControls.redisTLS),
        ControlDefinition(
            id: "redis-version-supported", title: "Redis runs a supported version",
            rationale: "An unsupported version gets no fixes and may be upgraded by force.",
            fieldsRead: ["redis.version"], isProductionOnly: false, evaluate: DatastoreControls.redisVersion),
        ControlDefinition(
            id: "space-inbound-restricted", title: "Private-space inbound rules are not open to the whole internet",
            rationale: "A private space exists to limit who can reach its apps; an allow rule for 0.0.0.0/0 undoes that.",
            fieldsRead: ["inbound-ruleset.rules[].action", "inbound-ruleset.rules[].source"], isProductionOnly: false,
            evaluate: AccessControls.spaceInbound),
        ControlDefinition(
            id: "access-removal", title: "Access removals are recorded, and revoked people have no access",
            rationale: "Auditors test that leavers lost access; each removal is listed with the snapshot that first shows it.",
            fieldsRead: ["team-member.email", "collaborator.user.email"], isProductionOnly: false,
            evaluate: AccessControls.accessRemoval),
        ControlDefinition(
            id: "evidence-fresh", title: "The last successful capture is recent enough",
            rationale: "Evidence is only as current as the last complete capture.",
            fieldsRead: ["runs.outcome", "runs.started_at"], isProductionOnly: false, evaluate: EvidenceControls.freshness),
        ControlDefinition(
            id: "evidence-continuous", title: "Capture had no gap longer than the cadence",
            rationale: "Continuous monitoring means no stretch of the period went unobserved.",
            fieldsRead: ["runs.outcome", "runs.started_at"], isProductionOnly: false, evaluate: EvidenceControls.continuity),
        ControlDefinition(
            id: EvidenceControls.storeIntactID, title: "The store passes docket check",
            rationale: "Results are only worth the evidence behind them; every digest and the snapshot chain must verify.",
            fieldsRead: ["store"], isProductionOnly: false, evaluate: EvidenceControls.storeIntact),
    ]

    public static func control(id: String) -> ControlDefinition? {
        all.first { $0.id == id }
    }

    /// The catalogue as JSON: id, title, rationale, fields read, production-only.
    public static var jsonValue: JSONValue { .array(all.map(\.jsonValue)) }
}
