import Testing

@testable import DocketKit

@Suite("Diff as text")
struct DiffTextTests {
    @Test("small diff, line by line")
    func smallDiff() throws {
        let fixture = try DiffTestStore()
        let collaborator = Sample.collaborator("col-1", email: "ann@example.com", app: "app-1", permissions: ["view"])
        let day1 = try fixture.commit(day: 1, [Sample.app("app-1", name: "web"), collaborator])
        let day2 = try fixture.commit(
            day: 2,
            [
                Sample.app("app-1", name: "storefront", stack: "heroku-22", updatedAt: "2026-03-02T00:00:00Z"),
                Sample.domain("dom-1", hostname: "www.example.com", app: "app-1"),
            ])
        let diff = try SnapshotDiffer(store: fixture.store).diff(from: day1, to: day2)

        let expected = """
            diff \(day1.shortDigest)..\(day2.shortDigest)  (2026-03-25T06:00:00Z → 2026-03-26T06:00:00Z)

             ~ app           web → storefront  | 3 fields
             - collaborator  ann@example.com   | removed
             + domain        www.example.com   | added
             1 added, 1 removed, 1 changed
             hidden: 1 volatile field change; --all-fields shows them

            app
              ~ web → storefront  (app-1)
                  ~ name        "web" → "storefront"
                  ~ stack.id    "stack-heroku-24" → "stack-heroku-22"
                  ~ stack.name  "heroku-24" → "heroku-22"

            collaborator
              - ann@example.com  (col-1) removed

            domain
              + www.example.com  (dom-1) added

            """
        #expect(DiffRenderer.text(diff) == expected)
        #expect(DiffRenderer.markdown(diff).contains("\nHidden by the volatility policy: 1 volatile field change; `--all-fields` shows them.\n"))
    }

    /// More changes than one thread renders, split in the middle of a kind.
    @Test("padding to a column width", arguments: [
        ("web", 6, "web   "), ("web", 3, "web"), ("website", 3, "website"), ("café", 6, "café  "), ("", 2, "  "),
    ])
    func padding(text: String, width: Int, expected: String) {
        #expect(DiffRenderer.pad(text, width) == expected)
    }

    @Test("padding wider than the kept spaces")
    func widePadding() {
        let padded = DiffRenderer.pad("web", 300)
        #expect(padded.count == 300)
        #expect(padded.hasPrefix("web"))
        #expect(padded.dropFirst(3).allSatisfy { $0 == " " })
    }

    @Test("two threads render as one")
    func renderedInHalves() throws {
        let fixture = try DiffTestStore()
        let apps = 1200
        let collaborators = 1800
        func resources(stack: String, permission: String) -> [CapturedResource] {
            (0..<apps).map { Sample.app("app-\($0)", name: "app\($0)", stack: stack) }
                + (0..<collaborators).map {
                    Sample.collaborator("col-\($0)", email: "c\($0)@example.com", app: "app-\($0 % apps)", permissions: [permission])
                }
        }
        let day1 = try fixture.commit(day: 1, resources(stack: "heroku-24", permission: "view"))
        let day2 = try fixture.commit(day: 2, resources(stack: "heroku-22", permission: "deploy"))
        let diff = try SnapshotDiffer(store: fixture.store).diff(from: day1, to: day2)
        #expect(diff.changes.count == apps + collaborators)
        #expect(diff.changes.count >= DiffRenderer.parallelTextMinimum)
        // The halves meet inside the collaborators.
        #expect(diff.changes[diff.changes.count / 2 - 1].kind == ResourceKind.collaborator)

        let split = DiffRenderer.text(diff)
        let whole = DiffRenderer.text(diff, colour: false, parallelMinimum: Int.max)
        #expect(split == whole)
        let lines = split.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.filter { $0 == "app" }.count == 1)
        #expect(lines.filter { $0 == "collaborator" }.count == 1)
        #expect(lines.filter { $0.hasPrefix(" ~ collaborator ") }.count == collaborators)
        #expect(lines.filter { $0.hasPrefix("  ~ c") }.count == collaborators)
        #expect(lines.last == "")
    }
}

@Suite("Order of changes")
struct ChangeOrderTests {
    static func change(_ kind: String, _ name: String, _ key: String) -> ResourceChange {
        ResourceChange(kind: kind, key: key, oldName: name, newName: name, appKey: nil, change: .changed, oldDigest: nil, newDigest: nil)
    }

    @Test("by kind order, then name, then key")
    func sortedForOutput() {
        let changes = [
            Self.change(ResourceKind.domain, "b.example.com", "d-2"), Self.change("unknown-kind", "a", "u-1"),
            Self.change(ResourceKind.app, "web", "app-2"), Self.change(ResourceKind.domain, "a.example.com", "d-9"),
            Self.change(ResourceKind.app, "web", "app-1"), Self.change("another-unknown", "z", "u-2"),
        ]
        let sorted = SnapshotDiffer.sortedForOutput(changes)
        #expect(sorted.map(\.key) == ["app-1", "app-2", "d-9", "d-2", "u-2", "u-1"])
    }
}
