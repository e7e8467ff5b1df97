extension DiffRenderer {
    /// ANSI colours, used only when the output is a terminal.
    struct Palette {
        let isEnabled: Bool

        func paint(_ text: String, _ code: String) -> String {
            isEnabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
        }

        func marker(_ change: ResourceChangeKind) -> String {
            switch change {
            case .added: return paint("+", "32")
            case .removed: return paint("-", "31")
            case .changed: return paint("~", "33")
            case .notRecorded: return paint("?", "36")
            }
        }

        func bold(_ text: String) -> String { paint(text, "1") }
    }

    /// Renders the diff for a terminal: a header, one line per resource in the spirit of
    /// `git diff --stat`, the totals, then the changed fields grouped by kind and resource.
    ///
    /// The lines of each resource depend only on that resource, so a second thread renders
    /// those of the second half of the changes while this one renders the first.
    public static func text(_ diff: SnapshotDiff, colour: Bool = false) -> String {
        text(diff, colour: colour, parallelMinimum: parallelTextMinimum)
    }

    /// Renders as `text(_:colour:)` does, using a second thread from `parallelMinimum` changes.
    static func text(_ diff: SnapshotDiff, colour: Bool, parallelMinimum: Int) -> String {
        let palette = Palette(isEnabled: colour)
        var head = [
            "diff \(diff.from.shortDigest)..\(diff.to.shortDigest)  (\(diff.from.capturedAt) → \(diff.to.capturedAt))"
        ]
        head += notRecordedLines(diff)
        head.append("")
        let widths = StatWidths(diff.changes)
        let middle = diff.changes.count < parallelMinimum ? diff.changes.count : diff.changes.count / 2
        let secondHalf = middle == diff.changes.count ? nil : BackgroundWork { textParts(diff, middle..<diff.changes.count, widths, palette) }
        let first = textParts(diff, 0..<middle, widths, palette)
        // Nothing in the rendering throws.
        let second = (try? secondHalf?.wait()) ?? TextParts()

        var text = head.joined(separator: "\n") + "\n"
        text += first.stat
        text += second.stat
        text += " " + summaryText(diff) + "\n"
        if let hidden = hiddenText(diff) {
            text += " " + hidden + "\n"
        }
        text += first.details
        text += second.details
        return text
    }

    /// Below this many changed resources one thread renders them all. The number is an
    /// estimate of where starting a second thread stops costing more than it saves.
    static let parallelTextMinimum = 2048

    /// The stat lines and the detail lines of a run of changes, each line ending in a newline.
    private struct TextParts {
        var stat = ""
        var details = ""
    }

    /// The column widths of the stat lines, which depend on every change.
    private struct StatWidths {
        let kind: Int
        let name: Int

        init(_ changes: [ResourceChange]) {
            kind = changes.map(\.kind.count).max() ?? 0
            name = min(changes.map(\.displayName.count).max() ?? 0, 60)
        }
    }

    /// Renders the changes at `positions`. A kind's heading comes before its first change,
    /// so a run that starts inside a kind leaves the heading to the run before it.
    private static func textParts(
        _ diff: SnapshotDiff, _ positions: Range<Int>, _ widths: StatWidths, _ palette: Palette
    ) -> TextParts {
        var parts = TextParts()
        for position in positions {
            let change = diff.changes[position]
            parts.stat += statLine(change, diff: diff, widths: widths, palette: palette) + "\n"
            if position == 0 || diff.changes[position - 1].kind != change.kind {
                parts.details += "\n" + palette.bold(change.kind) + "\n"
            }
            for line in detailLines(change, diff: diff, palette: palette) {
                parts.details += line + "\n"
            }
        }
        return parts
    }

    /// Returns one line per snapshot with failed listings, counted by kind. `docket show` and
    /// the JSON and Markdown formats list them one by one.
    private static func notRecordedLines(_ diff: SnapshotDiff) -> [String] {
        var lines: [String] = []
        for (side, snapshot) in [("from", diff.from), ("to", diff.to)] {
            let listings = diff.notRecordedListings.filter { $0.side == side }.map(\.listing)
            guard !listings.isEmpty else { continue }
            var counts: [String: Int] = [:]
            for listing in listings { counts[listing.kind, default: 0] += 1 }
            let kinds = counts.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
            let noun = listings.count == 1 ? "listing" : "listings"
            lines.append(
                "\(listings.count) \(noun) not read in \(snapshot.shortDigest) (\(kinds)): what they hold is unknown there; `docket show \(snapshot.shortDigest)` lists them")
        }
        return lines
    }

    static func kindsInOrder(_ diff: SnapshotDiff) -> [String] {
        var kinds: [String] = []
        for change in diff.changes where kinds.last != change.kind {
            kinds.append(change.kind)
        }
        return kinds
    }

    private static func statLine(_ change: ResourceChange, diff: SnapshotDiff, widths: StatWidths, palette: Palette) -> String {
        let outcome: String
        switch change.change {
        case .changed:
            outcome = change.fieldChanges.count == 1 ? "1 field" : "\(change.fieldChanges.count) fields"
        case .notRecorded:
            outcome = "not recorded in \(change.newDigest == nil ? diff.to.shortDigest : diff.from.shortDigest)"
        default:
            outcome = change.change.rawValue
        }
        return " \(palette.marker(change.change)) \(pad(change.kind, widths.kind))  \(pad(change.displayName, widths.name))  | \(outcome)"
    }

    private static func detailLines(_ change: ResourceChange, diff: SnapshotDiff, palette: Palette) -> [String] {
        var heading = "\(palette.marker(change.change)) \(change.displayName)  (\(change.key))"
        switch change.change {
        case .added, .removed:
            heading += " " + change.change.rawValue
        case .notRecorded:
            let side = change.newDigest == nil ? diff.to : diff.from
            heading += " not recorded in \(side.shortDigest): its listing failed, so its state there is unknown"
        case .changed:
            break
        }
        var lines = ["  " + heading]
        let paths = change.fieldChanges.map(\.path.description)
        let pathWidth = min(paths.map(\.count).max() ?? 0, 40)
        for (field, path) in zip(change.fieldChanges, paths) {
            lines.append("      " + fieldLine(field, path: pad(path, pathWidth), palette: palette))
        }
        return lines
    }

    private static func fieldLine(_ field: FieldChange, path: String, palette: Palette) -> String {
        let volatile = field.isVolatile ? palette.paint("  (volatile)", "2") : ""
        switch (field.old, field.new) {
        case (nil, let new):
            return "\(palette.paint("+", "32")) \(path)  \(valueText(new))\(volatile)"
        case (let old, nil):
            return "\(palette.paint("-", "31")) \(path)  \(valueText(old))\(volatile)"
        default:
            return "\(palette.paint("~", "33")) \(path)  \(valueText(field.old)) → \(valueText(field.new))\(volatile)"
        }
    }

    static func pad(_ text: String, _ width: Int) -> String {
        // Counting characters walks the whole string, so it is done once.
        let count = text.count
        guard count < width else { return text }
        // `String(repeating:count:)` appends one space at a time: 3 % of the instructions of the
        // benchmark's diff of day 90 against day 60, which pads about 38,000 paths and names
        // (callgrind). A slice of spaces is copied in one move.
        let missing = width - count
        guard missing <= spaces.utf8.count else { return text + String(repeating: " ", count: missing) }
        var padded = text
        padded.append(contentsOf: spaces.prefix(missing))
        return padded
    }

    private static let spaces = String(repeating: " ", count: 128)

    // MARK: - Markdown

    /// Renders the diff as Markdown for change tickets and audit notes: the two snapshots, the totals,
    /// then one section per kind with a table of changed fields per resource.
    public static func markdown(_ diff: SnapshotDiff) -> String {
        var lines = [
            "# Changes from \(diff.from.capturedAt) to \(diff.to.capturedAt)", "",
            "| | snapshot | captured at | complete |", "| --- | --- | --- | --- |",
            "| from | `\(diff.from.shortDigest)` | \(diff.from.capturedAt) | \(diff.from.isComplete ? "yes" : "no") |",
            "| to | `\(diff.to.shortDigest)` | \(diff.to.capturedAt) | \(diff.to.isComplete ? "yes" : "no") |", "",
            "**Summary:** \(summaryText(diff)).",
        ]
        if let hidden = hiddenCounts(diff) {
            lines += ["", "Hidden by the volatility policy: \(hidden); `--all-fields` shows them."]
        }
        for (side, listing) in diff.notRecordedListings {
            let snapshot = side == "from" ? diff.from : diff.to
            lines += ["", "Not recorded in `\(snapshot.shortDigest)`: \(listing.kind)\(listing.parentKey.map { " of `\($0)`" } ?? "") (`\(listing.listing)`: \(markdownEscaped(listing.error)))."]
        }
        for kind in kindsInOrder(diff) {
            lines += ["", "## \(kind)"]
            for change in diff.changes where change.kind == kind {
                lines += markdownResource(change, diff: diff)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func markdownResource(_ change: ResourceChange, diff: SnapshotDiff) -> [String] {
        let name = change.isRenamed ? "\(code(change.oldName!)) → \(code(change.newName!))" : code(change.name)
        var status = change.change.rawValue
        if change.change == .notRecorded {
            let side = change.newDigest == nil ? diff.to : diff.from
            status = "not recorded in `\(side.shortDigest)`, state unknown"
        }
        var lines = ["", "### \(name) (\(status))", "", "id \(code(change.key))"]
        guard !change.fieldChanges.isEmpty else { return lines }
        lines += ["", "| field | old | new |", "| --- | --- | --- |"]
        for field in change.fieldChanges {
            let path = code(field.path.description) + (field.isVolatile ? " (volatile)" : "")
            let old = field.old == nil ? "(absent)" : code(valueText(field.old))
            let new = field.new == nil ? "(absent)" : code(valueText(field.new))
            lines.append("| \(path) | \(old) | \(new) |")
        }
        return lines
    }

    /// `text` as a Markdown code span that is safe inside a table cell.
    static func code(_ text: String) -> String {
        let escaped = text.replacingOccurrences(of: "|", with: "\\|")
        let fence = escaped.contains("`") ? "`` " : "`"
        let closing = escaped.contains("`") ? " ``" : "`"
        return fence + escaped + closing
    }

    static func markdownEscaped(_ text: String) -> String {
        var result = ""
        for character in text {
            if "\\`*_[]<>|#".contains(character) { result.append("\\") }
            result.append(character)
        }
        return result
    }
}
