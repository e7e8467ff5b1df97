/// The version Docket writes into runs, snapshots, bundles and its User-Agent.
public enum DocketVersion {
    public static let current = "0.1.0"
}

/// A failure that is not a usage error, with the category the executable maps to an exit code.
public struct DocketError: Error, CustomStringConvertible, Sendable {
    public enum Category: Sendable {
        /// Exit 2: a failure not listed elsewhere.
        case failure
        /// Exit 3: a snapshot was recorded but some listings could not be read.
        case incomplete
        /// Exit 4: a 401 or 403 from Heroku.
        case authentication
        /// Exit 5: network, timeout, rate limit or 5xx after the retries ran out.
        case transient
        /// Exit 6: `check` or `verify` found a problem.
        case integrity
        /// Exit 64: an invalid value that only the library can judge, such as a period.
        case usage
    }

    public let category: Category
    public let message: String

    public init(_ category: Category, _ message: String) {
        self.category = category
        self.message = message
    }

    public var description: String { message }
}
