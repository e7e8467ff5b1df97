/// The three forms of a control report: readable text, JSON and CSV. All three list every
/// result with its resource, the resource's digest and the fields read, so an auditor can
/// open the evidence with `docket show REF KIND/KEY`.
public enum ControlRenderer {
    public enum Format: String, CaseIterable, Sendable {
        case text, json, csv
    }

    public static func render(_ report: ControlReport, as format: Format) -> String {
        switch format {
        case .text: return text(report)
        case .json: return PrettyJSON.encode(json(report))
        case .csv: return csv([report])
        }
    }

    // MARK: - Text

    public static func text(_ report: ControlReport) -> String {
        var lines = header(report)
        for (control, status) in report.controlStatuses() {
            lines.append("")
            lines.append("\(status.label.padding(toLength: 6, withPad: " ", startingAt: 0)) \(control.id): \(control.title)")
            for result in report.results where result.controlID == control.id {
                lines += resultLines(result)
            }
        }
        lines.append("")
        lines.append(summary(report))
        return lines.joined(separator: "\n") + "\n"
    }

    private static func header(_ report: ControlReport) -> [String] {
        let reference = report.timeReference == .snapshot ? "the snapshot's capture time" : "the time of this run"
        return [
            "controls of snapshot \(report.snapshot.shortDigest), captured \(report.snapshot.capturedAt)\(report.snapshot.isComplete ? "" : " (incomplete)")",
            "policy \(report.policySource) (sha256 \(report.policy.digest.prefix(12))), judged as of \(report.asOf) (\(reference)), docket \(report.docketVersion)",
        ]
    }

    private static func resultLines(_ result: ControlResult) -> [String] {
        var subject = result.resource.map { $0.label } ?? "-"
        if let digest = result.resource?.digest { subject += " [\(digest.prefix(12))]" }
        var lines = ["  \(result.status.label.padding(toLength: 6, withPad: " ", startingAt: 0)) \(subject): \(result.message)"]
        if let warning = result.warning {
            lines.append("         warning: \(warning)")
        }
        return lines
    }

    /// "19 controls: 12 pass, 3 fail, 3 not applicable, 1 error; 41 results".
    public static func summary(_ report: ControlReport) -> String {
        let statuses = report.controlStatuses().map(\.status)
        let counts = ControlStatus.allCases.map { status in
            "\(statuses.filter { $0 == status }.count) \(status == .notApplicable ? "not applicable" : status.rawValue)"
        }
        return "\(statuses.count) controls: \(counts.joined(separator: ", ")); \(report.results.count) results"
    }

    // MARK: - JSON

    public static func json(_ report: ControlReport) -> JSONValue {
        json(report, withResults: { _ in true })
    }

    /// Returns the report as `json(_:)` does, with each control's results listed only when
    /// `withResults` is true for its id, and an empty list for the others.
    static func json(_ report: ControlReport, withResults: (String) -> Bool) -> JSONValue {
        let resultsByControl = Dictionary(grouping: report.results, by: \.controlID)
        let controls: [JSONValue] = report.controlStatuses().map { control, status in
            var value = control.jsonValue.objectValue ?? [:]
            value["status"] = .string(status.rawValue)
            let results = withResults(control.id) ? resultsByControl[control.id] ?? [] : []
            value["results"] = .array(results.map(\.jsonValue))
            return .object(value)
        }
        let summary = Dictionary(
            uniqueKeysWithValues: ControlStatus.allCases.map { status in
                (status.rawValue.replacingOccurrences(of: "-", with: "_"), JSONValue.number(Double(report.count(status))))
            })
        return [
            "format": 1,
            "docket_version": .string(report.docketVersion),
            "snapshot": [
                "digest": .string(report.snapshot.digest), "parent": report.snapshot.parentDigest.map { .string($0) } ?? .null,
                "captured_at": .string(report.snapshot.capturedAt), "complete": .bool(report.snapshot.isComplete),
            ],
            "policy": ["source": .string(report.policySource), "digest": .string(report.policy.digest), "effective": report.policy.jsonValue],
            "as_of": .string(report.asOf),
            "time_reference": .string(report.timeReference.rawValue),
            "summary": .object(summary),
            "controls": .array(controls),
        ]
    }

    /// True for the controls that judge the evidence (capture freshness, continuity, store
    /// integrity) rather than the account; their results change with every snapshot.
    public static func isAboutEvidence(_ controlID: String) -> Bool {
        controlID.hasPrefix("evidence-")
    }

    /// Renders the report once and returns a bundle's two per-snapshot JSON files:
    /// - `summary`: what the results were computed from, each control's state, and the
    ///   results of the evidence controls.
    /// - `results`: the account controls with their results, naming no snapshot and no time.
    public static func bundleFiles(_ report: ControlReport) -> (summary: JSONValue, results: JSONValue) {
        let document = json(report)
        let controls = document["controls"]?.arrayValue ?? []
        let accountControls = controls.filter { !isAboutEvidence($0["id"]?.stringValue ?? "") }
        let results: JSONValue = ["format": 1, "controls": .array(accountControls.map(withoutSnapshotIdentity(control:)))]
        return (summaryDocument(of: document), results)
    }

    /// Returns a bundle's three per-snapshot files: the two JSON files as `bundleFiles` gives
    /// them, laid out by `PrettyJSON`, and `results.csv` as `resultsCSV` gives it for the
    /// account controls. The summary is built without the account controls' results, which it
    /// leaves out, and each result's text in the other two comes from `texts`.
    static func bundleFileBytes(
        _ report: ControlReport, texts: inout ResultTexts
    ) -> (summary: [UInt8], results: [UInt8], table: [UInt8]) {
        let summary = PrettyJSON.encodeBytes(summaryDocument(of: json(report, withResults: isAboutEvidence)))
        let accountResults = report.results.filter { !isAboutEvidence($0.controlID) }
        let rendered = accountResults.map { texts.text(of: $0) }
        texts.finishReport()
        var table = csvRow(Array(csvColumns.dropFirst(2)))
        for text in rendered {
            table += text.row
        }
        let results = resultsFile(report, results: accountResults, rendered: rendered)
        return (summary, results, table)
    }

    /// Returns the summary file of a bundle's snapshot folder from the report's JSON: the
    /// account controls reduced to their id and state, the policy without its effective settings.
    private static func summaryDocument(of report: JSONValue) -> JSONValue {
        guard var document = report.objectValue else { return .null }
        let controls = document["controls"]?.arrayValue ?? []
        document["controls"] = .array(
            controls.map { control in
                guard var members = control.objectValue, let id = members["id"]?.stringValue else { return control }
                if !isAboutEvidence(id) {
                    members = ["id": .string(id), "status": members["status"] ?? .null]
                }
                return .object(members)
            })
        if var policy = document["policy"]?.objectValue {
            policy.removeValue(forKey: "effective")
            document["policy"] = .object(policy)
        }
        document["results_file"] = "results.json"
        return .object(document)
    }

    /// Replaces a result's resource when it is the snapshot itself (a control judged for the
    /// whole snapshot) by `{"kind": "snapshot"}`: the folder already names the snapshot.
    private static func withoutSnapshotIdentity(control: JSONValue) -> JSONValue {
        guard var members = control.objectValue, let results = members["results"]?.arrayValue else { return control }
        members["results"] = .array(results.map(withoutSnapshotIdentity(result:)))
        return .object(members)
    }

    private static func withoutSnapshotIdentity(result: JSONValue) -> JSONValue {
        guard var fields = result.objectValue, result["resource"]?["kind"]?.stringValue == "snapshot" else { return result }
        fields["resource"] = ["kind": "snapshot"]
        return .object(fields)
    }

    /// The text of the results that a bundle's `results.json` and `results.csv` list, kept
    /// from one report to the next of a period. Consecutive snapshots share most results, and
    /// rendering each result of each report was most of the time spent writing a folder's
    /// control files.
    struct ResultTexts {
        /// A result's object in `results.json`, laid out at `depth`, and its `results.csv` row
        /// with its line end.
        struct Text {
            let json: [UInt8]
            let row: [UInt8]
        }

        private var earlier: [Key: Text] = [:]
        private var current: [Key: Text] = [:]

        /// A result with its hash value computed once: the hash covers every string of the
        /// result, and the lookups in two reports and the insert would compute it three times.
        private struct Key: Hashable {
            let result: ControlResult
            let hash: Int

            init(_ result: ControlResult) {
                self.result = result
                hash = result.hashValue
            }

            func hash(into hasher: inout Swift.Hasher) {
                hasher.combine(hash)
            }

            static func == (left: Key, right: Key) -> Bool {
                left.hash == right.hash && left.result == right.result
            }
        }

        /// The nesting depth of a result in `results.json`: an element of `results`, in a
        /// control, in `controls`, in the document.
        static let depth = 4

        /// Returns the texts of `result`, rendered once for this report and the one before.
        mutating func text(of result: ControlResult) -> Text {
            let key = Key(result)
            if let text = current[key] ?? earlier[key] {
                current[key] = text
                return text
            }
            var json: [UInt8] = []
            PrettyJSON.write(withoutSnapshotIdentity(result: result.jsonValue), indent: Self.depth, into: &json)
            let text = Text(json: json, row: ControlRenderer.csvRow(ControlRenderer.csvFields(of: result)))
            current[key] = text
            return text
        }

        /// Keeps the texts of the report just rendered for the next one and drops the rest, so
        /// memory keeps two reports' results at most.
        mutating func finishReport() {
            earlier = current
            current = [:]
        }
    }

    /// Returns `results.json` as `PrettyJSON` lays out `bundleFiles(report).results`, from the
    /// report's account results and their texts, in the same order.
    private static func resultsFile(_ report: ControlReport, results: [ControlResult], rendered: [ResultTexts.Text]) -> [UInt8] {
        let positionsByControl = Dictionary(grouping: results.indices, by: { results[$0].controlID })
        let controls = report.controlStatuses().filter { !isAboutEvidence($0.control.id) }
        var output: [UInt8] = []
        output.reserveCapacity(rendered.reduce(4096) { $0 + $1.json.count + 16 })

        output += "{".utf8
        PrettyJSON.beginMember(0, key: "controls", indent: 1, into: &output)
        if controls.isEmpty {
            output += "[]".utf8
        } else {
            output += "[".utf8
            for (position, (control, status)) in controls.enumerated() {
                PrettyJSON.beginElement(position, indent: 2, into: &output)
                writeControl(control, status: status, results: positionsByControl[control.id] ?? [], rendered: rendered, into: &output)
            }
            PrettyJSON.end(UInt8(ascii: "]"), indent: 1, into: &output)
        }

        PrettyJSON.beginMember(1, key: "format", indent: 1, into: &output)
        output += "1".utf8
        PrettyJSON.end(UInt8(ascii: "}"), indent: 0, into: &output)
        output += "\n".utf8
        return output
    }

    /// Appends a control's object at depth 2: its fields, its state and the texts of its
    /// results, which are at `positions` in `rendered`.
    private static func writeControl(
        _ control: ControlDefinition, status: ControlStatus, results positions: [Int], rendered: [ResultTexts.Text],
        into output: inout [UInt8]
    ) {
        var members = control.jsonValue.objectValue ?? [:]
        members["status"] = .string(status.rawValue)
        // A stand-in that gives `results` its place among the sorted keys.
        members["results"] = .null

        output += "{".utf8
        for (index, member) in CanonicalJSON.sortedMembers(members).enumerated() {
            PrettyJSON.beginMember(index, key: member.key, indent: 3, into: &output)
            if member.key == "results" {
                writeResults(positions, rendered: rendered, into: &output)
            } else {
                PrettyJSON.write(member.value, indent: 3, into: &output)
            }
        }
        PrettyJSON.end(UInt8(ascii: "}"), indent: 2, into: &output)
    }

    /// Appends a control's `results` list at depth 3: the texts at `positions`, at
    /// `ResultTexts.depth`.
    private static func writeResults(_ positions: [Int], rendered: [ResultTexts.Text], into output: inout [UInt8]) {
        guard !positions.isEmpty else {
            output += "[]".utf8
            return
        }
        output += "[".utf8
        for (index, position) in positions.enumerated() {
            PrettyJSON.beginElement(index, indent: ResultTexts.depth, into: &output)
            output += rendered[position].json
        }
        PrettyJSON.end(UInt8(ascii: "]"), indent: ResultTexts.depth - 1, into: &output)
    }

    // MARK: - CSV

    /// Renders results without snapshot columns, for the per-snapshot files of a bundle.
    public static func resultsCSV(_ results: [ControlResult]) -> String {
        csvTable([Array(csvColumns.dropFirst(2))] + results.map(csvFields(of:)))
    }

    /// Returns the fields of `result`'s row in `resultsCSV`.
    static func csvFields(of result: ControlResult) -> [String] {
        let evidence = result.evidence.map { "\($0.kind)/\($0.key ?? $0.name)" + ($0.digest.map { "@\($0)" } ?? "") }
        // A result about the whole snapshot names no snapshot here: the folder does.
        let resource = result.resource?.kind == "snapshot" ? nil : result.resource
        return [
            result.controlID, result.status.rawValue, result.resource?.kind ?? "", resource?.key ?? "", resource?.name ?? "",
            resource?.digest ?? "", result.fieldsRead.joined(separator: " "), result.message, result.warning ?? "",
            evidence.joined(separator: " "),
        ]
    }

    public static let csvColumns = [
        "snapshot", "captured_at", "control", "status", "resource_kind", "resource_key", "resource_name", "resource_digest",
        "fields_read", "message", "warning", "evidence",
    ]

    /// Renders one row per result of every report, under one header row (RFC 4180, CRLF line
    /// ends).
    public static func csv(_ reports: [ControlReport]) -> String {
        var rows = [csvColumns]
        for report in reports {
            for result in report.results {
                let evidence = result.evidence.map { "\($0.kind)/\($0.key ?? $0.name)" + ($0.digest.map { "@\($0)" } ?? "") }
                rows.append([
                    report.snapshot.digest, report.snapshot.capturedAt, result.controlID, result.status.rawValue,
                    result.resource?.kind ?? "", result.resource?.key ?? "", result.resource?.name ?? "", result.resource?.digest ?? "",
                    result.fieldsRead.joined(separator: " "), result.message, result.warning ?? "", evidence.joined(separator: " "),
                ])
            }
        }
        return csvTable(rows)
    }

    /// Rows as RFC 4180 CSV with CRLF line ends.
    static func csvTable(_ rows: [[String]]) -> String {
        // Written into one buffer: joining each row's fields and then the rows, and quoting
        // with Foundation, took a tenth of the time a bundle spends on its controls.
        var output: [UInt8] = []
        for row in rows {
            appendCSVRow(row, to: &output)
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Returns one CSV row with its CRLF line end.
    static func csvRow(_ fields: [String]) -> [UInt8] {
        var output: [UInt8] = []
        appendCSVRow(fields, to: &output)
        return output
    }

    private static func appendCSVRow(_ fields: [String], to output: inout [UInt8]) {
        for (position, field) in fields.enumerated() {
            if position > 0 { output.append(UInt8(ascii: ",")) }
            appendCSVField(field, to: &output)
        }
        output.append(contentsOf: [0x0D, 0x0A])
    }

    /// Quotes a CSV field when it contains a comma, a quote or a line break.
    static func csvField(_ text: String) -> String {
        var output: [UInt8] = []
        appendCSVField(text, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Appends `text` as one CSV field, quoted, and with each quote doubled, when it contains
    /// a comma, a quote or a line break.
    private static func appendCSVField(_ text: String, to output: inout [UInt8]) {
        let quote = UInt8(ascii: "\"")
        var text = text
        text.withUTF8 { bytes in
            // The four characters are ASCII, so a scan of the UTF-8 bytes finds them.
            guard bytes.contains(where: { $0 == UInt8(ascii: ",") || $0 == quote || $0 == 0x0A || $0 == 0x0D }) else {
                output.append(contentsOf: bytes)
                return
            }
            output.append(quote)
            for byte in bytes {
                output.append(byte)
                if byte == quote { output.append(quote) }
            }
            output.append(quote)
        }
    }
}
