import DocketKit

/// `docket controls`: evaluates the compliance controls on one snapshot.
enum ControlsCommand: Command {
    static let name = "controls"
    static let summary = "evaluate the compliance controls on a snapshot"
    static let usage = "controls [REF] [--policy FILE] [--format text|json|csv] [--as-of now|snapshot] [--exit-code]"
    static let discussion = """
        Evaluates every control of the catalogue on the snapshot REF (default: latest) and
        prints one result per resource: pass, fail, not-applicable (with the reason) or
        error (the data was not recorded in the snapshot). Each result names the resource,
        the digest of its stored body and the fields read; `docket show REF KIND/KEY` prints
        that evidence.

        --policy FILE reads the organisation's choices (production apps, allowed domains and
        regions, windows and limits) from JSON, where // and /* */ comments are allowed;
        without it the defaults apply. docs/controls.md documents every key.

        --as-of sets the time reference of the time-dependent controls (capture age, end of
        life, certificate expiry): `now` (the default; DOCKET_NOW overrides the clock) for a
        live check, or `snapshot`, the snapshot's capture time, which makes the results the
        same on every run. --catalogue lists the controls and Docket's end-of-life table
        instead of evaluating.
        """
    static let options = [
        OptionSpec("policy", value: "FILE", help: "the policy file (JSON with comments); default: built-in defaults"),
        OptionSpec("format", value: "FORMAT", help: "text (default), json or csv"),
        OptionSpec("as-of", value: "WHEN", help: "time reference: now (default) or snapshot"),
        OptionSpec("exit-code", help: "exit 1 when a control fails or could not be evaluated"),
        OptionSpec("catalogue", help: "list the controls and the end-of-life table, and exit"),
    ]
    static let exitCodes: [(Int32, String)] = [
        (1, "with --exit-code: a control failed, or could not be evaluated (error)"),
        (2, "the store cannot be opened"),
        (6, "the store is damaged: an object no longer matches its digest (the report is still printed)"),
    ]

    static func run(_ context: CommandContext) throws -> Int32 {
        let positionals = try context.positionals(minimum: 0, maximum: 1)
        let formats = ControlRenderer.Format.allCases.map(\.rawValue)
        let formatName = try context.arguments.choice("format", formats, default: context.wantsJSON ? "json" : "text", command: name)
        let format = ControlRenderer.Format(rawValue: formatName) ?? .text
        let asOf = try context.arguments.choice("as-of", ["now", "snapshot"], default: "now", command: name)
        let policyPath = context.arguments.value("policy")
        let policy = try policyPath.map(ControlPolicy.load(path:)) ?? .defaults
        if context.arguments.has("catalogue") {
            printCatalogue(format: format, context: context)
            return ExitStatus.success
        }

        let store = try context.openStore()
        let snapshot = try store.resolve(positionals.first ?? "latest")
        let evaluator = ControlEvaluator(
            store: store, policy: policy, policySource: policyPath ?? "defaults",
            timeReference: asOf == "now" ? .now : .snapshot, now: Timestamp.now(environment: context.environment))
        let report = try evaluator.evaluate(snapshot)
        context.console.outputRaw(ControlRenderer.render(report, as: format))

        if format != .text {
            context.console.info(ControlRenderer.summary(report))
        }
        if report.hasErrors {
            let errors = report.count(.error)
            let subject = errors == 1 ? "1 result could not be evaluated because its data was" : "\(errors) results could not be evaluated because their data was"
            context.console.warning("\(subject) not recorded or is damaged in snapshot \(snapshot.shortDigest)")
        }
        // An altered object reads as empty, so its controls report errors. The store check
        // names the damage, and the command exits 6 as other commands do on damage.
        if report.hasStoreDamage {
            context.console.error("the store is damaged: evidence-store-intact failed. Run `docket check` to list the damaged objects.")
            return ExitStatus.integrity
        }
        let failing = report.hasFailures || report.hasErrors
        return context.arguments.has("exit-code") && failing ? ExitStatus.differencesOrStale : ExitStatus.success
    }

    private static func printCatalogue(format: ControlRenderer.Format, context: CommandContext) {
        if format == .json {
            let value: JSONValue = ["controls": ControlCatalogue.jsonValue, "support_calendar": SupportCalendar.jsonValue]
            context.console.outputRaw(PrettyJSON.encode(value))
            return
        }
        for control in ControlCatalogue.all {
            let scope = control.isProductionOnly ? " (production apps only)" : ""
            context.console.output("\(control.id): \(control.title)\(scope)")
            context.console.output("  \(control.rationale)")
            context.console.output("  reads: \(control.fieldsRead.joined(separator: ", "))")
        }
        context.console.output("")
        context.console.output("end-of-life table:")
        for window in SupportCalendar.all {
            let date = window.endOfLife ?? "none published"
            let confirmed = window.isConfirmed ? "" : " (unconfirmed: \(window.asPublished))"
            context.console.output("  \(window.product) \(window.version): \(date)\(confirmed), \(window.source)")
        }
    }
}
