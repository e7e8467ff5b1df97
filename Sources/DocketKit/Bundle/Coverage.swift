import Foundation

/// An interval inside the period with no snapshot for longer than the expected cadence.
struct CoverageGap: Sendable {
    /// RFC 3339 start: the snapshot before the gap, or the period's start when none came before.
    let from: String
    /// RFC 3339 end: the snapshot after the gap, or the period's end when none came after.
    let to: String
    let seconds: Int
    /// Capture runs started inside the gap, which failed or were interrupted.
    let runs: [RunRecord]
}

/// The coverage of one UTC day of the period, for the report's calendar.
struct CoverageDay: Sendable {
    enum State: String, Sendable {
        /// At least one complete snapshot.
        case complete
        /// Only snapshots with listings that could not be read.
        case incomplete
        /// Capture runs, none of which committed a snapshot.
        case failed
        /// No capture run at all.
        case missing
    }

    let day: String
    let state: State
    let snapshotCount: Int
    let runCount: Int
    let failedRunCount: Int
    /// True when part of the day lies inside a coverage gap.
    let isInGap: Bool
}

/// Proof of continuous capture: the gaps longer than the expected cadence, and each day's state.
struct Coverage: Sendable {
    let gaps: [CoverageGap]
    let days: [CoverageDay]

    init(plan: BundlePlan) {
        gaps = Self.findGaps(plan: plan)
        days = Self.classifyDays(plan: plan, gaps: gaps)
    }

    /// Measures each interval between consecutive snapshots (the baseline included), and the
    /// intervals from the period's start to the first snapshot when there is no baseline and
    /// from the last snapshot to the period's end. Each interval longer than the cadence is a
    /// gap, clipped to the period.
    private static func findGaps(plan: BundlePlan) -> [CoverageGap] {
        let start = plan.period.start.timeIntervalSince1970
        let end = plan.period.end.timeIntervalSince1970
        var previous: Double? = plan.baseline.flatMap { seconds($0.info.capturedAt) }
        var gaps: [CoverageGap] = []
        for snapshot in plan.periodSnapshots {
            guard let time = seconds(snapshot.info.capturedAt) else { continue }
            let intervalStart = previous ?? start
            if time - intervalStart > Double(plan.expectedCadence) {
                gaps.append(gap(from: max(intervalStart, start), to: time, runs: plan.runs))
            }
            previous = time
        }
        if let last = previous, end - last > Double(plan.expectedCadence) {
            gaps.append(gap(from: max(last, start), to: end, runs: plan.runs))
        }
        return gaps
    }

    private static func gap(from: Double, to: Double, runs: [RunRecord]) -> CoverageGap {
        let fromText = Timestamp.formatEpoch(Int64(from))
        let toText = Timestamp.formatEpoch(Int64(to))
        let inside = runs.filter { $0.startedAt >= fromText && $0.startedAt < toText && $0.snapshotDigest == nil }
        return CoverageGap(from: fromText, to: toText, seconds: Int(to - from), runs: inside)
    }

    private static func classifyDays(plan: BundlePlan, gaps: [CoverageGap]) -> [CoverageDay] {
        plan.period.days.map { day in
            let snapshots = plan.periodSnapshots.filter { $0.info.capturedAt.hasPrefix(day) }
            let runs = plan.runs.filter { $0.startedAt.hasPrefix(day) }
            let failed = runs.filter { $0.snapshotDigest == nil && $0.outcome != .running }
            let state: CoverageDay.State
            if snapshots.contains(where: { $0.info.isComplete }) {
                state = .complete
            } else if !snapshots.isEmpty {
                state = .incomplete
            } else if !runs.isEmpty {
                state = .failed
            } else {
                state = .missing
            }
            let dayStart = day + "T00:00:00Z"
            let dayEnd = Timestamp.format((Timestamp.parseDay(day) ?? plan.period.start).addingTimeInterval(86400))
            let isInGap = gaps.contains { $0.from < dayEnd && $0.to > dayStart }
            return CoverageDay(
                day: day, state: state, snapshotCount: snapshots.count, runCount: runs.count, failedRunCount: failed.count,
                isInGap: isInGap)
        }
    }

    private static func seconds(_ text: String) -> Double? {
        Timestamp.parse(text)?.timeIntervalSince1970
    }
}
