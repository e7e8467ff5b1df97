import Foundation

/// UTC timestamps as Docket writes them: RFC 3339 with a `Z` suffix and whole seconds,
/// so that they sort as text.
public enum Timestamp {
    /// The current time, or `DOCKET_NOW` when set. `DOCKET_NOW` lets tests and the demo replay
    /// fixture days at fixed dates; a production service never sets it.
    public static func now(environment: [String: String] = ProcessInfo.processInfo.environment) -> Date {
        if let fixed = environment["DOCKET_NOW"], let date = parse(fixed) {
            return date
        }
        return Date()
    }

    public static func format(_ date: Date) -> String {
        let seconds = Int64(floor(date.timeIntervalSince1970))
        return formatEpoch(seconds)
    }

    /// Formats whole seconds since 1970 without Foundation's locale-aware formatters.
    public static func formatEpoch(_ seconds: Int64) -> String {
        let days = Int64(floor(Double(seconds) / 86400))
        let secondOfDay = seconds - days * 86400
        let (year, month, day) = civilDate(fromDays: days)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02dZ", year, month, day, Int(secondOfDay / 3600),
            Int(secondOfDay % 3600 / 60), Int(secondOfDay % 60))
    }

    /// The `YYYY-MM-DD` UTC day of `date`.
    public static func day(_ date: Date) -> String {
        String(format(date).prefix(10))
    }

    /// Compiled once: controls parse a timestamp for every certificate and support window.
    nonisolated(unsafe) private static let dateTimePattern = try! Regex(
        #"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})$"#)

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)`; nil for anything else.
    public static func parse(_ text: String) -> Date? {
        guard let match = text.wholeMatch(of: dateTimePattern) else { return nil }
        func number(_ index: Int) -> Int? {
            guard let range = match.output[index].range else { return nil }
            return Int(text[range])
        }
        guard let year = number(1), let month = number(2), let day = number(3), let hour = number(4),
            let minute = number(5), (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60
        else { return nil }
        let second = number(6) ?? 0
        guard second < 61, day <= daysInMonth(year: year, month: month) else { return nil }
        var offset = 0
        if let zoneRange = match.output[8].range, text[zoneRange] != "Z" {
            let zone = text[zoneRange].replacingOccurrences(of: ":", with: "")
            let hours = Int(zone.dropFirst().prefix(2)) ?? 0
            let minutes = Int(zone.suffix(2)) ?? 0
            offset = (hours * 3600 + minutes * 60) * (zone.hasPrefix("-") ? -1 : 1)
        }
        var fraction = 0.0
        if let fractionRange = match.output[7].range {
            fraction = Double("0." + text[fractionRange]) ?? 0
        }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86400 + Int64(hour * 3600 + minute * 60 + second - offset)
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    /// Parses a `YYYY-MM-DD` day into its first second, UTC.
    public static func parseDay(_ text: String) -> Date? {
        guard text.utf8.count == 10 else { return nil }
        return parse(text + "T00:00:00Z")
    }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = Int64(month > 2 ? month - 3 : month + 9)
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146097 + dayOfEra - 719468
    }

    public static func civilDate(fromDays days: Int64) -> (Int, Int, Int) {
        let shifted = days + 719468
        let era = (shifted >= 0 ? shifted : shifted - 146096) / 146097
        let dayOfEra = shifted - era * 146097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }
}

/// A length of time given on the command line: `90s`, `30m`, `24h`, `7d`, or combinations
/// such as `1h30m`.
public enum Duration {
    public static func parseSeconds(_ text: String) -> Int? {
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800]
        var total = 0
        var digits = ""
        for character in text {
            if character.isASCII, character.isNumber {
                digits.append(character)
            } else if let unit = units[character], let value = Int(digits) {
                total += value * unit
                digits = ""
            } else {
                return nil
            }
        }
        guard digits.isEmpty, !text.isEmpty, total > 0 else { return nil }
        return total
    }

    public static func format(seconds: Int) -> String {
        if seconds % 86400 == 0 { return "\(seconds / 86400)d" }
        if seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }
}
