import DocketKit

/// The one table that maps errors to exit codes and messages.
enum ExitStatus {
    static let success: Int32 = 0
    static let differencesOrStale: Int32 = 1
    static let failure: Int32 = 2
    static let incomplete: Int32 = 3
    static let authentication: Int32 = 4
    static let transient: Int32 = 5
    static let integrity: Int32 = 6
    static let locked: Int32 = 11
    static let usage: Int32 = 64

    static func code(for error: Error) -> Int32 {
        switch error {
        case is UsageError: return usage
        case let error as StoreError:
            switch error {
            case .unknownReference, .ambiguousReference, .invalidReference, .dateOutsideStore: return usage
            case .corrupt: return integrity
            default: return failure
            }
        case is StoreLock.LockError: return lockCode(error)
        case let error as DocketError:
            switch error.category {
            case .failure: return failure
            case .incomplete: return incomplete
            case .authentication: return authentication
            case .transient: return transient
            case .integrity: return integrity
            case .usage: return usage
            }
        default: return failure
        }
    }

    private static func lockCode(_ error: Error) -> Int32 {
        if case StoreLock.LockError.held = error { return locked }
        return failure
    }
}
