/// Controls over who can sign in: MFA, team admins, email domains.
enum IdentityControls {
    static func accountMFA(_ context: ControlContext) throws -> [ControlResult] {
        let id = "account-mfa"
        let fields = ["account.two_factor_authentication", "account.federated"]
        var results = context.notRecordedResults(id, kind: ResourceKind.account, fields: fields)
        let accounts = try context.view.resources(ResourceKind.account)
        if accounts.isEmpty && results.isEmpty {
            results.append(
                ControlResult(
                    controlID: id, status: .error, resource: context.snapshotReference, fieldsRead: fields,
                    message: "the snapshot contains no account resource, so the account's MFA was not recorded"))
        }
        for (entry, body) in accounts {
            results.append(mfaResult(id, entry: entry, body: body, kind: "account", fields: fields))
        }
        return results
    }

    static func teamMemberMFA(_ context: ControlContext) throws -> [ControlResult] {
        let id = "team-member-mfa"
        let fields = ["team-member.two_factor_authentication", "team-member.federated"]
        var results = context.notRecordedResults(id, kind: ResourceKind.teamMember, fields: fields)
        let members = try context.view.resources(ResourceKind.teamMember)
        if members.isEmpty && results.isEmpty {
            results.append(noTeams(id, context: context, fields: fields))
        }
        for (entry, body) in members {
            results.append(mfaResult(id, entry: entry, body: body, kind: "team-member", fields: fields))
        }
        return results
    }

    /// Judges MFA on an account or a team member, where federated users are not applicable.
    private static func mfaResult(_ id: String, entry: ResourceEntry, body: JSONValue, kind: String, fields: [String]) -> ControlResult {
        let subject = EvidenceReference(entry)
        if body["federated"]?.boolValue == true {
            let provider = body.value(atPath: "identity_provider.name")?.stringValue.map { " (\($0))" } ?? ""
            return ControlResult(
                controlID: id, status: .notApplicable, resource: subject, fieldsRead: ["\(kind).federated"],
                message: "federated user: the identity provider\(provider) enforces MFA, not Heroku")
        }
        switch body["two_factor_authentication"]?.boolValue {
        case true:
            return ControlResult(controlID: id, status: .pass, resource: subject, fieldsRead: fields, message: "MFA is on")
        case false:
            return ControlResult(controlID: id, status: .fail, resource: subject, fieldsRead: fields, message: "MFA is off")
        case nil:
            return ControlResult(
                controlID: id, status: .error, resource: subject, fieldsRead: fields,
                message: "two_factor_authentication was not recorded for this \(kind)")
        }
    }

    static func teamAdminLimit(_ context: ControlContext) throws -> [ControlResult] {
        let id = "team-admin-limit"
        let fields = ["team-member.role"]
        let maximum = context.policy.maxTeamAdmins
        var results = context.notRecordedResults(id, kind: ResourceKind.team, fields: fields)
        let teams = try context.view.entries(ResourceKind.team)
        if teams.isEmpty && results.isEmpty {
            results.append(noTeams(id, context: context, fields: fields))
        }
        let members = try context.view.resources(ResourceKind.teamMember)
        for team in teams {
            if let listing = context.view.notRecorded(ResourceKind.teamMember, parents: [team.key]) {
                results.append(
                    ControlResult(
                        controlID: id, status: .error, resource: EvidenceReference(team), fieldsRead: fields,
                        message: "not recorded: \(listing.sentence), so the team's admins cannot be counted",
                        evidence: [listing.evidence]))
                continue
            }
            let admins = members.filter { $0.entry.parentKey == team.key && isAdmin($0.body) }
            let names = admins.map { $0.body["email"]?.stringValue ?? $0.entry.name }.sorted()
            let listed = names.isEmpty ? "" : ": \(names.joined(separator: ", "))"
            let status: ControlStatus = admins.count > maximum ? .fail : .pass
            let verdict = status == .fail ? "more than" : "within"
            results.append(
                ControlResult(
                    controlID: id, status: status, resource: EvidenceReference(team), fieldsRead: fields,
                    message: "\(admins.count) admins, \(verdict) the policy's maximum of \(maximum)\(listed)",
                    evidence: admins.map { EvidenceReference($0.entry) }))
        }
        return results
    }

    private static func isAdmin(_ member: JSONValue) -> Bool {
        let role = member["role"]?.stringValue
        return role == "admin" || role == "owner"
    }

    static func emailDomains(_ context: ControlContext) throws -> [ControlResult] {
        let id = "email-domain-allowed"
        let domains = context.policy.allowedEmailDomains
        guard !domains.isEmpty else {
            return [
                ControlResult(
                    controlID: id, status: .notApplicable, resource: context.snapshotReference, fieldsRead: [],
                    message: "the policy lists no allowed email domains (allowed_email_domains)")
            ]
        }
        var results = context.notRecordedResults(id, kind: ResourceKind.teamMember, fields: ["team-member.email"])
        results += context.notRecordedResults(id, kind: ResourceKind.collaborator, fields: ["collaborator.user.email"])
        let people =
            try context.view.resources(ResourceKind.teamMember).map { ($0.entry, $0.body, "team-member.email", "email") }
            + context.view.resources(ResourceKind.collaborator).map { ($0.entry, $0.body, "collaborator.user.email", "user.email") }
        if people.isEmpty && results.isEmpty {
            results.append(
                ControlResult(
                    controlID: id, status: .notApplicable, resource: context.snapshotReference, fieldsRead: [],
                    message: "the snapshot contains no team member and no collaborator"))
        }
        for (entry, body, field, path) in people {
            results.append(domainResult(id, entry: entry, email: body.value(atPath: path)?.stringValue, field: field, domains: domains))
        }
        return results
    }

    private static func domainResult(_ id: String, entry: ResourceEntry, email: String?, field: String, domains: [String]) -> ControlResult {
        let subject = EvidenceReference(entry)
        guard let email, let at = email.lastIndex(of: "@") else {
            return ControlResult(
                controlID: id, status: .error, resource: subject, fieldsRead: [field], message: "no email address was recorded")
        }
        let domain = email[email.index(after: at)...].lowercased()
        // A subdomain of an allowed domain is allowed: eng.example.com under example.com.
        let allowed = domains.contains { domain == $0 || domain.hasSuffix("." + $0) }
        return ControlResult(
            controlID: id, status: allowed ? .pass : .fail, resource: subject, fieldsRead: [field],
            message: allowed ? "\(email) is in an allowed domain" : "\(email) is outside the allowed domains (\(domains.joined(separator: ", ")))")
    }

    private static func noTeams(_ id: String, context: ControlContext, fields: [String]) -> ControlResult {
        ControlResult(
            controlID: id, status: .notApplicable, resource: context.snapshotReference, fieldsRead: fields,
            message: "the account belongs to no team")
    }
}
