import Foundation

/// Resolution of the snapshot references users type: `latest`, a digest prefix of at least
/// 7 hex digits, a UTC date `YYYY-MM-DD` (the last complete snapshot captured on or before
/// the end of that day) or an ISO 8601 date-time (the last complete snapshot at or before it).
extension SnapshotStore {
    public func resolve(_ reference: String) throws -> SnapshotInfo {
        let all = try snapshots()
        guard let first = all.first, let last = all.last else { throw StoreError.empty(path: path) }
        if reference == "latest" {
            return last
        }
        if reference.count >= 7, reference.allSatisfy(\.isHexDigit), !Self.looksLikeDate(reference) {
            let lowered = reference.lowercased()
            let matches = all.filter { $0.digest.hasPrefix(lowered) }
            if matches.count == 1 { return matches[0] }
            if matches.count > 1 { throw StoreError.ambiguousReference(reference, candidates: matches.map(\.shortDigest)) }
            throw StoreError.unknownReference(reference)
        }
        let cutoff: String
        if let day = Timestamp.parseDay(reference) {
            cutoff = Timestamp.format(day.addingTimeInterval(86400 - 1))
        } else if let moment = Timestamp.parse(reference) {
            cutoff = Timestamp.format(moment)
        } else {
            throw StoreError.invalidReference(reference)
        }
        let candidates = all.filter { $0.capturedAt <= cutoff }
        guard let match = candidates.last(where: \.isComplete) ?? candidates.last else {
            throw StoreError.dateOutsideStore(
                reference: reference, first: String(first.capturedAt.prefix(10)), last: String(last.capturedAt.prefix(10)))
        }
        return match
    }

    private static func looksLikeDate(_ text: String) -> Bool {
        text.contains("-") || text.contains(":")
    }
}
