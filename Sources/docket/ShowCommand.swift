import DocketKit

/// `docket show`: a snapshot's summary, one kind's resources, or one resource's stored JSON.
enum ShowCommand: Command {
    static let name = "show"
    static let summary = "show a snapshot, a kind's resources, or one resource's JSON"
    static let usage = "show REF [KIND[/NAME-OR-ID]] [--json]"
    static let discussion = """
        REF is `latest`, a digest prefix of at least 7 hex digits, a UTC date YYYY-MM-DD (the
        last complete snapshot captured on or before the end of that day) or an ISO 8601
        date-time. With only REF, prints the snapshot's header and its resource count per kind.
        With KIND (such as app, domain, addon, postgres), lists that kind's resources. With
        KIND/NAME-OR-ID, prints that resource's stored JSON, as redacted and canonicalized.
        """
    static let options: [OptionSpec] = []
    static let exitCodes: [(Int32, String)] = [
        (2, "the store cannot be opened, or no such resource"),
        (6, "the store is damaged: an object it read no longer matches its digest"),
    ]

    static func run(_ context: CommandContext) throws -> Int32 {
        let positionals = try context.positionals(minimum: 1, maximum: 2)
        let store = try context.openStore()
        let snapshot = try store.resolve(positionals[0])
        guard positionals.count == 2 else {
            try showSnapshot(snapshot, store: store, context: context)
            return ExitStatus.success
        }
        let selector = positionals[1]
        if let slash = selector.firstIndex(of: "/") {
            let kind = String(selector[..<slash])
            let nameOrID = String(selector[selector.index(after: slash)...])
            let entry = try store.findResource(kind: kind, nameOrID: nameOrID, in: snapshot)
            context.console.outputRaw(PrettyJSON.encode(try store.body(of: entry)))
        } else {
            try showKind(selector, snapshot: snapshot, store: store, context: context)
        }
        return ExitStatus.success
    }

    private static func showSnapshot(_ snapshot: SnapshotInfo, store: SnapshotStore, context: CommandContext) throws {
        let entries = try store.entries(of: snapshot)
        var counts: [String: Int] = [:]
        for entry in entries { counts[entry.kind, default: 0] += 1 }
        if context.wantsJSON {
            var report = JSONReports.snapshot(snapshot).objectValue ?? [:]
            report["kinds"] = .object(counts.mapValues { .number(Double($0)) })
            context.console.outputRaw(PrettyJSON.encode(.object(report)))
            return
        }
        context.console.output("snapshot  \(snapshot.digest)")
        context.console.output("parent    \(snapshot.parentDigest ?? "none")")
        context.console.output("captured  \(snapshot.capturedAt)")
        context.console.output("account   \(snapshot.accountEmail ?? "unknown")")
        context.console.output("tree      \(snapshot.treeDigest)")
        context.console.output("state     \(snapshot.isComplete ? "complete" : "incomplete")")
        for listing in snapshot.notRecorded {
            context.console.output("  not recorded: \(listing.kind)\(listing.parentKey.map { " of \($0)" } ?? "") (\(listing.listing): \(listing.error))")
        }
        context.console.output("")
        for (kind, count) in counts.sorted(by: { $0.key < $1.key }) {
            context.console.output("\(kind.rightPadded(26)) \(String(count).leftPadded(6))")
        }
    }

    private static func showKind(_ kind: String, snapshot: SnapshotInfo, store: SnapshotStore, context: CommandContext) throws {
        guard ResourceKind.all.contains(kind) else {
            throw UsageError("unknown kind \"\(kind)\": expected one of \(ResourceKind.all.joined(separator: ", ")).", command: name)
        }
        let entries = try store.entries(of: snapshot, kind: kind).sorted { ($0.name, $0.key) < ($1.name, $1.key) }
        if context.wantsJSON {
            let list: [JSONValue] = entries.map {
                ["kind": .string($0.kind), "key": .string($0.key), "name": .string($0.name), "digest": .string($0.digest),
                 "app": $0.appKey.map { .string($0) } ?? .null]
            }
            context.console.outputRaw(PrettyJSON.encode(.array(list)))
            return
        }
        for entry in entries {
            context.console.output("\(entry.name.rightPadded(40)) \(entry.key.rightPadded(36)) \(entry.digest.prefix(12))")
        }
    }
}
