import Foundation
import Testing

@testable import DocketKit

@Suite("Coverage gaps and days")
struct CoverageTests {
    /// Snapshots on March 25, 26, 28 and 29 at 06:00, and a failed run on the 27th.
    static func makeFixture() throws -> BundleFixture {
        let fixture = BundleFixture(
            folder: TestPaths.temporaryDirectory(),
            store: try SnapshotStore(path: TestPaths.temporaryDirectory().appendingPathComponent("s.sqlite").path, create: true))
        for day in [25, 26, 28, 29] {
            if day == 28 {
                try fixture.recordFailedRun(at: "2026-03-27T06:00:00Z", outcome: .transientFailure)
            }
            try fixture.capture(at: "2026-03-\(day)T06:00:00Z", resources: BundleFixture.resources(dayIndex: 0))
        }
        return fixture
    }

    func coverage(_ period: String, cadence: Int = 86400) throws -> Coverage {
        let fixture = try Self.makeFixture()
        return Coverage(plan: try BundlePlan.make(store: fixture.store, period: try Period.parse(period), expectedCadence: cadence))
    }

    @Test("a missed day is a gap holding the failed run")
    func missedDay() throws {
        let coverage = try coverage("2026-03-25..2026-03-29")
        #expect(coverage.gaps.count == 1)
        let gap = try #require(coverage.gaps.first)
        #expect(gap.from == "2026-03-26T06:00:00Z")
        #expect(gap.to == "2026-03-28T06:00:00Z")
        #expect(gap.seconds == 2 * 86400)
        #expect(gap.runs.map(\.outcome) == [.transientFailure])
    }

    @Test("a longer cadence hides the gap")
    func longerCadence() throws {
        #expect(try coverage("2026-03-25..2026-03-29", cadence: 49 * 3600).gaps.isEmpty)
    }

    @Test("the interval from the baseline is clipped to the period")
    func baselineInterval() throws {
        let coverage = try coverage("2026-03-28..2026-03-29")
        #expect(coverage.gaps.map(\.from) == ["2026-03-28T00:00:00Z"])
        #expect(coverage.gaps.map(\.to) == ["2026-03-28T06:00:00Z"])
    }

    @Test("no baseline and an open end are gaps")
    func edges() throws {
        let coverage = try coverage("2026-03-24..2026-03-31")
        #expect(coverage.gaps.map(\.from) == ["2026-03-24T00:00:00Z", "2026-03-26T06:00:00Z", "2026-03-29T06:00:00Z"])
        #expect(coverage.gaps.map(\.to) == ["2026-03-25T06:00:00Z", "2026-03-28T06:00:00Z", "2026-04-01T00:00:00Z"])
    }

    @Test("each day has a state")
    func days() throws {
        let coverage = try coverage("2026-03-24..2026-03-29")
        let states = Dictionary(uniqueKeysWithValues: coverage.days.map { ($0.day, $0.state) })
        #expect(states["2026-03-24"] == .missing)
        #expect(states["2026-03-25"] == .complete)
        #expect(states["2026-03-27"] == .failed)
        #expect(coverage.days.first { $0.day == "2026-03-27" }?.isInGap == true)
        #expect(coverage.days.first { $0.day == "2026-03-29" }?.isInGap == false)
    }
}
