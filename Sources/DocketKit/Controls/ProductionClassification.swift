/// Which apps are production under the policy, as compliance platforms decide it: by app name
/// pattern, or by the stage of a pipeline the app is coupled to.
struct ProductionClassification {
    enum Verdict {
        case production(reason: String, evidence: [EvidenceReference])
        case notProduction(reason: String)
        /// The name matched no pattern and the pipeline couplings were not recorded.
        case undecided(reason: String, listing: NotRecordedListing)
    }

    let policy: ControlPolicy
    /// Pipeline couplings by the id of the coupled app.
    let couplingsByApp: [String: [(entry: ResourceEntry, stage: String)]]
    let missingCouplings: NotRecordedListing?

    init(view: SnapshotView, policy: ControlPolicy) throws {
        self.policy = policy
        var couplings: [String: [(entry: ResourceEntry, stage: String)]] = [:]
        for (entry, body) in try view.resources(ResourceKind.pipelineCoupling) {
            guard let appID = body.value(atPath: "app.id")?.stringValue ?? entry.appKey,
                let stage = body["stage"]?.stringValue
            else { continue }
            couplings[appID, default: []].append((entry, stage))
        }
        couplingsByApp = couplings
        missingCouplings = view.notRecordedListings(ResourceKind.pipelineCoupling).first
    }

    func verdict(for app: ResourceEntry, body: JSONValue) -> Verdict {
        let name = body["name"]?.stringValue ?? app.name
        if let pattern = policy.productionAppNames.first(where: { Glob.matches($0, name) }) {
            return .production(reason: "its name matches the policy pattern \"\(pattern)\"", evidence: [])
        }
        let couplings = couplingsByApp[app.key] ?? []
        if let coupling = couplings.first(where: { policy.productionPipelineStages.contains($0.stage) }) {
            return .production(
                reason: "it is coupled to a pipeline in stage \(coupling.stage)", evidence: [EvidenceReference(coupling.entry)])
        }
        if let missingCouplings, couplings.isEmpty {
            return .undecided(
                reason: "its name matches no production pattern and \(missingCouplings.sentence)", listing: missingCouplings)
        }
        let stages = couplings.map(\.stage).sorted()
        let coupling = stages.isEmpty ? "it is in no pipeline" : "its pipeline stage is \(stages.joined(separator: ", "))"
        let productionStages = policy.productionPipelineStages.joined(separator: ", ")
        return .notProduction(
            reason: "its name matches no production pattern and \(coupling) (production stages: \(productionStages.isEmpty ? "none" : productionStages))")
    }
}

/// Shell-style patterns: `*` matches any run of characters, `?` one character; the match is
/// case-insensitive, as Heroku app names are lower case.
enum Glob {
    static func matches(_ pattern: String, _ text: String) -> Bool {
        match(Array(pattern.lowercased()), Array(text.lowercased()))
    }

    private static func match(_ pattern: [Character], _ text: [Character]) -> Bool {
        var patternIndex = 0
        var textIndex = 0
        var starIndex: Int?
        var resumeIndex = 0
        while textIndex < text.count {
            if patternIndex < pattern.count, pattern[patternIndex] == "?" || pattern[patternIndex] == text[textIndex] {
                patternIndex += 1
                textIndex += 1
            } else if patternIndex < pattern.count, pattern[patternIndex] == "*" {
                starIndex = patternIndex
                resumeIndex = textIndex
                patternIndex += 1
            } else if let star = starIndex {
                // Let the last `*` absorb one more character and retry from there.
                patternIndex = star + 1
                resumeIndex += 1
                textIndex = resumeIndex
            } else {
                return false
            }
        }
        while patternIndex < pattern.count, pattern[patternIndex] == "*" {
            patternIndex += 1
        }
        return patternIndex == pattern.count
    }
}
