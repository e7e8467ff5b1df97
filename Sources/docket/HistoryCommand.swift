import DocketKit

/// `docket history`: one resource's timeline, every snapshot where it changed.
enum HistoryCommand: Command {
    static let name = "history"
    static let summary = "show every snapshot where one resource changed"
    static let usage = "history KIND/NAME-OR-ID [--since DATE] [--until DATE] [--all-fields] [--format FORMAT]"
    static let discussion = """
        Lists each snapshot where the resource appeared, changed, was removed or could not be
        read, with the fields that changed, from its first appearance to its removal. The
        resource is found by its Heroku id, its current name or any past name, so a renamed
        app is followed across its renames. DATE is a UTC day (YYYY-MM-DD) or an ISO 8601
        date-time; both bounds are inclusive, and the first change listed is still compared
        with the state before --since. Volatile fields are hidden and counted unless
        --all-fields; docs/volatility.md lists them.
        """
    static let options = [
        OptionSpec("since", value: "DATE", help: "only changes captured on or after DATE"),
        OptionSpec("until", value: "DATE", help: "only changes captured on or before DATE (a day includes all of it)"),
        OptionSpec("all-fields", help: "also show volatile fields, flagged as such"),
        OptionSpec("format", value: "FORMAT", help: "text or json (default: text; --json means json)"),
    ]
    static let exitCodes: [(Int32, String)] = [
        (2, "the store cannot be opened, or no such resource"),
        (6, "the store is damaged: an object it read no longer matches its digest"),
    ]

    static func run(_ context: CommandContext) throws -> Int32 {
        let selector = try context.positionals(minimum: 1, maximum: 1)[0]
        guard let slash = selector.firstIndex(of: "/"), slash != selector.startIndex, selector.last != "/" else {
            throw UsageError("expected KIND/NAME-OR-ID, such as app/api or domain/www.example.com, not \"\(selector)\".", command: name)
        }
        let kind = String(selector[..<slash])
        let nameOrID = String(selector[selector.index(after: slash)...])
        let format = try context.arguments.choice("format", ["text", "json"], default: context.wantsJSON ? "json" : "text", command: name)
        let (since, until) = try TimeBounds.parse(context: context)
        let store = try context.openStore()

        // One read transaction, as in `docket diff`: one view of the store, locked once.
        let timeline = try store.withConsistentRead {
            try ResourceHistory(store: store).timeline(
                kind: kind, nameOrID: nameOrID, since: since, until: until, includeVolatile: context.arguments.has("all-fields"))
        }
        for other in timeline.otherMatches {
            context.console.info("note: \"\(nameOrID)\" was also the name of \(kind) \(other.key); showing \(timeline.key), which had it last.")
        }
        if format == "json" {
            context.console.outputRaw(HistoryRenderer.json(timeline))
        } else {
            context.console.outputRaw(HistoryRenderer.text(timeline, colour: context.usesColour))
        }
        return ExitStatus.success
    }
}
