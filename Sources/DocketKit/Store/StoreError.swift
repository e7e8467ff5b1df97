/// Failures to open or read the snapshot store, each with the value involved and the fix.
public enum StoreError: Error, CustomStringConvertible {
    case folderMissing(path: String)
    case notWritable(path: String, reason: String)
    case newerSchema(path: String, found: Int, supported: Int)
    case upgradeNeedsWriteAccess(path: String, found: Int, supported: Int, reason: String)
    case notAStore(path: String, reason: String)
    case missing(path: String)
    case empty(path: String)
    case unknownReference(String)
    case ambiguousReference(String, candidates: [String])
    case invalidReference(String)
    case dateOutsideStore(reference: String, first: String, last: String)
    case corrupt(String)
    case sqlite(SQLiteError)

    public var description: String {
        switch self {
        case .folderMissing(let path):
            return "the store's folder does not exist: \(path). Create it, or pass --store with a path in an existing folder."
        case .notWritable(let path, let reason):
            return "cannot write the store at \(path): \(reason). Check the folder's permissions, or pass --store with a writable path."
        case .newerSchema(let path, let found, let supported):
            return "the store \(path) has schema version \(found), written by a newer Docket; this Docket reads versions up to \(supported). Upgrade Docket to read it."
        case .upgradeNeedsWriteAccess(let path, let found, let supported, let reason):
            return "the store \(path) has schema version \(found) and this Docket upgrades it to \(supported) before reading it, which needs write access: \(reason). Run `docket check` once as the user that runs captures."
        case .notAStore(let path, let reason):
            return "\(path) is not a Docket store (\(reason)). Pass --store with the path of a store that `docket capture` created."
        case .missing(let path):
            return "no store at \(path). Run `docket capture` first, or pass --store with the path of an existing store."
        case .empty(let path):
            return "the store \(path) holds no snapshot yet. Run `docket capture` first."
        case .unknownReference(let reference):
            return "no snapshot matches \"\(reference)\". List snapshots with `docket snapshots`."
        case .ambiguousReference(let reference, let candidates):
            return "the prefix \"\(reference)\" matches \(candidates.count) snapshots (\(candidates.prefix(4).joined(separator: ", "))). Give more hex digits."
        case .invalidReference(let reference):
            let needsZone = reference.contains("T") && !reference.hasSuffix("Z") && !reference.contains("+")
            let zoneHint = needsZone ? " A date-time needs a zone, such as \(reference)Z." : ""
            return "invalid snapshot reference \"\(reference)\": expected `latest`, a digest prefix of at least 7 hex digits, a UTC date YYYY-MM-DD or an ISO 8601 date-time.\(zoneHint)"
        case .dateOutsideStore(let reference, let first, let last):
            return "no snapshot on or before \(reference): the store holds snapshots from \(first) to \(last)."
        case .corrupt(let detail):
            return "the store is damaged: \(detail). Run `docket check` for a full report."
        case .sqlite(let error):
            return error.description
        }
    }
}
