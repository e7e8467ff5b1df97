import Foundation

/// One version's support period as Heroku published it, with the page it was read from.
public struct SupportWindow: Sendable, Hashable {
    /// `stack`, `postgres` or `redis`.
    public let product: String
    /// A stack name (`heroku-22`), a Postgres major version (`16`) or a Redis `major.minor`.
    public let version: String
    /// The first UTC day the version is no longer supported, `YYYY-MM-DD`; nil when Heroku
    /// has published no end-of-life date yet.
    public let endOfLife: String?
    /// The date as the source states it ("April 30th, 2025", "Q3 2026", "April 2029").
    public let asPublished: String
    /// True when the source states the exact day. When it gives only a month or a quarter,
    /// `endOfLife` is a day Docket chose (the last day of the month, the first day of the
    /// quarter) and this is false: the result says the date is unconfirmed.
    public let isConfirmed: Bool
    /// The page the date was read from.
    public let source: String
    /// The "last updated" date the page showed, or `undated`.
    public let sourceDate: String

    var jsonValue: JSONValue {
        [
            "product": .string(product), "version": .string(version), "end_of_life": endOfLife.map { .string($0) } ?? .null,
            "as_published": .string(asPublished), "confirmed": .bool(isConfirmed), "source": .string(source),
            "source_date": .string(sourceDate),
        ]
    }
}

/// End-of-life dates of Heroku stacks and of Heroku Postgres and Key-Value Store (Redis)
/// versions, kept as dated data with their sources. Controls compare a resource's version
/// with this table at the report's time reference.
///
/// NOTE: this table is as current as the pages it cites; Heroku announces later dates in its
/// changelog. A policy may replace the Postgres and Redis lists (`postgres.supported_versions`,
/// `redis.supported_versions`) until a newer Docket updates the table.
public enum SupportCalendar {
    static let stackPolicy = "https://devcenter3.assets.heroku.com/articles/stack"
    static let postgresSupport2024 = "https://devcenter2.assets.heroku.com/articles/heroku-postgres-version-support"
    static let postgresSupport2023 = "https://devcenter.heroku.com/articles/heroku-postgres-version-support"

    public static let stacks: [SupportWindow] = [
        SupportWindow(
            product: "stack", version: "heroku-16", endOfLife: "2021-05-01", asPublished: "May 1st, 2021", isConfirmed: true,
            source: "https://help.heroku.com/0S5P41DC/heroku-16-end-of-life-faq", sourceDate: "undated"),
        SupportWindow(
            product: "stack", version: "heroku-18", endOfLife: "2023-04-30", asPublished: "April 30th, 2023", isConfirmed: true,
            source: "https://help.heroku.com/X5OE6BCA/heroku-18-end-of-life-faq", sourceDate: "undated"),
        SupportWindow(
            product: "stack", version: "heroku-20", endOfLife: "2025-04-30", asPublished: "April 30th, 2025", isConfirmed: true,
            source: "https://devcenter.heroku.com/articles/heroku-20-stack", sourceDate: "2024-10-23"),
        SupportWindow(
            product: "stack", version: "heroku-22", endOfLife: "2027-04-30", asPublished: "supported through April 2027",
            isConfirmed: false, source: "https://devcenter.heroku.com/articles/heroku-22-stack", sourceDate: "2024-12-05"),
        SupportWindow(
            product: "stack", version: "heroku-24", endOfLife: "2029-04-30", asPublished: "supported through April 2029",
            isConfirmed: false, source: stackPolicy, sourceDate: "2024-10-23"),
    ]

    public static let postgres: [SupportWindow] = [
        SupportWindow(
            product: "postgres", version: "9.6", endOfLife: "2021-11-11", asPublished: "November 11, 2021", isConfirmed: true,
            source: postgresSupport2023, sourceDate: "2023-05-03"),
        SupportWindow(
            product: "postgres", version: "10", endOfLife: "2022-11-10", asPublished: "November 10, 2022", isConfirmed: true,
            source: postgresSupport2023, sourceDate: "2023-05-03"),
        SupportWindow(
            product: "postgres", version: "11", endOfLife: "2023-11-09", asPublished: "November 9, 2023", isConfirmed: true,
            source: postgresSupport2024, sourceDate: "2024-10-29"),
        SupportWindow(
            product: "postgres", version: "12", endOfLife: "2024-05-30", asPublished: "May 30, 2024", isConfirmed: true,
            source: postgresSupport2024, sourceDate: "2024-10-29"),
        SupportWindow(
            product: "postgres", version: "13", endOfLife: "2024-10-29", asPublished: "October 29, 2024", isConfirmed: true,
            source: postgresSupport2024, sourceDate: "2024-10-29"),
        SupportWindow(
            product: "postgres", version: "14", endOfLife: "2025-07-01", asPublished: "Q3 2025", isConfirmed: false,
            source: postgresSupport2024, sourceDate: "2024-10-29"),
        SupportWindow(
            product: "postgres", version: "15", endOfLife: "2026-07-01", asPublished: "Q3 2026", isConfirmed: false,
            source: postgresSupport2024, sourceDate: "2024-10-29"),
        SupportWindow(
            product: "postgres", version: "16", endOfLife: "2027-07-01", asPublished: "Q3 2027", isConfirmed: false,
            source: postgresSupport2024, sourceDate: "2024-10-29"),
        // The stored copy of this address shows the article "Upgrading the Version of a Heroku
        // Postgres Database", which names 17 as the most recent supported major version.
        SupportWindow(
            product: "postgres", version: "17", endOfLife: nil, asPublished: "supported; no end-of-life date in the source",
            isConfirmed: false, source: "https://devcenter.heroku.com/articles/migrating-data-between-plans",
            sourceDate: "2025-10-22"),
    ]

    public static let redis: [SupportWindow] = [
        SupportWindow(
            product: "redis", version: "7.2", endOfLife: nil, asPublished: "the version new instances use; no end-of-life date in the source",
            isConfirmed: false, source: "https://devcenter.heroku.com/articles/heroku-redis-version-upgrade", sourceDate: "2024-12-04")
    ]

    /// Every row, for the bundle and `docs/controls.md`.
    public static var all: [SupportWindow] { stacks + postgres + redis }

    public static var jsonValue: JSONValue { .array(all.map(\.jsonValue)) }
}

/// How a version stands against its support window at a moment.
enum SupportVerdict {
    case unknown
    case supported(SupportWindow)
    case endingSoon(SupportWindow, days: Int)
    case ended(SupportWindow)

    static func judge(_ version: String, in table: [SupportWindow], at moment: Date, warningSeconds: Int) -> SupportVerdict {
        guard let window = table.first(where: { $0.version == version }) else { return .unknown }
        guard let day = window.endOfLife, let end = Timestamp.parseDay(day) else { return .supported(window) }
        let remaining = end.timeIntervalSince(moment)
        if remaining <= 0 { return .ended(window) }
        if remaining <= Double(warningSeconds) { return .endingSoon(window, days: Int((remaining / 86400).rounded(.up))) }
        return .supported(window)
    }

    /// "on 2025-04-30" or "on 2026-07-01 (published as Q3 2026, exact day unconfirmed)".
    static func describe(_ window: SupportWindow) -> String {
        guard let day = window.endOfLife else { return "with no end-of-life date published (\(window.source))" }
        let qualifier = window.isConfirmed ? "" : " (published as \(window.asPublished); the exact day is unconfirmed)"
        return "on \(day)\(qualifier), per \(window.source)"
    }
}
