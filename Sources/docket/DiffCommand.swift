import Foundation
import DocketKit

/// `docket diff`: what changed between two snapshots, resource by resource and field by field.
enum DiffCommand: Command {
    static let name = "diff"
    static let summary = "show what changed between two snapshots"
    static let usage = "diff [FROM [TO]] [--kind KIND] [--app APP] [--all-fields] [--format FORMAT] [--exit-code]"
    static let discussion = """
        With no argument, compares the latest snapshot with its parent; with FROM, compares
        FROM with the latest; with FROM and TO, compares the two. A snapshot is `latest`, a
        digest prefix of at least 7 hex digits, a UTC date YYYY-MM-DD (the last complete
        snapshot captured on or before the end of that day) or an ISO 8601 date-time.

        Resources are matched by Heroku id, so a renamed app is one change of `name`. Lists
        are matched by key (id, name, hostname, email...), so a reordered list is no change.
        A resource whose listing failed on one side is reported as not recorded, never as
        removed. Fields that change without anyone changing the configuration (updated_at,
        slug sizes, database size, rollback windows...) are hidden and counted unless
        --all-fields; docs/volatility.md lists them.

        Formats: text (the default; colour on a terminal), json (schema docket-diff/1),
        markdown (for change tickets), json-patch (RFC 6902 per resource, computed on the
        full stored bodies). docs/diff-formats.md describes each.
        """
    static let options = [
        OptionSpec("kind", value: "KIND", help: "compare only this resource kind (repeat or separate with commas)"),
        OptionSpec("app", value: "APP", help: "compare only this app (name or id) and what belongs to it: domains, add-ons, drains, databases..."),
        OptionSpec("all-fields", help: "also show volatile fields, flagged as such"),
        OptionSpec("format", value: "FORMAT", help: "text, json, markdown or json-patch (default: text; --json means json)"),
        OptionSpec("exit-code", help: "exit 1 when differences remain after the volatility policy, else 0"),
    ]
    static let exitCodes: [(Int32, String)] = [
        (1, "with --exit-code: differences found"), (2, "the store cannot be opened or read"),
        (6, "the store is damaged: an object it read no longer matches its digest"),
    ]
    static let formats = ["text", "json", "markdown", "json-patch"]

    static func run(_ context: CommandContext) throws -> Int32 {
        let positionals = try context.positionals(minimum: 0, maximum: 2)
        let format = try outputFormat(context)
        let kinds = try kindFilter(context)
        let store = try context.openStore()
        try store.reservePageCacheForReading()
        // With a second core, a second read connection compares half the differing leaves.
        // It reads only snapshots and objects, which no capture changes.
        let reader = ProcessInfo.processInfo.activeProcessorCount > 1 ? try SnapshotStore(path: store.path, readOnly: true) : nil
        try reader?.reservePageCacheForReading()
        // One read transaction: every lookup reads the same state of the store, even while a
        // capture commits, and SQLite takes its locks once instead of once per object.
        let (diff, output) = try store.withConsistentRead {
            let (from, to) = try snapshots(positionals, store: store)
            let appKey = try context.arguments.value("app").map { try resolveApp($0, from: from, to: to, store: store) }
            let filter = DiffFilter(kinds: kinds, appKey: appKey)
            var differ = SnapshotDiffer(store: store)
            differ.readsLeavesOnce = true
            let diff = try differ.diff(
                from: from, to: to, filter: filter, includeVolatile: context.arguments.has("all-fields"), reader: reader)
            switch format {
            case "json": return (diff, DiffRenderer.json(diff))
            case "markdown": return (diff, DiffRenderer.markdown(diff))
            case "json-patch": return (diff, try DiffRenderer.jsonPatch(diff, store: store))
            default: return (diff, DiffRenderer.text(diff, colour: context.usesColour))
            }
        }
        context.console.outputRaw(output)
        let hasDifferences = !diff.isEmpty
        return context.arguments.has("exit-code") && hasDifferences ? ExitStatus.differencesOrStale : ExitStatus.success
    }

    private static func outputFormat(_ context: CommandContext) throws -> String {
        let format = try context.arguments.choice("format", formats, default: context.wantsJSON ? "json" : "text", command: name)
        if context.wantsJSON && format != "json" {
            throw UsageError("--json and --format \(format) cannot be combined.", command: name)
        }
        return format
    }

    private static func kindFilter(_ context: CommandContext) throws -> Set<String> {
        let kinds = (context.arguments.values["kind"] ?? []).flatMap { $0.split(separator: ",").map(String.init) }
        for kind in kinds where !ResourceKind.all.contains(kind) {
            throw UsageError("unknown kind \"\(kind)\" for --kind: expected one of \(ResourceKind.all.joined(separator: ", ")).", command: name)
        }
        return Set(kinds)
    }

    /// FROM and TO as the discussion describes them.
    private static func snapshots(_ references: [String], store: SnapshotStore) throws -> (SnapshotInfo, SnapshotInfo) {
        let to = try references.count == 2 ? store.resolve(references[1]) : store.resolve("latest")
        if references.isEmpty {
            guard let parent = try store.parent(of: to) else {
                throw DocketError(
                    .failure,
                    "the latest snapshot \(to.shortDigest) (\(to.capturedAt)) is the first in the store, so it has no parent to compare with. Capture again, then run `docket diff`.")
            }
            return (parent, to)
        }
        let from = try store.resolve(references[0])
        if (from.capturedAt, from.id) > (to.capturedAt, to.id) {
            throw UsageError(
                "FROM \(references[0]) (snapshot \(from.shortDigest), \(from.capturedAt)) is later than TO \(references.count == 2 ? references[1] : "latest") (snapshot \(to.shortDigest), \(to.capturedAt)). Give the older snapshot first.",
                command: name)
        }
        return (from, to)
    }

    /// The key of the app named or identified by `nameOrID` in either snapshot.
    private static func resolveApp(_ nameOrID: String, from: SnapshotInfo, to: SnapshotInfo, store: SnapshotStore) throws -> String {
        let apps = try store.entries(of: from, kind: ResourceKind.app) + store.entries(of: to, kind: ResourceKind.app)
        if apps.contains(where: { $0.key == nameOrID }) {
            return nameOrID
        }
        let keys = Set(apps.filter { $0.name == nameOrID }.map(\.key))
        guard keys.count <= 1 else {
            throw UsageError(
                "the app name \"\(nameOrID)\" belongs to \(keys.count) apps in these snapshots; give the id instead: \(keys.sorted().joined(separator: ", ")).",
                command: name)
        }
        guard let key = keys.first else {
            throw UsageError(
                "no app named \"\(nameOrID)\" or with that id in snapshot \(from.digest == to.digest ? from.shortDigest : "\(from.shortDigest) or \(to.shortDigest)"). List them with `docket show latest app`.",
                command: name)
        }
        return key
    }
}

extension CommandContext {
    /// True when stdout is a terminal and `NO_COLOR` is unset (https://no-color.org).
    var usesColour: Bool {
        console.isOutputTerminal && (environment["NO_COLOR"] ?? "").isEmpty
    }
}
