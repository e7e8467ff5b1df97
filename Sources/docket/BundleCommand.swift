import DocketKit

/// `docket bundle`: writes a period's evidence as a BagIt bag packed in a reproducible tar.
enum BundleCommand: Command {
    static let name = "bundle"
    static let summary = "write the evidence bundle of a period, for an auditor"
    static let usage = "bundle PERIOD [-o FILE] [--sign-key KEY] [--expect-every DURATION] [--json]"
    static let discussion = """
        PERIOD is a year (2026), a half (2026-H1), a quarter (2026-Q1), a month (2026-03) or a
        range of UTC days (2026-01-15..2026-04-14, both days included).

        The bundle is a BagIt 1.0 bag in a tar file: the baseline snapshot (the last one before
        the period) and every snapshot in it as readable JSON, the changes between consecutive
        snapshots, every capture run (failures and interruptions included), the coverage gaps
        longer than --expect-every, the inventory at the period's end, a self-contained HTML
        report (data/index.html), manifest.json with the snapshot chain, and README.txt, which
        explains three ways to verify it. Identical evidence files are stored once and
        hard-linked.

        The same store, period and key give a byte-identical file, whatever the clock, time
        zone or locale: entries are sorted, owned by uid and gid 0, and dated by the last
        snapshot. With --sign-key, tagmanifest-sha256.txt is signed with
        `ssh-keygen -Y sign -n docket`; Ed25519 and RSA keys sign deterministically, ECDSA keys
        do not.

        Prints `<sha256>  <file>` on stdout, the format sha256sum reads, and a summary on stderr.
        """
    static let options = [
        OptionSpec("output", short: "o", value: "FILE", help: "the bundle file; .tar, .tar.gz (or .tgz) or .tar.zst picks the compression (default: docket-<account>-<period>.tar)"),
        OptionSpec("sign-key", value: "KEY", help: "sign with this SSH private key, or a public key whose private half is in ssh-agent"),
        OptionSpec("expect-every", value: "DURATION", help: "the expected time between captures; longer intervals are reported as gaps (default: 24h)"),
        OptionSpec("policy", value: "FILE", help: "the controls policy for data/controls/ (JSON with comments; default: built-in defaults)"),
    ]
    static let exitCodes: [(Int32, String)] = [
        (2, "no snapshot in the period, the store cannot be read, or writing or signing failed"),
        (6, "the store is damaged: an object it read no longer matches its digest, or its store check found damage (the bundle is still written, and records it)"),
    ]

    static func run(_ context: CommandContext) throws -> Int32 {
        let positionals = try context.positionals(minimum: 1, maximum: 1)
        let period = try Period.parse(positionals[0])
        let output = context.arguments.value("output")
        if let output, BundleCompression.forPath(output) == nil {
            throw UsageError("invalid value \"\(output)\" for --output: the name must end in .tar, .tar.gz (or .tgz) or .tar.zst.", command: name)
        }
        let cadence = try context.arguments.duration("expect-every", command: name) ?? 86400
        let policyPath = context.arguments.value("policy")
        let policy = try policyPath.map(ControlPolicy.load(path:)) ?? .defaults
        let request = BundleRequest(
            period: period, outputPath: output, expectedCadence: cadence, signingKeyPath: context.arguments.value("sign-key"),
            policy: policy, policySource: policyPath ?? "defaults")

        let store = try context.openStore()
        let result = try BundleWriter(store: store).write(request)
        report(result, context: context)
        if result.storeProblems > 0 {
            let problems = count(result.storeProblems, "problem")
            context.console.error(
                "the store is damaged: its check found \(problems), which evidence-store-intact records in the bundle. Run `docket check` to list them.")
            return ExitStatus.integrity
        }
        return ExitStatus.success
    }

    private static func report(_ result: BundleResult, context: CommandContext) {
        if context.wantsJSON {
            context.console.outputRaw(PrettyJSON.encode(json(result)))
            return
        }
        context.console.output("\(result.archiveSHA256)  \(result.path)")
        let baseline = result.hasBaseline ? " and a baseline" : ", no baseline"
        let counts = "\(count(result.snapshotCount, "snapshot"))\(baseline), \(count(result.runCount, "run")), \(count(result.gapCount, "gap"))"
        context.console.info(
            "wrote \(result.path): \(result.period.label), \(counts); \(count(result.payloadFiles, "file")) (\(result.linkedFiles) linked), \(result.archiveBytes) bytes")
        if let key = result.signingKey {
            context.console.info("signed with \(key)")
        }
        if result.gapCount > 0 {
            context.console.warning("the period has \(count(result.gapCount, "coverage gap")) longer than --expect-every; data/index.html and data/manifest.json list them")
        }
    }

    private static func count(_ number: Int, _ noun: String) -> String {
        number == 1 ? "1 \(noun)" : "\(number) \(noun)s"
    }

    private static func json(_ result: BundleResult) -> JSONValue {
        [
            "path": .string(result.path), "bag": .string(result.bagName), "period": .string(result.period.label),
            "sha256": .string(result.archiveSHA256), "bytes": .number(Double(result.archiveBytes)),
            "snapshots": .number(Double(result.snapshotCount)), "baseline": .bool(result.hasBaseline),
            "runs": .number(Double(result.runCount)), "gaps": .number(Double(result.gapCount)),
            "payload_files": .number(Double(result.payloadFiles)), "payload_bytes": .number(Double(result.payloadBytes)),
            "linked_files": .number(Double(result.linkedFiles)), "store_problems": .number(Double(result.storeProblems)),
            "signing_key": result.signingKey.map { .string($0) } ?? .null,
        ]
    }
}
