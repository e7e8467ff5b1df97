import Foundation

/// Controls about the evidence itself, read from the run ledger and the store check rather
/// than from resources. Their time reference is the report's `asOf`: the snapshot's capture
/// time for reproducible reports, or now for a live check.
enum EvidenceControls {
    static func freshness(_ context: ControlContext) throws -> [ControlResult] {
        let id = "evidence-fresh"
        let fields = ["runs.outcome", "runs.started_at"]
        guard let maxAge = context.policy.evidenceMaxAgeSeconds else {
            return [notApplicable(id, context: context, "the policy sets no maximum capture age (evidence.max_age)")]
        }
        let runs = try runsUpTo(context)
        guard let lastAttempt = runs.last else { return [noLedger(id, context: context, fields: fields)] }
        guard let success = runs.last(where: { $0.outcome == .complete }) else {
            return [
                ControlResult(
                    controlID: id, status: .fail, resource: runReference(lastAttempt), fieldsRead: fields,
                    message: "no capture run up to \(Timestamp.format(context.asOf)) completed (\(runs.count) attempts, the last \(lastAttempt.outcome.rawValue))")
            ]
        }
        let age = seconds(from: success.startedAt, to: context.asOf)
        let status: ControlStatus = age > maxAge ? .fail : .pass
        let relation = status == .fail ? "older than" : "within"
        var message = "last successful capture at \(success.startedAt), \(span(age)) before \(Timestamp.format(context.asOf)), \(relation) the maximum of \(span(maxAge))"
        if lastAttempt.id != success.id {
            message += "; the last attempt, at \(lastAttempt.startedAt), ended \(lastAttempt.outcome.rawValue)"
        }
        return [ControlResult(controlID: id, status: status, resource: runReference(success), fieldsRead: fields, message: message)]
    }

    static func continuity(_ context: ControlContext) throws -> [ControlResult] {
        let id = "evidence-continuous"
        let fields = ["runs.outcome", "runs.started_at"]
        guard let cadence = context.policy.evidenceCadenceSeconds else {
            return [notApplicable(id, context: context, "the policy sets no capture cadence (evidence.cadence)")]
        }
        let runs = try runsUpTo(context)
        guard let firstRun = runs.first else { return [noLedger(id, context: context, fields: fields)] }

        let requested = context.evaluator.periodStart
            ?? Timestamp.format(context.asOf.addingTimeInterval(-Double(context.policy.evidenceLookbackSeconds)))
        // Monitoring cannot have a gap before the first recorded run.
        let start = max(requested, firstRun.startedAt)
        let allowed = cadence + context.policy.evidenceGraceSeconds
        let end = Timestamp.format(context.asOf)
        let (gaps, captures) = gapResults(id, runs: runs, from: start, to: end, allowed: allowed, fields: fields)
        guard gaps.isEmpty else { return gaps }

        return [
            ControlResult(
                controlID: id, status: .pass, resource: context.snapshotReference, fieldsRead: fields,
                message: "\(captures) successful captures from \(start) to \(end), no gap longer than \(span(cadence)) plus \(span(context.policy.evidenceGraceSeconds)) grace")
        ]
    }

    /// Returns one failing result per gap longer than `allowed` seconds between complete runs
    /// in `[start, end]`, and the number of complete runs in that window. The last complete
    /// run before `start` opens the first gap, so a gap that spans the start counts.
    private static func gapResults(
        _ id: String, runs: [RunRecord], from start: String, to end: String, allowed: Int, fields: [String]
    ) -> (results: [ControlResult], captures: Int) {
        let successes = runs.filter { $0.outcome == .complete }
        let anchor = successes.last { $0.startedAt < start }
        let inWindow = successes.filter { $0.startedAt >= start }
        var results: [ControlResult] = []
        var previous: (time: String, run: RunRecord?) = (anchor?.startedAt ?? start, anchor)
        for run in inWindow {
            if let gap = gapResult(id, from: previous, to: run.startedAt, closing: run, allowed: allowed, runs: runs, fields: fields) {
                results.append(gap)
            }
            previous = (run.startedAt, run)
        }
        if let gap = gapResult(id, from: previous, to: end, closing: nil, allowed: allowed, runs: runs, fields: fields) {
            results.append(gap)
        }
        return (results, inWindow.count)
    }

    /// Returns a failing result when the time between two successes exceeds `allowed` seconds.
    private static func gapResult(
        _ id: String, from previous: (time: String, run: RunRecord?), to end: String, closing: RunRecord?, allowed: Int,
        runs: [RunRecord], fields: [String]
    ) -> ControlResult? {
        guard let endDate = Timestamp.parse(end) else { return nil }
        let length = seconds(from: previous.time, to: endDate)
        guard length > allowed else { return nil }
        let failed = runs.filter { $0.startedAt > previous.time && $0.startedAt < end && $0.outcome != .complete }
        let attempts = failed.isEmpty ? "no attempt in between" : "\(failed.count) failed attempts in between (\(Set(failed.map(\.outcome.rawValue)).sorted().joined(separator: ", ")))"
        let closingText = closing == nil ? "the time reference \(end)" : "the next successful capture at \(end)"
        let subject = closing.map(runReference) ?? previous.run.map(runReference)
            ?? EvidenceReference(kind: "run", key: nil, name: previous.time, digest: nil)
        return ControlResult(
            controlID: id, status: .fail, resource: subject, fieldsRead: fields,
            message: "gap of \(span(length)) from \(previous.time) to \(closingText), longer than the allowed \(span(allowed)); \(attempts)",
            evidence: failed.map(runReference))
    }

    static let storeIntactID = "evidence-store-intact"

    static func storeIntact(_ context: ControlContext) throws -> [ControlResult] {
        let id = storeIntactID
        guard context.policy.evidenceCheckStore else {
            return [notApplicable(id, context: context, "the policy turns the store check off (evidence.check_store)")]
        }
        let subject = EvidenceReference(kind: "store", key: nil, name: "docket check", digest: nil)
        switch context.evaluator.checkStore() {
        case .failure(let error):
            return [
                ControlResult(
                    controlID: id, status: .error, resource: subject, fieldsRead: ["store"], message: "the store check could not run: \(error)")
            ]
        case .success(let report) where report.isValid:
            return [
                ControlResult(
                    controlID: id, status: .pass, resource: subject, fieldsRead: ["store"],
                    message: "checked \(report.objectsChecked) objects and \(report.snapshotsChecked) snapshots: no problems found")
            ]
        case .success(let report):
            let listed = report.problems.prefix(5).map(\.description).joined(separator: "; ")
            let more = report.problems.count > 5 ? "; and \(report.problems.count - 5) more (run docket check)" : ""
            return [
                ControlResult(
                    controlID: id, status: .fail, resource: subject, fieldsRead: ["store"],
                    message: "\(report.problems.count == 1 ? "1 problem" : "\(report.problems.count) problems"): \(listed)\(more)")
            ]
        }
    }

    // MARK: - Helpers

    /// Runs started at or before the time reference, plus the run that made this snapshot.
    private static func runsUpTo(_ context: ControlContext) throws -> [RunRecord] {
        let limit = Timestamp.format(context.asOf)
        return try context.evaluator.runs().filter {
            $0.startedAt <= limit || ($0.snapshotDigest != nil && $0.snapshotDigest == context.snapshot.digest)
        }
    }

    private static func seconds(from start: String, to end: Date) -> Int {
        guard let startDate = Timestamp.parse(start) else { return 0 }
        return Int(end.timeIntervalSince(startDate).rounded())
    }

    /// Formats a length of time for messages with its two largest units: 26 hours as
    /// `1d 2h`, nothing as `0s`.
    static func span(_ seconds: Int) -> String {
        let units = [("d", 86400), ("h", 3600), ("m", 60), ("s", 1)]
        var remaining = abs(seconds)
        var parts: [String] = []
        for (suffix, size) in units where remaining >= size && parts.count < 2 {
            parts.append("\(remaining / size)\(suffix)")
            remaining %= size
        }
        return parts.isEmpty ? "0s" : (seconds < 0 ? "-" : "") + parts.joined(separator: " ")
    }

    static func runReference(_ run: RunRecord) -> EvidenceReference {
        EvidenceReference(kind: "run", key: String(run.id), name: run.startedAt, digest: run.snapshotDigest)
    }

    private static func notApplicable(_ id: String, context: ControlContext, _ message: String) -> ControlResult {
        ControlResult(controlID: id, status: .notApplicable, resource: context.snapshotReference, fieldsRead: [], message: message)
    }

    private static func noLedger(_ id: String, context: ControlContext, fields: [String]) -> ControlResult {
        ControlResult(
            controlID: id, status: .error, resource: context.snapshotReference, fieldsRead: fields,
            message: "the run ledger records no capture run up to \(Timestamp.format(context.asOf)), so the evidence of capture was not recorded")
    }
}
