import Foundation

/// Controls over network access to private spaces and over removed people.
enum AccessControls {
    /// Sources that mean "anyone on the internet".
    static let openSources: Set<String> = ["0.0.0.0/0", "::/0"]

    static func spaceInbound(_ context: ControlContext) throws -> [ControlResult] {
        let id = "space-inbound-restricted"
        let fields = ["inbound-ruleset.rules[].action", "inbound-ruleset.rules[].source"]
        var results = context.notRecordedResults(id, kind: ResourceKind.space, fields: fields)
        let spaces = try context.view.resources(ResourceKind.space)
        if spaces.isEmpty && results.isEmpty {
            results.append(
                ControlResult(
                    controlID: id, status: .notApplicable, resource: context.snapshotReference, fieldsRead: [],
                    message: "the account has no private space"))
        }
        let rulesets = try context.view.resources(ResourceKind.inboundRuleset)
        for (space, _) in spaces {
            let ruleset = rulesets.first {
                $0.entry.key == space.key || $0.entry.parentKey == space.key || $0.body.value(atPath: "space.id")?.stringValue == space.key
            }
            results.append(inboundResult(id, space: space, ruleset: ruleset, context: context, fields: fields))
        }
        return results
    }

    private static func inboundResult(
        _ id: String, space: ResourceEntry, ruleset: (entry: ResourceEntry, body: JSONValue)?, context: ControlContext, fields: [String]
    ) -> ControlResult {
        guard let ruleset else {
            let listing = context.view.notRecorded(ResourceKind.inboundRuleset, parents: [space.key])
            let reason = listing.map { "not recorded: \($0.sentence)" } ?? "no inbound ruleset was recorded for this space"
            return ControlResult(
                controlID: id, status: .error, resource: EvidenceReference(space), fieldsRead: fields, message: reason,
                evidence: listing.map { [$0.evidence] } ?? [])
        }
        let subject = EvidenceReference(ruleset.entry)
        guard let rules = ruleset.body["rules"]?.arrayValue else {
            return ControlResult(
                controlID: id, status: .error, resource: subject, fieldsRead: fields, message: "rules were not recorded",
                evidence: [EvidenceReference(space)])
        }
        let open = rules.filter {
            $0["action"]?.stringValue == "allow" && openSources.contains($0["source"]?.stringValue ?? "")
        }
        if open.isEmpty {
            return ControlResult(
                controlID: id, status: .pass, resource: subject, fieldsRead: fields,
                message: "\(rules.count) inbound rules, none allowing the whole internet", evidence: [EvidenceReference(space)])
        }
        let sources = open.compactMap { $0["source"]?.stringValue }.joined(separator: ", ")
        return ControlResult(
            controlID: id, status: .fail, resource: subject, fieldsRead: fields,
            message: "an allow rule admits the whole internet (\(sources))", evidence: [EvidenceReference(space)])
    }

    // MARK: - Access removal

    static func accessRemoval(_ context: ControlContext) throws -> [ControlResult] {
        let id = "access-removal"
        let fields = ["team-member.email", "collaborator.user.email"]
        let state = try context.evaluator.accessHistory.state(after: context.snapshot, in: context.evaluator.store)
        var results = context.notRecordedResults(id, kind: ResourceKind.teamMember, fields: fields)
        results += context.notRecordedResults(id, kind: ResourceKind.collaborator, fields: fields)
        results += removalResults(id, state: state, context: context, fields: fields)
        results += try revokedResults(id, context: context, fields: fields)
        if results.isEmpty {
            results.append(
                ControlResult(
                    controlID: id, status: .notApplicable, resource: context.snapshotReference, fieldsRead: fields,
                    message: "no member or collaborator was removed since \(windowStart(context)), and the policy lists no revoked emails"))
        }
        return results
    }

    /// Removals are listed while their first absent snapshot falls in the window: the
    /// evaluator's period start, else `evidence.lookback` before the time reference.
    private static func windowStart(_ context: ControlContext) -> String {
        context.evaluator.periodStart
            ?? Timestamp.format(context.asOf.addingTimeInterval(-Double(context.policy.evidenceLookbackSeconds)))
    }

    private static func removalResults(_ id: String, state: AccessHistory.State, context: ControlContext, fields: [String])
        -> [ControlResult]
    {
        let since = windowStart(context)
        return state.removals.values.filter { $0.firstAbsent.capturedAt >= since }.map { removal in
            let person = removal.person.entry
            let kind = person.kind == ResourceKind.teamMember ? "team member" : "collaborator"
            return ControlResult(
                controlID: id, status: .pass, resource: EvidenceReference(person), fieldsRead: fields,
                message: "\(kind) \(person.name) removed: first absent in snapshot \(removal.firstAbsent.shortDigest) (\(removal.firstAbsent.capturedAt)), last present in \(removal.lastPresent.shortDigest) (\(removal.lastPresent.capturedAt))",
                evidence: [removal.firstAbsent, removal.lastPresent].map {
                    EvidenceReference(kind: "snapshot", key: $0.digest, name: $0.capturedAt, digest: $0.digest)
                })
        }
    }

    /// Judges each revoked email: present fails, absent passes, and absent while a member or
    /// collaborator listing was not recorded is an error.
    private static func revokedResults(_ id: String, context: ControlContext, fields: [String]) throws -> [ControlResult] {
        let revoked = context.policy.revokedEmails
        guard !revoked.isEmpty else { return [] }
        let people =
            try context.view.resources(ResourceKind.teamMember).map { ($0.entry, $0.body["email"]?.stringValue) }
            + context.view.resources(ResourceKind.collaborator).map { ($0.entry, $0.body.value(atPath: "user.email")?.stringValue) }
        let incomplete = AccessHistory.kinds.flatMap { context.view.notRecordedListings($0) }
        var results: [ControlResult] = []
        for email in revoked {
            let holders = people.filter { ($0.1 ?? $0.0.name).lowercased() == email }
            for (entry, _) in holders {
                results.append(
                    ControlResult(
                        controlID: id, status: .fail, resource: EvidenceReference(entry), fieldsRead: fields,
                        message: "\(email) is in the policy's revoked_emails but still has access"))
            }
            guard holders.isEmpty else { continue }
            let subject = EvidenceReference(kind: "policy", key: nil, name: "revoked_emails: \(email)", digest: nil)
            if incomplete.isEmpty {
                results.append(
                    ControlResult(
                        controlID: id, status: .pass, resource: subject, fieldsRead: fields,
                        message: "\(email) is revoked and has no access in this snapshot"))
            } else {
                results.append(
                    ControlResult(
                        controlID: id, status: .error, resource: subject, fieldsRead: fields,
                        message: "\(email) is revoked and not seen, but some member or collaborator listings were not recorded",
                        evidence: incomplete.map(\.evidence)))
            }
        }
        return results
    }
}
