import Foundation

/// An audit period: a run of whole UTC days, as typed on the command line.
///
/// Accepted forms: a year (`2026`), a half (`2026-H1`), a quarter (`2026-Q1`), a month
/// (`2026-03`) and an inclusive range of days (`2026-01-15..2026-04-14`). Days are UTC,
/// whatever the machine's time zone.
public struct Period: Sendable, Hashable, CustomStringConvertible {
    /// The period as the user wrote it, in its canonical spelling (`2026-Q1`).
    public let label: String
    /// The first day, `YYYY-MM-DD`.
    public let firstDay: String
    /// The last day, `YYYY-MM-DD`, included in the period.
    public let lastDay: String
    /// The first second of the first day.
    public let start: Date
    /// The first second after the last day; the period is `[start, end)`.
    public let end: Date

    public var description: String { label }

    /// The label as it may appear in a file name: the range form uses `_` for `..`, so no
    /// path component of a bag ever contains two dots in a row.
    public var fileLabel: String {
        label.replacingOccurrences(of: "..", with: "_")
    }

    /// `start` as RFC 3339 text, which compares as text with stored timestamps.
    public var startText: String { Timestamp.format(start) }

    /// `end` as RFC 3339 text (exclusive bound).
    public var endText: String { Timestamp.format(end) }

    /// True when the RFC 3339 UTC timestamp `text` falls inside the period.
    public func contains(timestamp text: String) -> Bool {
        text >= startText && text < endText
    }

    /// The days of the period, first to last, as `YYYY-MM-DD`.
    public var days: [String] {
        var result: [String] = []
        var moment = start
        while moment < end {
            result.append(Timestamp.day(moment))
            moment = moment.addingTimeInterval(86400)
        }
        return result
    }

    /// Parses a period.
    /// - Throws: `DocketError` with category `.usage` naming the value and the accepted forms,
    ///   for an unknown form, a date that does not exist or a range whose end precedes its start.
    public static func parse(_ text: String) throws -> Period {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let range = trimmed.range(of: "..") {
            return try parseRange(first: String(trimmed[..<range.lowerBound]), last: String(trimmed[range.upperBound...]), text: text)
        }
        let parts = trimmed.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard let year = parseYear(parts[0]) else { throw invalid(text) }
        switch parts.count {
        case 1:
            return make(label: String(format: "%04d", year), year: year, firstMonth: 1, monthCount: 12)
        case 2:
            return try parseWithinYear(parts[1], year: year, text: text)
        default:
            throw invalid(text)
        }
    }

    private static func parseWithinYear(_ part: String, year: Int, text: String) throws -> Period {
        let yearText = String(format: "%04d", year)
        let upper = part.uppercased()
        if upper.hasPrefix("H"), let half = Int(upper.dropFirst()), upper.count == 2 {
            guard (1...2).contains(half) else { throw invalid(text, reason: "a year has halves H1 and H2") }
            return make(label: "\(yearText)-H\(half)", year: year, firstMonth: half * 6 - 5, monthCount: 6)
        }
        if upper.hasPrefix("Q"), let quarter = Int(upper.dropFirst()), upper.count == 2 {
            guard (1...4).contains(quarter) else { throw invalid(text, reason: "a year has quarters Q1 to Q4") }
            return make(label: "\(yearText)-Q\(quarter)", year: year, firstMonth: quarter * 3 - 2, monthCount: 3)
        }
        if part.count == 2, part.allSatisfy(\.isASCIIDigit), let month = Int(part) {
            guard (1...12).contains(month) else { throw invalid(text, reason: "months run from 01 to 12") }
            return make(label: "\(yearText)-\(part)", year: year, firstMonth: month, monthCount: 1)
        }
        throw invalid(text)
    }

    private static func parseRange(first: String, last: String, text: String) throws -> Period {
        guard let start = parseStrictDay(first) else {
            throw invalid(text, reason: "\"\(first)\" is not a date YYYY-MM-DD")
        }
        guard let lastStart = parseStrictDay(last) else {
            throw invalid(text, reason: "\"\(last)\" is not a date YYYY-MM-DD")
        }
        guard lastStart >= start else {
            throw invalid(text, reason: "the range ends on \(last), before it starts on \(first)")
        }
        return Period(label: "\(first)..\(last)", firstDay: first, lastDay: last, start: start, end: lastStart.addingTimeInterval(86400))
    }

    private static func make(label: String, year: Int, firstMonth: Int, monthCount: Int) -> Period {
        let startDays = Timestamp.daysFromCivil(year: year, month: firstMonth, day: 1)
        let lastMonth = firstMonth + monthCount - 1
        let endDays = Timestamp.daysFromCivil(year: year, month: lastMonth, day: Timestamp.daysInMonth(year: year, month: lastMonth)) + 1
        let start = Date(timeIntervalSince1970: Double(startDays * 86400))
        let end = Date(timeIntervalSince1970: Double(endDays * 86400))
        return Period(
            label: label, firstDay: Timestamp.day(start), lastDay: Timestamp.day(end.addingTimeInterval(-86400)), start: start,
            end: end)
    }

    private static func parseYear(_ text: String) -> Int? {
        guard text.count == 4, text.allSatisfy(\.isASCIIDigit), let year = Int(text), year >= 1970 else { return nil }
        return year
    }

    /// Parses a `YYYY-MM-DD` day that exists in the calendar, from 1970 on, as the other
    /// forms require.
    private static func parseStrictDay(_ text: String) -> Date? {
        guard parseYear(String(text.prefix(4))) != nil else { return nil }
        return Timestamp.parseDay(text)
    }

    private static func invalid(_ text: String, reason: String? = nil) -> DocketError {
        let detail = reason.map { ": \($0)" } ?? ""
        return DocketError(
            .usage,
            "invalid period \"\(text)\"\(detail). Expected a year (2026), a half (2026-H1), a quarter (2026-Q1), a month (2026-03) or a range of UTC days (2026-01-15..2026-04-14).")
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
