/// One section of the report, `data/index.html`.
///
/// To add a section, such as control results, write a type that conforms and list it in
/// `ReportPage.sections`. The page adds its heading, its anchor and its entry in the contents.
protocol ReportSection: Sendable {
    /// The anchor, unique in the page, such as `coverage`.
    var id: String { get }
    var title: String { get }
    /// Renders the section's HTML, without its heading. Every text from the store goes through
    /// `HTML.escape`.
    func render(_ context: BundleContext) -> String
}

/// `data/index.html`: a static, self-contained page (inline style, no script, nothing loaded
/// from the network or from other files, links only to the bundle's own files) that an
/// auditor opens in a browser.
enum ReportPage {
    static let sections: [any ReportSection] = [
        SummarySection(),
        CoverageSection(),
        ChangesSection(),
        ControlsSection(),
        InventorySection(),
        EvidenceSection(),
    ]

    static func render(_ context: BundleContext) -> String {
        let plan = context.plan
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
            <title>\(HTML.escape(plan.bagName))</title>
            <style>\(ReportStyle.css)</style>
            </head>
            <body>
            <header>
            <h1>Heroku evidence, \(HTML.escape(plan.period.label))</h1>
            <p class="subtitle">\(HTML.escape(context.accountDescription)) · \(HTML.escape(plan.period.firstDay)) to \(HTML.escape(plan.period.lastDay)) (UTC) · bag <code>\(HTML.escape(plan.bagName))</code></p>
            <nav>\(contents())</nav>
            </header>
            <main>

            """
        for section in sections {
            html += "<section id=\"\(HTML.escape(section.id))\">\n<h2>\(HTML.escape(section.title))</h2>\n"
            html += section.render(context)
            html += "\n</section>\n"
        }
        html += """
            </main>
            <footer>Made by docket \(HTML.escape(DocketVersion.current)) from the snapshot store; dated by the last snapshot, \(HTML.escape(plan.lastSnapshot.info.capturedAt)). See README.txt to verify this bundle.</footer>
            </body>
            </html>

            """
        return html
    }

    private static func contents() -> String {
        sections.map { "<a href=\"#\(HTML.escape($0.id))\">\(HTML.escape($0.title))</a>" }.joined(separator: " ")
    }
}

/// HTML text helpers.
enum HTML {
    /// Escapes `&`, `<`, `>`, `"` and `'`, so the text is safe in content and in quoted attributes.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    /// Renders a table with a header row; every cell is escaped unless it comes from `raw`.
    static func table(header: [String], rows: [[Cell]], className: String = "") -> String {
        var html = "<table\(className.isEmpty ? "" : " class=\"\(className)\"")>\n<thead><tr>"
        html += header.map { "<th>\(escape($0))</th>" }.joined()
        html += "</tr></thead>\n<tbody>\n"
        for row in rows {
            html += "<tr>" + row.map { "<td\($0.className.map { " class=\"\($0)\"" } ?? "")>\($0.html)</td>" }.joined() + "</tr>\n"
        }
        return html + "</tbody>\n</table>"
    }

    /// One table cell's HTML.
    struct Cell {
        let html: String
        let className: String?

        static func text(_ text: String, className: String? = nil) -> Cell {
            Cell(html: escape(text), className: className)
        }

        static func raw(_ html: String, className: String? = nil) -> Cell {
            Cell(html: html, className: className)
        }

        static func number(_ value: Int) -> Cell {
            Cell(html: String(value), className: "number")
        }

        static func link(_ text: String, to path: String) -> Cell {
            Cell(html: HTML.link(text, to: path), className: nil)
        }
    }

    /// Renders a link to a file of the bundle, relative to `data/`.
    static func link(_ text: String, to path: String) -> String {
        "<a href=\"\(escape(path))\">\(escape(text))</a>"
    }
}
