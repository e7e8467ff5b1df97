import Testing

@testable import DocketKit

@Suite("redaction")
struct RedactorTests {
    @Test("secret fields are replaced, null stays null")
    func secretFields() {
        let value: JSONValue = [
            "resource_url": "postgres://u:p@ec2.example:5432/d1", "database_password": "p4ss", "metaas_source": nil,
            "name": "postgresql-curved-12345", "grant": ["code": "c0de", "id": "g1"],
        ]
        let redacted = Redactor.redact(value)
        #expect(redacted["resource_url"] == .string(Redactor.marker))
        #expect(redacted["database_password"] == .string(Redactor.marker))
        #expect(redacted["metaas_source"] == .null)
        #expect(redacted["name"] == "postgresql-curved-12345")
        #expect(redacted["grant"]?["code"] == .string(Redactor.marker))
        #expect(redacted["grant"]?["id"] == "g1")
    }

    @Test("URL credentials and query tokens are removed")
    func drainURL() {
        let value: JSONValue = ["url": "https://user:s3cret@logs.example.com/drain?token=abc&x=1"]
        let redacted = Redactor.redact(value)["url"]?.stringValue ?? ""
        #expect(redacted == "https://[REDACTED]@logs.example.com/drain?token=[REDACTED]&x=[REDACTED]")
    }

    @Test("HRKU tokens and database URLs in free text are removed")
    func freeText() {
        let text = "Set TOKEN=HRKU-0a1b2c3d-4e5f and DATABASE_URL=postgres://admin:hunter2@db.example/x"
        let redacted = Redactor.redactString(text)
        #expect(!redacted.contains("0a1b2c3d"))
        #expect(!redacted.contains("hunter2"))
        #expect(redacted.contains("HRKU-[REDACTED]"))
        #expect(redacted.contains("postgres://[REDACTED]@db.example/x"))
    }

    @Test("secrets inside arrays are replaced, neighbours kept")
    func arrays() {
        let value: JSONValue = [
            "drains": [["id": "d1", "url": "syslog://logs.example.com:514"], ["id": "d2", "token": "t0k3n", "url": "https://h.example/x?key=abc"]],
            "tags": ["plain", "owner HRKU-abc123"],
        ]
        let redacted = Redactor.redact(value)
        #expect(redacted["drains"]?.arrayValue?[0] == ["id": "d1", "url": "syslog://logs.example.com:514"])
        #expect(redacted["drains"]?.arrayValue?[1]["token"] == .string(Redactor.marker))
        #expect(redacted["drains"]?.arrayValue?[1]["url"] == "https://h.example/x?key=[REDACTED]")
        #expect(redacted["tags"] == ["plain", "owner HRKU-[REDACTED]"])
    }

    @Test("bare HRKU token is removed")
    func bareToken() {
        #expect(Redactor.redactString("HRKU-abc123") == "HRKU-[REDACTED]")
        #expect(Redactor.redactString("rotated to HRKU-abc123") == "rotated to HRKU-[REDACTED]")
        #expect(Redactor.redactString("HRKU") == "HRKU")
        #expect(Redactor.redactString("ends with H") == "ends with H")
    }

    @Test("plain email addresses are kept")
    func emails() {
        #expect(Redactor.redactString("owner is jane@acme.example") == "owner is jane@acme.example")
    }
}
