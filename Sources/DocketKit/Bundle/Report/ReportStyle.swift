/// The report's style sheet, inlined in `index.html` so the page needs no other file.
enum ReportStyle {
    static let css = """
        :root { --ink: #1d2330; --muted: #5b6475; --line: #d9dee7; --paper: #ffffff; --band: #f4f6fa;
          --complete: #2e8b57; --incomplete: #e0a526; --failed: #c8453b; --missing: #c9ced8; --accent: #3b5bdb; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
          color: var(--ink); background: var(--band); }
        header { background: var(--ink); color: #fff; padding: 24px 32px 12px; }
        header h1 { margin: 0 0 4px; font-size: 24px; }
        header .subtitle { margin: 0 0 12px; color: #c7cede; }
        header code { color: #fff; }
        nav a { color: #fff; margin-right: 16px; text-decoration: none; border-bottom: 1px solid #7d8bb0; }
        main { max-width: 1200px; margin: 0 auto; padding: 8px 24px 32px; }
        section { background: var(--paper); border: 1px solid var(--line); border-radius: 8px; padding: 8px 24px 20px; margin: 20px 0;
          overflow-x: auto; }
        h2 { font-size: 19px; margin: 12px 0; }
        h3 { font-size: 16px; margin: 18px 0 6px; }
        a { color: var(--accent); }
        code { font: 13px ui-monospace, "DejaVu Sans Mono", monospace; }
        table { border-collapse: collapse; margin: 6px 0; }
        th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
        th { color: var(--muted); font-weight: 600; font-size: 13px; }
        td.number { text-align: right; font-variant-numeric: tabular-nums; }
        table.inventory td, table.snapshots td, table.changes td, table.gaps td, table.runs td:nth-child(-n+3) { white-space: nowrap; }
        table.facts thead { display: none; }
        table.facts td:first-child { color: var(--muted); width: 140px; }
        .cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 8px 0 16px; }
        .card { flex: 1 1 160px; border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; background: var(--band); }
        .card .value { font-size: 26px; font-weight: 700; }
        .card .label { font-weight: 600; }
        .card .detail { color: var(--muted); font-size: 13px; }
        .card.warning { border-color: var(--failed); background: #fcebea; }
        .months { display: flex; flex-wrap: wrap; gap: 18px; }
        table.month caption { font-weight: 600; text-align: left; padding-bottom: 4px; }
        table.month th, table.month td { border: none; padding: 0; width: 34px; height: 30px; text-align: center; font-size: 13px; }
        td.day { border: 2px solid var(--paper) !important; border-radius: 5px; color: #fff; }
        td.day.complete { background: var(--complete); }
        td.day.incomplete { background: var(--incomplete); color: var(--ink); }
        td.day.failed { background: var(--failed); }
        td.day.missing { background: var(--missing); color: var(--ink); }
        td.day.outside { background: none; color: var(--missing); }
        td.day.gap { outline: 2px solid var(--failed); outline-offset: -4px; }
        .legend { color: var(--muted); font-size: 13px; }
        .swatch { display: inline-block; width: 14px; height: 14px; border-radius: 3px; vertical-align: -2px; margin: 0 4px 0 10px; }
        .swatch.day.complete { background: var(--complete); } .swatch.day.incomplete { background: var(--incomplete); }
        .swatch.day.failed { background: var(--failed); } .swatch.day.missing { background: var(--missing); }
        .swatch.day.gap { outline: 2px solid var(--failed); outline-offset: -4px; }
        td.outcome.complete { color: var(--complete); } td.incomplete, td.outcome.incomplete { color: #9a6b00; }
        td.outcome.failed, td.outcome.auth-failed, td.outcome.transient-failure, td.outcome.interrupted { color: var(--failed); }
        svg.chart { width: 100%; height: 120px; background: var(--band); border-radius: 6px; }
        svg.chart rect { fill: var(--accent); }
        svg.chart line { stroke: var(--line); }
        p.axis { display: flex; justify-content: space-between; color: var(--muted); font-size: 12px; margin-top: 2px; }
        ul.files li { margin: 2px 0; }
        footer { text-align: center; color: var(--muted); font-size: 13px; padding: 0 24px 32px; }
        @media print { body { background: #fff; } header { background: #fff; color: var(--ink); } nav { display: none; }
          section { break-inside: avoid; border: none; } }
        """
}
