/// The resource kinds Docket captures. Each is stored under this name, in snapshots, diffs,
/// bundles (`data/snapshots/<time>/<kind>/`) and control results.
///
/// Keys are Heroku ids, except where Heroku has none per resource:
/// - `app-feature`: `<app id>/<feature name>`, because feature ids are the same on every app;
/// - `buildpacks`, `release`, `postgres-backups`: the app id (one resource per app: its
///   buildpack list, its latest release, a summary of its recent backups);
/// - `inbound-ruleset`: the space id;
/// - `postgres`, `redis`, `redis-config`: the add-on id.
///
/// A data-API 404 is stored as a `postgres` or `redis` resource whose body is
/// `{"addon": {"id", "name"}, "data_api_record": false}`: the add-on exists but the data API
/// has no record of it (still provisioning, or not managed there). It is not a failed listing.
public enum ResourceKind {
    public static let account = "account"
    public static let region = "region"
    public static let stack = "stack"
    public static let team = "team"
    public static let teamMember = "team-member"
    public static let app = "app"
    public static let collaborator = "collaborator"
    public static let domain = "domain"
    public static let formation = "formation"
    public static let sniEndpoint = "sni-endpoint"
    public static let logDrain = "log-drain"
    public static let appFeature = "app-feature"
    public static let buildpacks = "buildpacks"
    public static let webhook = "webhook"
    public static let release = "release"
    public static let addon = "addon"
    public static let addonAttachment = "addon-attachment"
    public static let pipeline = "pipeline"
    public static let pipelineCoupling = "pipeline-coupling"
    public static let space = "space"
    public static let inboundRuleset = "inbound-ruleset"
    public static let postgres = "postgres"
    public static let postgresBackupSchedule = "postgres-backup-schedule"
    public static let postgresBackups = "postgres-backups"
    public static let redis = "redis"
    public static let redisConfig = "redis-config"

    public static let all: [String] = [
        account, region, stack, team, teamMember, app, collaborator, domain, formation, sniEndpoint, logDrain, appFeature,
        buildpacks, webhook, release, addon, addonAttachment, pipeline, pipelineCoupling, space, inboundRuleset, postgres,
        postgresBackupSchedule, postgresBackups, redis, redisConfig,
    ]
}
