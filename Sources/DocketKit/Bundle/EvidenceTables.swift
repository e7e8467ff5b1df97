/// CSV as RFC 4180 writes it: fields quoted when they hold a comma, quote, CR or LF, quotes
/// doubled, and CRLF after every record, which spreadsheet programs read without asking.
struct CSVTable {
    private(set) var text: String

    init(header: [String]) {
        text = ""
        append(header)
    }

    mutating func append(_ fields: [String]) {
        text += Self.line(fields)
    }

    /// Formats one record: quoted fields, comma-separated, ending in CRLF.
    static func line(_ fields: [String]) -> String {
        fields.map(quote).joined(separator: ",") + "\r\n"
    }

    var bytes: [UInt8] { Array(text.utf8) }

    static func quote(_ field: String) -> String {
        let needsQuotes = field.contains { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
        guard needsQuotes else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// The CSV evidence files: runs, per-run endpoint figures, the inventory and the change table.
enum EvidenceTables {
    /// `runs.csv`: every capture attempt in the period, failures and interruptions included.
    static func runs(_ runs: [RunRecord]) -> CSVTable {
        var table = CSVTable(header: [
            "run_id", "started_at", "ended_at", "outcome", "exit_code", "requests", "retries", "rate_limited",
            "rate_limit_at_start", "rate_limit_at_end", "snapshot", "resources", "host", "docket_version", "api_url",
            "token_source", "error",
        ])
        for run in runs {
            table.append([
                String(run.id), run.startedAt, run.endedAt ?? "", run.outcome.rawValue, text(run.exitCode),
                String(run.requests), String(run.retries), String(run.rateLimited), text(run.rateLimitAtStart),
                text(run.rateLimitAtEnd), run.snapshotDigest ?? "", text(run.resourceCount), run.host, run.docketVersion,
                run.apiURL ?? "", run.tokenSource ?? "", run.error ?? "",
            ])
        }
        return table
    }

    /// `run-endpoints.csv`: per run and endpoint, the pages and items read and the OAuth
    /// scopes Heroku accepted, so an auditor can judge whether each listing was read in full.
    static func runEndpoints(_ runs: [RunRecord], store: SnapshotStore) throws -> CSVTable {
        var table = CSVTable(header: [
            "run_id", "endpoint", "requests", "pages", "items", "failures", "last_status", "scope_accepted", "last_error",
        ])
        for run in runs {
            for endpoint in try store.endpoints(ofRun: run.id) {
                table.append([
                    String(run.id), endpoint.endpoint, String(endpoint.requests), String(endpoint.pages),
                    String(endpoint.items), String(endpoint.failures), String(endpoint.lastStatus),
                    endpoint.scopeAccepted ?? "", endpoint.lastError ?? "",
                ])
            }
        }
        return table
    }

    static let inventoryHeader = [
        "kind", "id", "name", "app", "service", "plan", "region", "stack", "space", "team", "owner", "state", "created_at",
    ]

    /// Reads one inventory row per app and add-on of `snapshot`, apps first, each sorted by name.
    static func inventoryRows(of snapshot: SnapshotInfo, store: SnapshotStore) throws -> [[String]] {
        var rows: [[String]] = []
        for kind in [ResourceKind.app, ResourceKind.addon] {
            let entries = try store.entries(of: snapshot, kind: kind).sorted { ($0.name, $0.key) < ($1.name, $1.key) }
            for entry in entries {
                let body = try store.body(of: entry)
                rows.append(inventoryRow(entry: entry, body: body))
            }
        }
        return rows
    }

    private static func inventoryRow(entry: ResourceEntry, body: JSONValue) -> [String] {
        func field(_ path: String) -> String {
            switch body.value(atPath: path) {
            case .string(let value): return value
            case .number(let value): return CanonicalJSON.formatNumber(value)
            case .bool(let value): return value ? "true" : "false"
            default: return ""
            }
        }
        let stack = field("stack.name").isEmpty ? field("build_stack.name") : field("stack.name")
        let plan = field("plan.name").isEmpty ? field("plan") : field("plan.name")
        return [
            entry.kind, entry.key, entry.name, field("app.name"), field("addon_service.name"), plan, field("region.name"),
            stack, field("space.name"), field("team.name"), field("owner.email"), field("state"), field("created_at"),
        ]
    }

    static func inventory(_ rows: [[String]]) -> CSVTable {
        var table = CSVTable(header: inventoryHeader)
        for row in rows {
            table.append(row)
        }
        return table
    }

    static let changesHeader = [
        "captured_at", "snapshot", "parent", "kind", "key", "name", "change", "field", "old_value", "new_value",
    ]

    static func changeRecord(_ row: ChangeRow, snapshot: SnapshotInfo, parent: SnapshotInfo) -> [String] {
        [
            snapshot.capturedAt, snapshot.digest, parent.digest, row.kind, row.key, row.name, row.change, row.field,
            row.oldValue, row.newValue,
        ]
    }

    private static func text(_ value: Int?) -> String {
        value.map(String.init) ?? ""
    }
}
