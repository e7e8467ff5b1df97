import Foundation
import Testing

@testable import DocketKit

private typealias F = ControlFixtures

/// Controls and files that span several snapshots: access removals, the timeline and the
/// bundle's `data/controls/`.
@Suite("control history")
struct ControlHistoryTests {
    static let days = (1...4).map { String(format: "2026-03-%02dT06:00:00Z", 24 + $0) }

    /// Commits three snapshots of a team whose member carol is gone from the second on.
    static func carolRemovedOnDayTwo() throws -> (SnapshotStore, SnapshotInfo, SnapshotInfo, SnapshotInfo) {
        let store = try F.makeStore()
        let base = [F.team(), F.member("alice@acme.example")]
        let first = try F.commit(store, base + [F.member("carol@acme.example")], at: Self.days[0])
        let second = try F.commit(store, base, at: Self.days[1])
        let third = try F.commit(store, base, at: Self.days[2])
        return (store, first, second, third)
    }

    @Test("removal is listed with the snapshot that first shows it")
    func removalListed() throws {
        let (store, first, second, third) = try Self.carolRemovedOnDayTwo()
        let evaluator = ControlEvaluator(store: store)
        #expect(try evaluator.evaluate(first).results.first { $0.controlID == "access-removal" }?.status == .notApplicable)
        for snapshot in [second, third] {
            let removal = try #require(try evaluator.evaluate(snapshot).results.first { $0.controlID == "access-removal" })
            #expect(removal.status == .pass)
            #expect(removal.resource?.name == "acme/carol@acme.example")
            #expect(removal.message.contains("first absent in snapshot \(second.shortDigest)"))
            #expect(removal.message.contains("last present in \(first.shortDigest)"))
            #expect(removal.evidence.first?.digest == second.digest)
        }
    }

    @Test("removal found in any evaluation order")
    func removalInAnyOrder() throws {
        let (store, first, second, third) = try Self.carolRemovedOnDayTwo()
        let evaluator = ControlEvaluator(store: store)
        // Latest first, then back to the start, then forward again: each step either
        // continues the walk or starts it over.
        for snapshot in [third, first, second, third, second] {
            let results = try evaluator.evaluate(snapshot).results.filter { $0.controlID == "access-removal" }
            if snapshot.digest == first.digest {
                #expect(results.map(\.status) == [.notApplicable])
                continue
            }
            let removal = try #require(results.first)
            #expect(removal.status == .pass)
            #expect(removal.message.contains("first absent in snapshot \(second.shortDigest)"))
        }
    }

    @Test("failed listing hides no one and removes no one")
    func notRecordedIsNotRemoval() throws {
        let store = try F.makeStore()
        let people = [F.team(), F.member("carol@acme.example")]
        try F.commit(store, people, at: Self.days[0])
        let blind = try F.commit(store, [F.team()], at: Self.days[1], notRecorded: [F.notRecorded(ResourceKind.teamMember, parent: F.teamID)])
        let seen = try F.commit(store, [F.team()], at: Self.days[2])
        let evaluator = ControlEvaluator(store: store)
        let blindResults = try evaluator.evaluate(blind).results.filter { $0.controlID == "access-removal" }
        #expect(blindResults.allSatisfy { $0.status == .error })
        let removal = try #require(try evaluator.evaluate(seen).results.first { $0.controlID == "access-removal" && $0.status == .pass })
        #expect(removal.message.contains("first absent in snapshot \(seen.shortDigest)"))
    }

    @Test("re-added person is no longer listed as removed")
    func readded() throws {
        let store = try F.makeStore()
        let carol = [F.team(), F.member("carol@acme.example")]
        try F.commit(store, carol, at: Self.days[0])
        try F.commit(store, [F.team()], at: Self.days[1])
        let back = try F.commit(store, carol, at: Self.days[2])
        let result = try #require(try ControlEvaluator(store: store).evaluate(back).results.first { $0.controlID == "access-removal" })
        #expect(result.status == .notApplicable)
    }

    @Test("timeline records each state change once")
    func timeline() throws {
        let store = try F.makeStore()
        let first = try F.commit(store, [F.team(), F.member("bob@acme.example", mfa: false)], at: Self.days[0])
        let second = try F.commit(store, [F.team(), F.member("bob@acme.example", mfa: true)], at: Self.days[1])
        let third = try F.commit(store, [F.team(), F.member("bob@acme.example", mfa: true)], at: Self.days[2])
        let evidence = try ControlEvidence.build(
            store: store, policy: .defaults, policySource: "defaults", snapshots: [first, second, third], periodStart: Self.days[0])
        let bob = evidence.changes.filter { $0.controlID == "team-member-mfa" && $0.resource?.name == "acme/bob@acme.example" }
        #expect(bob.count == 2)
        #expect(bob.first?.from == nil)
        #expect(bob.first?.to == "fail")
        #expect(bob.last?.from == "fail")
        #expect(bob.last?.to == "pass")
        #expect(bob.last?.snapshotDigest == second.digest)
    }

    /// A result whose subject is gone is listed after the results that changed state.
    @Test("timeline lists removals after changes")
    func timelineRemovals() throws {
        let store = try F.makeStore()
        let first = try F.commit(
            store, [F.team(), F.member("alice@acme.example", mfa: false), F.member("bob@acme.example", mfa: false)], at: Self.days[0])
        let second = try F.commit(store, [F.team(), F.member("bob@acme.example", mfa: true)], at: Self.days[1])
        let evidence = try ControlEvidence.build(
            store: store, policy: .defaults, policySource: "defaults", snapshots: [first, second], periodStart: Self.days[0])
        let later = evidence.changes.filter { $0.controlID == "team-member-mfa" && $0.snapshotDigest == second.digest }
        #expect(later.map(\.resource?.name) == ["acme/bob@acme.example", "acme/alice@acme.example"])
        #expect(later.map(\.from) == ["fail", "fail"])
        #expect(later.map(\.to) == ["pass", nil])
    }

    @Test("bundle files hold a report per snapshot and the timeline")
    func bundleFiles() throws {
        let store = try F.makeStore()
        let first = try F.commit(store, [F.app("api")], at: Self.days[0])
        let second = try F.commit(store, [F.app("api", stack: "heroku-20", buildStack: "heroku-20")], at: Self.days[1])
        let evidence = try ControlEvidence.build(
            store: store, policy: .defaults, policySource: "defaults", snapshots: [first, second], periodStart: Self.days[0])
        let files = try evidence.files()
        #expect(files.map(\.path) == [
            "2026-03-25T06:00:00Z/results.csv", "2026-03-25T06:00:00Z/results.json", "2026-03-25T06:00:00Z/summary.json",
            "2026-03-26T06:00:00Z/results.csv", "2026-03-26T06:00:00Z/results.json", "2026-03-26T06:00:00Z/summary.json",
            "catalogue.json", "timeline.csv", "timeline.json",
        ])
        let summary = try JSONParser.parse(try #require(files.first { $0.path == "2026-03-26T06:00:00Z/summary.json" }).contents)
        #expect(summary["snapshot"]?["digest"]?.stringValue == second.digest)
        let results = try #require(files.first { $0.path == "2026-03-26T06:00:00Z/results.json" }).contents
        #expect(!results.contains(second.digest))
        #expect(results.contains("app-stack-supported"))
        #expect(!results.contains("evidence-fresh"))
        let timeline = try #require(files.first { $0.path == "timeline.csv" }).contents
        #expect(timeline.contains("app-stack-supported,app,app-api,api,pass,fail,"))
        let again = try ControlEvidence.build(
            store: store, policy: .defaults, policySource: "defaults", snapshots: [first, second], periodStart: Self.days[0])
        #expect(try again.files().map(\.contents) == files.map(\.contents))
    }

    @Test("bundle file bytes match rendered files")
    func bundleFileBytes() throws {
        let store = try F.makeStore()
        let base = [F.team(), F.member("alice@acme.example"), F.app("web"), F.domain("www.acme.example", app: "web")]
        let snapshots = [
            try F.commit(store, base + [F.app("api"), F.member("carol@acme.example", mfa: false)], at: Self.days[0]),
            try F.commit(store, base + [F.app("api", stack: "heroku-20", buildStack: "heroku-20")], at: Self.days[1]),
            try F.commit(store, base + [F.app("api", stack: "heroku-20", buildStack: "heroku-20")], at: Self.days[2]),
            try F.commit(store, [F.team(), F.app("web")], at: Self.days[3]),
        ]
        let evaluator = ControlEvaluator(store: store, timeReference: .snapshot)
        var reports = try snapshots.map { try evaluator.evaluate($0) }
        // A result about the whole snapshot, which results.json names only by its kind.
        var whole = try #require(reports[1].results.first { !ControlRenderer.isAboutEvidence($0.controlID) })
        whole.resource = EvidenceReference(kind: "snapshot", key: snapshots[1].digest, name: Self.days[1], digest: snapshots[1].digest)
        reports[1].results.append(whole)

        var texts = ControlRenderer.ResultTexts()
        for report in reports {
            let expected = ControlRenderer.bundleFiles(report)
            let files = ControlRenderer.bundleFileBytes(report, texts: &texts)
            #expect(files.summary == PrettyJSON.encodeBytes(expected.summary))
            #expect(files.results == PrettyJSON.encodeBytes(expected.results))
            let table = ControlRenderer.resultsCSV(report.results.filter { !ControlRenderer.isAboutEvidence($0.controlID) })
            #expect(files.table == Array(table.utf8))
        }
    }

    @Test("split evaluation gives same evidence")
    func splitEvaluation() throws {
        let store = try F.makeStore()
        let base = [F.team(), F.member("alice@acme.example")]
        let carol = F.member("carol@acme.example")
        let days = (1...6).map { String(format: "2026-04-%02dT06:00:00Z", $0) }
        // The halves are days 1-3 and 4-6. Carol leaves inside the first half and stays
        // listed as removed in the second; bob's MFA changes exactly where the halves meet.
        let snapshots = [
            try F.commit(store, base + [carol, F.member("bob@acme.example", mfa: false)], at: days[0]),
            try F.commit(store, base + [F.member("bob@acme.example", mfa: false)], at: days[1]),
            try F.commit(store, base + [F.member("bob@acme.example", mfa: false)], at: days[2]),
            try F.commit(store, base + [F.member("bob@acme.example", mfa: true)], at: days[3]),
            try F.commit(store, base + [F.member("bob@acme.example", mfa: true)], at: days[4]),
            try F.commit(store, base + [F.member("bob@acme.example", mfa: true), carol], at: days[5]),
        ]
        let alone = try ControlEvidence.build(
            store: store, policy: .defaults, policySource: "defaults", snapshots: snapshots, periodStart: days[0])
        let reader = try SnapshotStore(path: store.path, readOnly: true)
        let split = try ControlEvidence.build(
            store: store, policy: .defaults, policySource: "defaults", snapshots: snapshots, periodStart: days[0], reader: reader)

        let bob = split.changes.filter { $0.controlID == "team-member-mfa" && $0.resource?.name == "acme/bob@acme.example" }
        #expect(bob.map(\.to) == ["fail", "pass"])
        #expect(bob.last?.snapshotDigest == snapshots[3].digest)
        #expect(split.changes == alone.changes)
        #expect(split.statusCounts == alone.statusCounts)
        #expect(split.lastReport?.snapshot.digest == snapshots[5].digest)
        #expect(split.htmlSection() == alone.htmlSection())
        let files = try split.files()
        #expect(files.map(\.path) == (try alone.files()).map(\.path))
        #expect(files.map(\.contents) == (try alone.files()).map(\.contents))
        let removal = try #require(files.first { $0.path == "\(days[4])/results.json" }).contents
        #expect(removal.contains("first absent in snapshot \(snapshots[1].shortDigest)"))
    }

    @Test("earlier half failure is thrown")
    func splitEvaluationFailure() throws {
        let store = try F.makeStore()
        let days = (1...4).map { String(format: "2026-04-%02dT06:00:00Z", $0) }
        // Only the first snapshot has the app "one", so its app tree is its own.
        var snapshots = [try F.commit(store, [F.team(), F.app("one")], at: days[0])]
        for day in days.dropFirst() {
            snapshots.append(try F.commit(store, [F.team(), F.app("two")], at: day))
        }
        let appTree = try #require(try store.kindTrees(of: snapshots[0])[ResourceKind.app])
        try store.overwriteBody(of: appTree, with: Array("damaged".utf8))
        // Opened again, so that no cache keeps the tree as it was.
        let damaged = try SnapshotStore(path: store.path, readOnly: true)
        let reader = try SnapshotStore(path: store.path, readOnly: true)
        #expect(throws: StoreError.self) {
            _ = try ControlEvidence.build(
                store: damaged, policy: .defaults, policySource: "defaults", snapshots: snapshots, periodStart: days[0], reader: reader)
        }
    }

    @Test("HTML section escapes every text")
    func htmlSection() throws {
        let store = try F.makeStore()
        let first = try F.commit(store, [F.app("api")], at: Self.days[0])
        let second = try F.commit(store, [F.app("api"), F.domain("<b>evil</b>.example", app: "api")], at: Self.days[1])
        let evidence = try ControlEvidence.build(
            store: store, policy: .defaults, policySource: "a&b.json", snapshots: [first, second], periodStart: nil)
        let html = evidence.htmlSection()
        #expect(html.hasPrefix("<section id=\"controls\">"))
        #expect(html.contains("&lt;b&gt;evil&lt;/b&gt;.example"))
        #expect(!html.contains("<b>evil"))
        #expect(html.contains("a&amp;b.json"))
        #expect(html.contains("<code>domain-certificate</code>"))
    }

    @Test("continuity ignores gaps before the period")
    func periodStart() throws {
        let store = try F.makeStore()
        try F.recordRun(store, at: "2026-03-01T06:00:00Z")
        for day in 10...24 {
            try F.recordRun(store, at: String(format: "2026-03-%02dT06:00:00Z", day))
        }
        let snapshot = try F.commit(store, [F.account()], at: Self.days[0])
        let evaluator = ControlEvaluator(store: store)
        let unbounded = try evaluator.evaluate(snapshot).results.filter { $0.controlID == "evidence-continuous" }
        #expect(unbounded.map(\.status) == [.fail])
        #expect(unbounded.first?.message.contains("gap of 9d from 2026-03-01T06:00:00Z") == true)
        evaluator.periodStart = "2026-03-15T00:00:00Z"
        let bounded = try evaluator.evaluate(snapshot).results.filter { $0.controlID == "evidence-continuous" }
        #expect(bounded.map(\.status) == [.pass])
        evaluator.periodStart = "2026-03-05T00:00:00Z"
        let crossing = try evaluator.evaluate(snapshot).results.filter { $0.controlID == "evidence-continuous" }
        #expect(crossing.map(\.status) == [.fail], "a gap that spans the period's start counts")
    }
}
