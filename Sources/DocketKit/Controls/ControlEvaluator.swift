import Foundation

/// Evaluates the control catalogue on snapshots of one store under one policy.
///
/// The results are a function of the snapshot, the snapshots before it (for access
/// removals), the run ledger up to the time reference, the policy and the Docket version.
/// With `TimeReference.snapshot` they are deterministic; with `.now` the time-dependent
/// controls (capture age, end of life, certificate expiry) move with the clock.
///
/// One evaluator may evaluate many snapshots, as the bundle writer does: it runs the store
/// check once and remembers each snapshot's members and collaborators.
public final class ControlEvaluator {
    /// The moment time-dependent controls are judged at.
    public enum TimeReference: String, Sendable {
        /// The snapshot's capture time: the same snapshot always gives the same results.
        case snapshot
        /// The evaluator's `now`, for a live check of the current state, such as whether
        /// capture has stopped.
        case now
    }

    public let store: SnapshotStore
    public let policy: ControlPolicy
    /// The policy's origin, recorded in reports: a file path or `defaults`.
    public var policySource: String
    public var timeReference: TimeReference
    /// The moment used with `TimeReference.now`.
    public var now: Date
    /// The earliest capture time the continuity control looks at, such as a bundle period's
    /// start; nil: `evidence.lookback` before the time reference.
    public var periodStart: String?

    /// The store check's outcome; set in advance when the caller ran the check already.
    var storeCheck: Result<StoreChecker.Report, Error>?
    var accessHistory = AccessHistory()
    /// The run ledger; set in advance when another connection's read must decide it.
    var runsCache: [RunRecord]?
    /// The bodies the last evaluation read intact, which the next one reuses.
    private var recentBodies: [String: JSONValue] = [:]

    public init(
        store: SnapshotStore, policy: ControlPolicy = .defaults, policySource: String = "defaults",
        timeReference: TimeReference = .snapshot, now: Date = Timestamp.now()
    ) {
        self.store = store
        self.policy = policy
        self.policySource = policySource
        self.timeReference = timeReference
        self.now = now
    }

    /// Evaluates every control on `snapshot`.
    /// - Throws: `StoreError` when the store cannot be read. Data missing from the snapshot
    ///   is not thrown: it becomes `error` results.
    public func evaluate(_ snapshot: SnapshotInfo) throws -> ControlReport {
        let asOf = timeReference == .now ? now : (Timestamp.parse(snapshot.capturedAt) ?? now)
        let view = SnapshotView(store: store, snapshot: snapshot, earlierBodies: recentBodies)
        let context = ControlContext(evaluator: self, view: view, asOf: asOf)
        var results: [ControlResult] = []
        for control in ControlCatalogue.all {
            results += try evaluate(control, in: context)
        }
        recentBodies = view.intactBodies
        let damaged = context.view.damagedDigests
        if !damaged.isEmpty {
            // A damaged body reads as empty, which a control would report as data not
            // recorded. Say what happened instead.
            for index in results.indices where results[index].status == .error {
                guard let digest = results[index].resource?.digest, damaged.contains(digest) else { continue }
                results[index].message =
                    "the stored body no longer matches its digest \(digest.prefix(12)) (altered after capture), so it could not be checked; run docket check"
            }
        }
        return ControlReport(
            snapshot: snapshot, policy: policy, policySource: policySource, asOf: Timestamp.format(asOf),
            timeReference: timeReference, docketVersion: DocketVersion.current, results: results)
    }

    private func evaluate(_ control: ControlDefinition, in context: ControlContext) throws -> [ControlResult] {
        if policy.disabledControls.contains(control.id) {
            let subject = EvidenceReference(kind: "policy", key: nil, name: policySource, digest: nil)
            return [
                ControlResult(
                    controlID: control.id, status: .notApplicable, resource: subject, fieldsRead: ["policy.disabled_controls"],
                    message: "the policy disables this control (disabled_controls)")
            ]
        }
        let results = try control.evaluate(context)
        return Self.sortedForReport(results)
    }

    /// Returns `results` sorted by resource kind, name and key, then message, equal ones in
    /// their order. Most controls list them sorted already, and otherwise their positions are sorted.
    static func sortedForReport(_ results: [ControlResult]) -> [ControlResult] {
        let keys = results.map(ReportOrder.init)
        // The keys are compared in place: comparing them as tuples copied four strings per
        // comparison, a tenth of evaluating a bundle's controls.
        return keys.withUnsafeBufferPointer { keys in
            guard keys.indices.dropFirst().contains(where: { keys[$0].precedes(keys[$0 - 1]) }) else { return results }
            let order = keys.indices.sorted { keys[$0].precedes(keys[$1]) || (!keys[$1].precedes(keys[$0]) && $0 < $1) }
            return order.map { results[$0] }
        }
    }

    /// A result's place in a report: by resource kind, name and key, then message.
    private struct ReportOrder {
        let kind: String
        let name: String
        let key: String
        let message: String

        init(_ result: ControlResult) {
            kind = result.resource?.kind ?? ""
            name = result.resource?.name ?? ""
            key = result.resource?.key ?? ""
            message = result.message
        }

        func precedes(_ other: ReportOrder) -> Bool {
            if kind != other.kind { return kind < other.kind }
            if name != other.name { return name < other.name }
            if key != other.key { return key < other.key }
            return message < other.message
        }
    }

    /// Returns the run ledger, read once.
    func runs() throws -> [RunRecord] {
        if let runsCache { return runsCache }
        let loaded = try store.runs()
        runsCache = loaded
        return loaded
    }

    /// Returns the store check's report, run once per evaluator because it re-hashes every
    /// object.
    func checkStore() -> Result<StoreChecker.Report, Error> {
        if let storeCheck { return storeCheck }
        let outcome = Result { try StoreChecker(store: store, checksVolatileAnchors: false).run() }
        storeCheck = outcome
        return outcome
    }
}

/// The input of a control's evaluation function: the snapshot, the policy, the time
/// reference, production classification and result helpers.
final class ControlContext {
    let evaluator: ControlEvaluator
    let view: SnapshotView
    let asOf: Date
    private var classification: ProductionClassification?

    init(evaluator: ControlEvaluator, view: SnapshotView, asOf: Date) {
        self.evaluator = evaluator
        self.view = view
        self.asOf = asOf
    }

    var policy: ControlPolicy { evaluator.policy }
    var snapshot: SnapshotInfo { view.snapshot }

    /// The snapshot itself as a result's subject.
    var snapshotReference: EvidenceReference {
        EvidenceReference(kind: "snapshot", key: snapshot.digest, name: snapshot.capturedAt, digest: snapshot.digest)
    }

    func production() throws -> ProductionClassification {
        if let classification { return classification }
        let built = try ProductionClassification(view: view, policy: policy)
        classification = built
        return built
    }

    /// One `error` result per failed listing of `kind`: resources it would have returned
    /// are unknown, so the control cannot report them as passing.
    func notRecordedResults(_ controlID: String, kind: String, fields: [String]) -> [ControlResult] {
        view.notRecordedListings(kind).map { listing in
            ControlResult(
                controlID: controlID, status: .error, resource: listing.evidence, fieldsRead: fields,
                message: "not recorded: \(listing.sentence), so its \(kind) resources could not be checked")
        }
    }

    /// Runs `judge` on each production app of the snapshot, for production-only controls.
    /// Other apps get a not-applicable result, and undecided ones an error.
    func forEachProductionApp(
        _ controlID: String, fields: [String],
        judge: (ResourceEntry, JSONValue, [EvidenceReference]) throws -> [ControlResult]
    ) throws -> [ControlResult] {
        var results = notRecordedResults(controlID, kind: ResourceKind.app, fields: fields)
        let classification = try production()
        for (app, body) in try view.resources(ResourceKind.app) {
            switch classification.verdict(for: app, body: body) {
            case .production(_, let evidence):
                results += try judge(app, body, evidence)
            case .notProduction(let reason):
                results.append(
                    ControlResult(
                        controlID: controlID, status: .notApplicable, resource: EvidenceReference(app), fieldsRead: ["app.name"],
                        message: "not a production app: \(reason)"))
            case .undecided(let reason, let listing):
                results.append(
                    ControlResult(
                        controlID: controlID, status: .error, resource: EvidenceReference(app), fieldsRead: ["app.name"],
                        message: "cannot tell whether this app is production: \(reason)", evidence: [listing.evidence]))
            }
        }
        return results
    }
}
