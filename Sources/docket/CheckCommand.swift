import DocketKit

/// `docket check`: recomputes every digest, tree and snapshot, and follows the chain.
enum CheckCommand: Command {
    static let name = "check"
    static let summary = "verify the store: SQLite integrity, every digest, tree and snapshot, the chain"
    static let usage = "check [--json]"
    static let discussion = """
        Runs SQLite's integrity check, re-hashes every stored object, walks every snapshot's
        tree, recomputes each snapshot digest and follows the parent chain from the first
        snapshot to the last. Every problem is listed with the object, tree or snapshot it
        concerns; checking does not stop at the first.
        """
    static let options: [OptionSpec] = []
    static let exitCodes: [(Int32, String)] = [(2, "the store cannot be opened"), (6, "a problem was found")]

    static func run(_ context: CommandContext) throws -> Int32 {
        _ = try context.positionals(minimum: 0, maximum: 0)
        let store = try context.openStore()
        let report = try StoreChecker(store: store).run()
        if context.wantsJSON {
            let problems: [JSONValue] = report.problems.map { ["subject": .string($0.subject), "message": .string($0.message)] }
            context.console.outputRaw(
                PrettyJSON.encode([
                    "valid": .bool(report.isValid), "objects": .number(Double(report.objectsChecked)),
                    "snapshots": .number(Double(report.snapshotsChecked)), "problems": .array(problems),
                ]))
        } else {
            for problem in report.problems {
                context.console.output(problem.description)
            }
            let summary = "checked \(report.objectsChecked) objects and \(report.snapshotsChecked) snapshots"
            if report.isValid {
                context.console.info("\(summary): no problems found")
            } else {
                let count = report.problems.count
                context.console.error("\(summary): \(count) \(count == 1 ? "problem" : "problems") found")
            }
        }
        return report.isValid ? ExitStatus.success : ExitStatus.integrity
    }
}
