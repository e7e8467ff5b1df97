import DocketKit

/// The JSON shapes of `--json` output for snapshots and runs; field names are stable.
enum JSONReports {
    static func snapshot(_ snapshot: SnapshotInfo) -> JSONValue {
        [
            "digest": .string(snapshot.digest),
            "parent": snapshot.parentDigest.map { .string($0) } ?? .null,
            "captured_at": .string(snapshot.capturedAt),
            "complete": .bool(snapshot.isComplete),
            "tree": .string(snapshot.treeDigest),
            "resources": .number(Double(snapshot.resourceCount)),
            "run": snapshot.runID.map { .number(Double($0)) } ?? .null,
            "not_recorded": .array(
                snapshot.notRecorded.map {
                    ["kind": .string($0.kind), "parent": $0.parentKey.map { .string($0) } ?? .null, "listing": .string($0.listing), "error": .string($0.error)]
                }),
        ]
    }

    static func run(_ run: RunRecord) -> JSONValue {
        func number(_ value: Int?) -> JSONValue { value.map { .number(Double($0)) } ?? .null }
        func text(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
        return [
            "id": .number(Double(run.id)), "started_at": .string(run.startedAt), "ended_at": text(run.endedAt),
            "outcome": .string(run.outcome.rawValue), "exit_code": number(run.exitCode), "error": text(run.error),
            "pid": number(run.pid), "host": .string(run.host), "docket_version": .string(run.docketVersion),
            "api_url": text(run.apiURL), "token_source": text(run.tokenSource), "requests": number(run.requests),
            "retries": number(run.retries), "rate_limited": number(run.rateLimited),
            "rate_limit_at_start": number(run.rateLimitAtStart), "rate_limit_at_end": number(run.rateLimitAtEnd),
            "snapshot": text(run.snapshotDigest), "resources": number(run.resourceCount),
        ]
    }
}
