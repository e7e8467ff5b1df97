import Foundation
import Testing

@testable import DocketKit

private typealias F = ControlFixtures

@Suite("control evaluator")
struct ControlEvaluatorTests {
    /// A snapshot that exercises most controls at once.
    static let mixed: [CapturedResource] = [
        F.account(mfa: true), F.team(), F.member("alice@acme.example", role: "admin"), F.member("bob@acme.example", mfa: false),
        F.app("api"), F.app("worker", stack: "heroku-20", buildStack: "heroku-20"), F.coupling(app: "api", stage: "production"),
        F.domain("api.acme.example", app: "api", acmStatus: "cert issued"), F.sniEndpoint("stego", app: "api", expiresAt: "2026-04-01T00:00:00Z"),
        F.postgres("pg", app: "api", body: F.essentialBody()), F.redis("redis-1", app: "api"), F.space("private"),
        F.ruleset(space: "private", sources: ["0.0.0.0/0"]), F.collaborator("dave@contractor.example", app: "api"),
    ]

    @Test("same snapshot and policy give identical output")
    func deterministic() throws {
        let store = try F.makeStore()
        let snapshot = try F.commit(store, Self.mixed)
        var policy = ControlPolicy()
        policy.allowedEmailDomains = ["acme.example"]
        let first = try ControlEvaluator(store: store, policy: policy).evaluate(snapshot)
        let second = try ControlEvaluator(store: store, policy: policy, now: Date(timeIntervalSince1970: 0)).evaluate(snapshot)
        for format in ControlRenderer.Format.allCases {
            #expect(ControlRenderer.render(first, as: format) == ControlRenderer.render(second, as: format), "\(format)")
        }
        #expect(first.asOf == snapshot.capturedAt)
    }

    @Test("results sorted by catalogue order")
    func order() throws {
        let report = try ControlScenario(Self.mixed).report()
        let order = ControlCatalogue.all.map(\.id)
        let positions = report.results.compactMap { result in order.firstIndex(of: result.controlID) }
        #expect(positions == positions.sorted())
        #expect(Set(report.results.map(\.controlID)) == Set(order))
    }

    @Test("time reference now moves the clock")
    func timeReferenceNow() throws {
        let store = try F.makeStore()
        let snapshot = try F.commit(store, [F.account()])
        let later = try #require(Timestamp.parse("2026-03-28T06:00:00Z"))
        let report = try ControlEvaluator(store: store, timeReference: .now, now: later).evaluate(snapshot)
        #expect(report.asOf == "2026-03-28T06:00:00Z")
        let fresh = try #require(report.results.first { $0.controlID == "evidence-fresh" })
        #expect(fresh.status == .fail)
        #expect(fresh.message.contains("3d"))
        let gaps = report.results.filter { $0.controlID == "evidence-continuous" }
        #expect(gaps.contains { $0.status == .fail })
    }

    @Test("stack near end of life passes with a warning")
    func endOfLifeWarning() throws {
        let store = try F.makeStore()
        let snapshot = try F.commit(store, [F.app("web", stack: "heroku-22", buildStack: "heroku-22")], at: "2027-03-01T06:00:00Z")
        let report = try ControlEvaluator(store: store).evaluate(snapshot)
        let result = try #require(report.results.first { $0.controlID == "app-stack-supported" })
        #expect(result.status == .pass)
        #expect(result.warning?.contains("2027-04-30") == true)
        #expect(result.warning?.contains("unconfirmed") == true)
        #expect(result.state == "pass-with-warning")
    }

    @Test("app name pattern makes an app production")
    func productionByName() throws {
        var policy = ControlPolicy()
        policy.productionAppNames = ["*-prod"]
        let report = try ControlScenario([F.app("shop-prod"), F.app("shop-dev")], policy: policy).report()
        let results = report.results.filter { $0.controlID == "production-log-shipping" }
        #expect(results.first { $0.resource?.name == "shop-prod" }?.status == .fail)
        #expect(results.first { $0.resource?.name == "shop-dev" }?.status == .notApplicable)
    }

    @Test("glob patterns match as the shell does")
    func glob() {
        #expect(Glob.matches("*-prod", "shop-prod"))
        #expect(Glob.matches("*-prod", "SHOP-PROD"))
        #expect(!Glob.matches("*-prod", "shop-production"))
        #expect(Glob.matches("api-?", "api-1"))
        #expect(!Glob.matches("api-?", "api-12"))
        #expect(Glob.matches("a*b*c", "axxbyyc"))
        #expect(Glob.matches("*", ""))
    }

    @Test("postgres major version parsing")
    func majorVersions() {
        #expect(DatastoreControls.majorVersion("16.4") == "16")
        #expect(DatastoreControls.majorVersion("9.6.24") == "9.6")
        #expect(DatastoreControls.majorVersion("17") == "17")
        #expect(DatastoreControls.majorVersion("unknown") == nil)
    }

    @Test("CSV quotes commas, quotes and line breaks")
    func csvQuoting() throws {
        let report = try ControlScenario([F.team(), F.member("a@acme.example", role: "admin"), F.member("b@acme.example", role: "admin")]).report()
        let csv = ControlRenderer.csv([report])
        #expect(csv.hasPrefix(ControlRenderer.csvColumns.joined(separator: ",") + "\r\n"))
        #expect(csv.contains("\"2 admins, within the policy's maximum of 3: a@acme.example, b@acme.example\""))
        #expect(ControlRenderer.csvField("say \"hi\"") == "\"say \"\"hi\"\"\"")
    }

    @Test("CSV table rows and fields")
    func csvTable() {
        let rows = [
            ["plain", "with, comma", "", "Zürich"],
            ["line\nbreak", "carriage\rreturn", "\"quoted\"", "ends,"],
        ]
        let expected = "plain,\"with, comma\",,Zürich\r\n\"line\nbreak\",\"carriage\rreturn\",\"\"\"quoted\"\"\",\"ends,\"\r\n"
        #expect(ControlRenderer.csvTable(rows) == expected)
        #expect(ControlRenderer.csvTable([]) == "")
        #expect(ControlRenderer.csvField("Zürich") == "Zürich")
    }

    @Test("JSON report names snapshot, policy and time reference")
    func jsonReport() throws {
        let report = try ControlScenario(Self.mixed).report()
        let json = ControlRenderer.json(report)
        #expect(json["snapshot"]?["digest"]?.stringValue == report.snapshot.digest)
        #expect(json["policy"]?["digest"]?.stringValue == ControlPolicy.defaults.digest)
        #expect(json["time_reference"]?.stringValue == "snapshot")
        #expect(json["docket_version"]?.stringValue == DocketVersion.current)
        let controls = try #require(json["controls"]?.arrayValue)
        #expect(controls.count == ControlCatalogue.all.count)
        let inbound = try #require(controls.first { $0["id"]?.stringValue == "space-inbound-restricted" })
        #expect(inbound["status"]?.stringValue == "fail")
        let result = try #require(inbound["results"]?.arrayValue?.first)
        #expect(result["resource"]?["digest"]?.stringValue?.count == 64)
    }

    @Test("text report lists each control with its worst status")
    func textReport() throws {
        let report = try ControlScenario(Self.mixed).report()
        let text = ControlRenderer.text(report)
        #expect(text.contains("FAIL   team-member-mfa: Team members have multi-factor authentication"))
        #expect(text.contains("  FAIL   team-member/acme/bob@acme.example ["))
        #expect(text.contains("19 controls:"))
    }
}

@Suite("control result order")
struct ControlResultOrderTests {
    /// Makes results whose keys repeat (the status distinguishes equal ones), some of them
    /// without a resource.
    static func results(count: Int) -> [ControlResult] {
        (0..<count).map { number in
            let resource = number % 7 == 0 ? nil : EvidenceReference(kind: number % 2 == 0 ? "app" : "domain", key: "k\(number % 5)", name: "n\(number % 3)", digest: nil)
            return ControlResult(controlID: "c", status: number % 4 == 0 ? .fail : .pass, resource: resource, fieldsRead: [], message: "m\(number % 2)")
        }
    }

    static func stableSorted(_ results: [ControlResult]) -> [ControlResult] {
        results.enumerated().sorted { left, right in
            let leftKey = (left.element.resource?.kind ?? "", left.element.resource?.name ?? "", left.element.resource?.key ?? "", left.element.message)
            let rightKey = (right.element.resource?.kind ?? "", right.element.resource?.name ?? "", right.element.resource?.key ?? "", right.element.message)
            return leftKey < rightKey || (leftKey == rightKey && left.offset < right.offset)
        }.map(\.element)
    }

    @Test("sorted like a stable sort")
    func sameAsStableSort() {
        var generator = SystemRandomNumberGenerator()
        let orders = [Self.results(count: 60), Self.results(count: 60).reversed(), Self.results(count: 60).shuffled(using: &generator)]
        for results in orders.map(Array.init) {
            #expect(ControlEvaluator.sortedForReport(results) == Self.stableSorted(results))
        }
        let sorted = Self.stableSorted(Self.results(count: 60))
        #expect(ControlEvaluator.sortedForReport(sorted) == sorted)
    }
}
