import Foundation
import Testing

@testable import DocketKit

@Suite("control policy")
struct ControlPolicyTests {
    @Test("empty policy equals the defaults")
    func emptyPolicy() throws {
        let policy = try ControlPolicy.parse("{}", source: "test")
        #expect(policy == ControlPolicy.defaults)
        #expect(policy.productionPipelineStages == ["production"])
        #expect(policy.maxTeamAdmins == 3)
        #expect(policy.certificateExpiryWindowSeconds == 30 * 86400)
    }

    @Test("example policy in Fixtures parses")
    func examplePolicy() throws {
        let path = TestPaths.repository.appendingPathComponent("Fixtures/policy-example.jsonc").path
        let policy = try ControlPolicy.load(path: path)
        #expect(policy.productionAppNames == ["*-prod", "acme-internal"])
        #expect(policy.allowedEmailDomains == ["acme.example"])
        #expect(policy.revokedEmails == ["carol@acme.example"])
        #expect(policy.allowedRegions == ["us", "eu", "virginia"])
        #expect(policy.redisSupportedVersions == ["7.2"])
        #expect(policy.postgresSupportedVersions == nil)
        #expect(policy.evidenceMaxAgeSeconds == 26 * 3600)
    }

    @Test("comments are stripped outside strings only")
    func comments() throws {
        let text = """
            // leading comment
            { /* block
               comment */ "allowed_email_domains": ["a//b.example", "c/*d*/.example"] // trailing
            }
            """
        let policy = try ControlPolicy.parse(text, source: "test")
        #expect(policy.allowedEmailDomains == ["a//b.example", "c/*d*/.example"])
    }

    @Test("wrong type names the key and the expected value")
    func wrongType() {
        let error = #expect(throws: DocketError.self) {
            try ControlPolicy.parse(#"{"team": {"max_admins": "three"}}"#, source: "policy.json")
        }
        #expect(error?.category == .usage)
        #expect(error?.message.contains("\"team.max_admins\" must be a whole number of at least 0") == true)
        #expect(error?.message.contains("\"three\"") == true)
    }

    @Test("unknown key is rejected with the allowed keys")
    func unknownKey() {
        let error = #expect(throws: DocketError.self) {
            try ControlPolicy.parse(#"{"evidence": {"max_agee": "24h"}}"#, source: "policy.json")
        }
        #expect(error?.category == .usage)
        #expect(error?.message.contains("unknown key \"evidence.max_agee\"") == true)
        #expect(error?.message.contains("max_age") == true)
    }

    @Test("invalid duration names the key")
    func invalidDuration() {
        let error = #expect(throws: DocketError.self) {
            try ControlPolicy.parse(#"{"certificate_expiry_window": "30 days"}"#, source: "policy.json")
        }
        #expect(error?.message.contains("\"certificate_expiry_window\" must be a duration") == true)
    }

    @Test("unknown control id in disabled_controls is rejected")
    func unknownDisabledControl() {
        let error = #expect(throws: DocketError.self) {
            try ControlPolicy.parse(#"{"disabled_controls": ["account-mfaa"]}"#, source: "policy.json")
        }
        #expect(error?.message.contains("\"disabled_controls\"") == true)
        #expect(error?.message.contains("account-mfaa") == true)
    }

    @Test("syntax error is a usage error with the offset")
    func syntaxError() {
        let error = #expect(throws: DocketError.self) {
            try ControlPolicy.parse(#"{"team": }"#, source: "policy.json")
        }
        #expect(error?.category == .usage)
        #expect(error?.message.contains("is not valid JSON") == true)
    }

    @Test("missing file is a usage error naming the path")
    func missingFile() {
        let error = #expect(throws: DocketError.self) {
            try ControlPolicy.load(path: "/nonexistent/policy.json")
        }
        #expect(error?.category == .usage)
        #expect(error?.message.contains("/nonexistent/policy.json") == true)
    }

    @Test("null turns an evidence control off")
    func nullDurations() throws {
        let policy = try ControlPolicy.parse(#"{"evidence": {"max_age": null, "cadence": null, "grace": "0s"}}"#, source: "test")
        #expect(policy.evidenceMaxAgeSeconds == nil)
        #expect(policy.evidenceCadenceSeconds == nil)
        #expect(policy.evidenceGraceSeconds == 0)
    }

    @Test("disabled control is reported not applicable")
    func disabledControl() throws {
        var policy = ControlPolicy()
        policy.disabledControls = ["account-mfa"]
        let report = try ControlScenario([ControlFixtures.account(mfa: false)], policy: policy).report()
        let results = report.results.filter { $0.controlID == "account-mfa" }
        #expect(results.count == 1)
        #expect(results.first?.status == .notApplicable)
        #expect(results.first?.message.contains("disabled_controls") == true)
    }

    @Test("policy digest follows the effective policy")
    func digest() throws {
        let explicit = try ControlPolicy.parse(#"{"team": {"max_admins": 3}}"#, source: "test")
        #expect(explicit.digest == ControlPolicy.defaults.digest)
        let changed = try ControlPolicy.parse(#"{"team": {"max_admins": 4}}"#, source: "test")
        #expect(changed.digest != ControlPolicy.defaults.digest)
    }
}
