/// The tag files Docket writes at the top of a bag, as BagIt 1.0 (RFC 8493) defines them.
enum BagItTags {
    static let version = "1.0"

    /// `bagit.txt`: the version and the tag files' encoding, exactly two lines.
    static var declaration: [UInt8] {
        Array("BagIt-Version: \(version)\nTag-File-Character-Encoding: UTF-8\n".utf8)
    }

    /// `bag-info.txt`: the reserved labels BagIt defines (`Bag-Software-Agent`,
    /// `Bagging-Date`, `External-Identifier`, `External-Description`, `Payload-Oxum`) and
    /// Docket's own `Docket-*` labels for the period and account, one per line, sorted.
    /// `Bagging-Date` is the day of the last snapshot, never the clock, so that the same store
    /// and period give the same bag.
    static func bagInfo(plan: BundlePlan, payloadBytes: Int64, payloadFiles: Int) -> [UInt8] {
        let account = plan.accountEmail ?? plan.accountID ?? "unknown account"
        var fields: [(String, String)] = [
            ("Bag-Software-Agent", "docket \(DocketVersion.current)"),
            ("Bagging-Date", String(plan.lastSnapshot.info.capturedAt.prefix(10))),
            ("Docket-Last-Snapshot", plan.lastSnapshot.info.digest),
            ("Docket-Period", plan.period.label),
            ("Docket-Period-First-Day", plan.period.firstDay),
            ("Docket-Period-Last-Day", plan.period.lastDay),
            ("Docket-Snapshot-Count", String(plan.periodSnapshots.count)),
            (
                "External-Description",
                "Heroku metadata evidence of \(account) for \(plan.period.label) (\(plan.period.firstDay) to \(plan.period.lastDay), UTC), captured by Docket"
            ),
            ("External-Identifier", plan.bagName),
            ("Payload-Oxum", "\(payloadBytes).\(payloadFiles)"),
        ]
        if let email = plan.accountEmail { fields.append(("Docket-Account-Email", email)) }
        if let id = plan.accountID { fields.append(("Docket-Account-ID", id)) }
        let lines = fields.sorted { $0.0 < $1.0 }.map { "\($0.0): \(singleLine($0.1))\n" }
        return Array(lines.joined().utf8)
    }

    /// Writes a tag manifest listing `files` (name and SHA-256) in the given order.
    static func tagManifest(_ files: [(name: String, sha256: String)]) -> [UInt8] {
        Array(files.map { "\($0.sha256)  \(BagLayout.manifestPath($0.name))\n" }.joined().utf8)
    }

    /// Replaces line breaks with spaces, because BagIt would read what follows a break as a
    /// continuation line.
    private static func singleLine(_ value: String) -> String {
        value.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
    }
}
