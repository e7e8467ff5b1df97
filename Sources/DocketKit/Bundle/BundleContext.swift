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
/// from. It holds summaries only, never evidence files, so its size grows with the number of
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

    /// A duration such as `2d 6h` or `45m`, for people.
    static func describeDuration(seconds: Int) -> String {
        let days = seconds / 86400
        let hours = seconds % 86400 / 3600
        let minutes = seconds % 3600 / 60
        var parts: [String] = []
        if days > 0 { parts.append("\(days)d") }
        if hours > 0 { parts.append("\(hours)h") }
        if minutes > 0 && days == 0 { parts.append("\(minutes)m") }
        return parts.isEmpty ? "\(seconds)s" : parts.joined(separator: " ")
    }
}
