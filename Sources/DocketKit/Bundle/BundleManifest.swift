/// `data/manifest.json`: the machine-readable description of a bundle. It names the period and
/// account, lists every snapshot with its full header (so each digest and the parent chain can
/// be recomputed), the change files, the capture runs by outcome, the coverage gaps and the
/// diff's volatility policy.
enum BundleManifest {
    static let format = 1

    static func document(_ context: BundleContext, headers: [String: JSONValue]) -> JSONValue {
        let plan = context.plan
        return [
            "format": .number(Double(format)),
            "bag": .string(plan.bagName),
            "generator": ["name": "docket", "version": .string(DocketVersion.current)],
            "period": [
                "label": .string(plan.period.label), "first_day": .string(plan.period.firstDay),
                "last_day": .string(plan.period.lastDay), "start": .string(plan.period.startText),
                "end": .string(plan.period.endText),
            ],
            "account": ["id": optional(plan.accountID), "email": optional(plan.accountEmail)],
            "expected_cadence_seconds": .number(Double(plan.expectedCadence)),
            "snapshots": .array(plan.snapshots.map { snapshot($0, header: headers[$0.info.digest] ?? .null) }),
            "changes": .array(context.changes.map(change)),
            "change_method": .string(context.changeMethod),
            "policy": context.changePolicy,
            "controls": [
                "folder": .string(BagLayout.controlsFolder),
                "policy_source": .string(context.controls.lastReport?.policySource ?? "defaults"),
                "policy_sha256": context.controls.lastReport.map { .string($0.policy.digest) } ?? .null,
                "policy": context.controls.lastReport?.policy.jsonValue ?? .null,
                "state_changes": .number(Double(context.controls.changes.count)),
            ],
            "runs": runs(plan.runs),
            "gaps": .array(context.coverage.gaps.map(gap)),
            "inventory": ["snapshot": .string(plan.lastSnapshot.info.digest), "file": .string(BagLayout.inventory)],
        ]
    }

    /// One snapshot: its digest, role, folder and the exact header its digest is the SHA-256
    /// of (in RFC 8785 canonical form), with the header's main fields repeated for readers.
    private static func snapshot(_ snapshot: BundledSnapshot, header: JSONValue) -> JSONValue {
        let info = snapshot.info
        return [
            "digest": .string(info.digest),
            "parent": optional(info.parentDigest),
            "captured_at": .string(info.capturedAt),
            "complete": .bool(info.isComplete),
            "tree": .string(info.treeDigest),
            "resources": .number(Double(info.resourceCount)),
            "run": info.runID.map { .number(Double($0)) } ?? .null,
            "role": .string(snapshot.role.rawValue),
            "folder": .string(snapshot.folderPath),
            "header": header,
        ]
    }

    private static func change(_ entry: ChangeEntry) -> JSONValue {
        [
            "from": .string(entry.parent.info.digest),
            "to": .string(entry.snapshot.info.digest),
            "captured_at": .string(entry.snapshot.info.capturedAt),
            "json": .string(entry.jsonPath),
            "markdown": .string(entry.markdownPath),
            "added": .number(Double(entry.summary.added)),
            "removed": .number(Double(entry.summary.removed)),
            "changed": .number(Double(entry.summary.changed)),
            "not_recorded": .number(Double(entry.summary.notRecorded)),
        ]
    }

    private static func runs(_ runs: [RunRecord]) -> JSONValue {
        var outcomes: [String: JSONValue] = [:]
        for run in runs {
            outcomes[run.outcome.rawValue] = .number((outcomes[run.outcome.rawValue]?.doubleValue ?? 0) + 1)
        }
        return ["count": .number(Double(runs.count)), "outcomes": .object(outcomes), "file": .string(BagLayout.runs)]
    }

    private static func gap(_ gap: CoverageGap) -> JSONValue {
        [
            "from": .string(gap.from), "to": .string(gap.to), "seconds": .number(Double(gap.seconds)),
            "runs": .array(gap.runs.map { .number(Double($0.id)) }),
        ]
    }

    private static func optional(_ text: String?) -> JSONValue {
        text.map { .string($0) } ?? .null
    }
}
