/// One snapshot's change files, as manifest.json and the report list them.
struct ChangeEntry: Sendable {
    let parent: BundledSnapshot
    let snapshot: BundledSnapshot
    let summary: ChangeSummary

    /// Paths relative to `data/`.
    var jsonPath: String { "\(BagLayout.changesFolder)/\(snapshot.folder).json" }
    var markdownPath: String { "\(BagLayout.changesFolder)/\(snapshot.folder).md" }
}

/// Everything the summary files of a bundle (README.txt, index.html, manifest.json) are made
/// from. It contains summaries only, never evidence files, so its size grows with the number of
/// snapshots and days, not with their content.
struct BundleContext: Sendable {
    let plan: BundlePlan
    let coverage: Coverage
    let changes: [ChangeEntry]
    let changeMethod: String
    let changePolicy: JSONValue
    /// Rows of inventory.csv: the apps and add-ons of the last snapshot.
    let inventory: [[String]]
    /// The signing key's fingerprint line (`ssh-keygen -l`), when the bundle is signed.
    let signingKey: String?
    /// Control results for every bundled snapshot.
    let controls: ControlEvidence

    var isSigned: Bool { signingKey != nil }

    var failedRuns: [RunRecord] {
        plan.runs.filter { $0.snapshotDigest == nil && $0.outcome != .running && $0.outcome != .interrupted }
    }

    var interruptedRuns: [RunRecord] {
        plan.runs.filter { $0.outcome == .interrupted }
    }

    var accountDescription: String {
        switch (plan.accountEmail, plan.accountID) {
        case let (email?, id?): return "\(email) (id \(id))"
        case let (email?, nil): return email
        case let (nil, id?): return "id \(id)"
        default: return "unknown account"
        }
    }

    var periodDescription: String {
        "\(plan.period.label), from \(plan.period.firstDay) to \(plan.period.lastDay) inclusive (UTC days)"
    }

    /// Formats a duration for people: `45m`, `24h`, `36h 30m` below two days, `24d 6h` from two days on.
    static func describeDuration(seconds: Int) -> String {
        let minutes = seconds % 3600 / 60
        guard seconds >= 2 * 86400 else {
            let hours = seconds / 3600
            let parts = [hours > 0 ? "\(hours)h" : nil, minutes > 0 ? "\(minutes)m" : nil].compactMap { $0 }
            return parts.isEmpty ? "\(seconds)s" : parts.joined(separator: " ")
        }
        let hours = seconds % 86400 / 3600
        return hours > 0 ? "\(seconds / 86400)d \(hours)h" : "\(seconds / 86400)d"
    }
}
