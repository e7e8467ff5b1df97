/// One problem `docket verify` found, naming the file it concerns.
public struct BagProblem: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable {
        /// The bag is not valid: `verify` exits 6.
        case error
        /// The bag is valid but odd in a way an auditor may want to know, such as a file listed
        /// twice with the same digest or a name that differs only in case. `verify` exits 0.
        case warning
    }

    public let severity: Severity
    /// The file concerned, relative to the bag's folder (`data/runs.csv`, `bagit.txt`), or the
    /// entry's name as stored in the archive for problems with the archive itself.
    public let file: String
    public let message: String

    public init(_ severity: Severity, _ file: String, _ message: String) {
        self.severity = severity
        self.file = file
        self.message = message
    }

    public var description: String { "\(severity.rawValue): \(file): \(message)" }
}

/// The state of a bag's SSH signature after `verify`.
public enum SignatureStatus: Sendable, Equatable {
    /// The bag has no `tagmanifest-sha256.txt.sig`.
    case absent
    /// Valid, and made by a key the allowed-signers file lists for `principal`.
    case trusted(principal: String)
    /// Valid over the tag manifest, but not checked against any allowed signers: it proves
    /// the bag is unchanged since some key signed it, not whose key.
    case unverifiedSigner(detail: String)
    /// Present but rejected; the problems give the reason.
    case invalid
}

/// The result of verifying one archive.
public struct BagVerification: Sendable {
    public let archivePath: String
    /// The bag's folder inside the archive, empty when the bag sits at the archive's top.
    public let bagFolder: String
    public let problems: [BagProblem]
    /// Files under `data/` (hard links included) and their total size.
    public let payloadFiles: Int
    public let payloadBytes: Int64
    /// True when bag-info.txt names Docket as the bag's software, which adds Docket's checks.
    public let isDocketBag: Bool
    /// Snapshots whose header, chain link and files `verify` recomputed (Docket bags only).
    public let snapshotsChecked: Int
    public let signature: SignatureStatus

    public var errors: [BagProblem] { problems.filter { $0.severity == .error } }
    public var warnings: [BagProblem] { problems.filter { $0.severity == .warning } }
    public var isValid: Bool { errors.isEmpty }
}
