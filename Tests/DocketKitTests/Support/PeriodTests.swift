import Foundation
import Testing

@testable import DocketKit

@Suite("Audit periods")
struct PeriodTests {
    @Test(
        "each form parses to its UTC days",
        arguments: [
            ("2026", "2026-01-01", "2026-12-31"),
            ("2026-H1", "2026-01-01", "2026-06-30"),
            ("2026-h2", "2026-07-01", "2026-12-31"),
            ("2026-Q1", "2026-01-01", "2026-03-31"),
            ("2026-Q4", "2026-10-01", "2026-12-31"),
            ("2026-03", "2026-03-01", "2026-03-31"),
            ("2024-02", "2024-02-01", "2024-02-29"),
            ("2026-01-15..2026-04-14", "2026-01-15", "2026-04-14"),
            ("2026-03-25..2026-03-25", "2026-03-25", "2026-03-25"),
        ])
    func parses(text: String, first: String, last: String) throws {
        let period = try Period.parse(text)
        #expect(period.firstDay == first)
        #expect(period.lastDay == last)
        #expect(period.startText == first + "T00:00:00Z")
        #expect(Timestamp.day(period.end.addingTimeInterval(-1)) == last)
    }

    @Test("labels are canonical")
    func labels() throws {
        #expect(try Period.parse("2026-q3").label == "2026-Q3")
        #expect(try Period.parse("2026-01-15..2026-04-14").fileLabel == "2026-01-15_2026-04-14")
    }

    @Test(
        "invalid periods are usage errors",
        arguments: ["2026-Q5", "2026-Q0", "2026-H3", "2026-13", "2026-00", "26", "2026-3", "2026-W12", "2026-04-14..2026-01-15", "2026-02-30..2026-03-01", "2026-01-01..", "", "2026-03-01"])
    func rejects(text: String) {
        #expect {
            try Period.parse(text)
        } throws: { error in
            (error as? DocketError)?.category == .usage
        }
    }

    @Test("bounds are half-open in UTC")
    func bounds() throws {
        let period = try Period.parse("2026-03")
        #expect(period.contains(timestamp: "2026-03-01T00:00:00Z"))
        #expect(period.contains(timestamp: "2026-03-31T23:59:59Z"))
        #expect(!period.contains(timestamp: "2026-04-01T00:00:00Z"))
        #expect(!period.contains(timestamp: "2026-02-28T23:59:59Z"))
        #expect(period.days.count == 31)
    }
}
