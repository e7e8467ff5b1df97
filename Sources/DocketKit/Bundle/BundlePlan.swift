import Foundation

/// One snapshot as a bundle contains it: the baseline before the period, or one captured in it.
struct BundledSnapshot: Sendable {
    enum Role: String, Sendable {
        /// The last snapshot before the period: the state the period starts from.
        case baseline
        /// A snapshot captured inside the period.
        case period
    }

    let info: SnapshotInfo
    let role: Role
    /// The folder name under `data/snapshots/`.
    let folder: String

    var folderPath: String { "\(BagLayout.snapshotsFolder)/\(folder)" }
}

/// The scope of a bundle, decided before anything is written: the period, the account, the
/// snapshots (baseline first, then the period's, oldest first) and the capture runs.
struct BundlePlan: Sendable {
    let period: Period
    let bagName: String
    let accountID: String?
    let accountEmail: String?
    /// The baseline, if the store has a snapshot before the period, then every snapshot in it.
    let snapshots: [BundledSnapshot]
    /// Every capture attempt started in the period, oldest first.
    let runs: [RunRecord]
    /// How often captures are expected, in seconds; longer intervals are reported as gaps.
    let expectedCadence: Int

    var baseline: BundledSnapshot? { snapshots.first { $0.role == .baseline } }
    var periodSnapshots: [BundledSnapshot] { snapshots.filter { $0.role == .period } }
    /// The last snapshot in the period: its time dates every entry, its content is the
    /// inventory at the period's end.
    var lastSnapshot: BundledSnapshot { snapshots[snapshots.count - 1] }

    /// The modification time of every archive entry, in seconds since 1970.
    var entryTime: Int64 {
        let date = Timestamp.parse(lastSnapshot.info.capturedAt) ?? period.start
        return Int64(date.timeIntervalSince1970)
    }

    /// Each snapshot with the one before it in the bundle; the first has none.
    var consecutivePairs: [(parent: BundledSnapshot, snapshot: BundledSnapshot)] {
        zip(snapshots, snapshots.dropFirst()).map { ($0, $1) }
    }
}

extension BundlePlan {
    /// Selects what `period` needs from `store`.
    /// - Throws: `StoreError.empty` when the store contains no snapshot, and `DocketError`
    ///   (failure) naming the range the store covers when no snapshot falls in the period.
    static func make(store: SnapshotStore, period: Period, expectedCadence: Int) throws -> BundlePlan {
        let all = try store.snapshots()
        guard let first = all.first, let last = all.last else { throw StoreError.empty(path: store.path) }
        let inPeriod = all.filter { period.contains(timestamp: $0.capturedAt) }
        guard !inPeriod.isEmpty else {
            throw DocketError(
                .failure,
                "no snapshot in the period \(period.label) (\(period.firstDay) to \(period.lastDay), UTC): the store contains snapshots from \(first.capturedAt) to \(last.capturedAt). Choose a period within that range.")
        }
        let baseline = all.last { $0.capturedAt < period.startText }
        var selected = baseline.map { [($0, BundledSnapshot.Role.baseline)] } ?? []
        selected += inPeriod.map { ($0, .period) }
        let snapshots = folderNames(selected)
        let account = inPeriod[inPeriod.count - 1]
        return BundlePlan(
            period: period,
            bagName: BagLayout.bagName(accountLabel: accountLabel(email: account.accountEmail, id: account.accountID), period: period),
            accountID: account.accountID,
            accountEmail: account.accountEmail,
            snapshots: snapshots,
            runs: try store.runs(since: period.startText, until: period.endText),
            expectedCadence: expectedCadence)
    }

    /// Names each snapshot's folder by its capture time, adding the digest's first 12 hex
    /// digits where two snapshots share a second.
    private static func folderNames(_ selected: [(SnapshotInfo, BundledSnapshot.Role)]) -> [BundledSnapshot] {
        var timeCounts: [String: Int] = [:]
        for (info, _) in selected {
            timeCounts[info.capturedAt, default: 0] += 1
        }
        return selected.map { info, role in
            var folder = BagLayout.snapshotFolderName(capturedAt: info.capturedAt)
            if timeCounts[info.capturedAt, default: 0] > 1 {
                folder += "-\(info.shortDigest)"
            }
            return BundledSnapshot(info: info, role: role, folder: folder)
        }
    }

    /// Returns the account part of the bag name: the first label of the account email's domain
    /// (`ops@acme.example` gives `acme`), else the first 8 characters of the account id, else
    /// `account`.
    static func accountLabel(email: String?, id: String?) -> String {
        if let email, let at = email.lastIndex(of: "@") {
            let domain = email[email.index(after: at)...]
            if let label = domain.split(separator: ".").first, !label.isEmpty {
                return slug(String(label))
            }
        }
        if let id, !id.isEmpty {
            return slug(String(id.prefix(8)))
        }
        return "account"
    }

    private static func slug(_ text: String) -> String {
        let lowered = text.lowercased()
        var result = ""
        for scalar in lowered.unicodeScalars {
            let isKept = scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar))
            if isKept {
                result.unicodeScalars.append(scalar)
            } else if !result.hasSuffix("-") {
                result += "-"
            }
        }
        let trimmed = result.trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        return trimmed.isEmpty ? "account" : trimmed
    }
}
