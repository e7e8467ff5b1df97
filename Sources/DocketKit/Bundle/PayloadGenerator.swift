import Foundation

/// Produces a bag's payload, the files under `data/`, in bundle order, one file at a time.
///
/// It reads the store inside one read transaction, so two runs over the same store produce
/// the same files.
struct PayloadGenerator {
    let plan: BundlePlan
    let store: SnapshotStore
    let changes: ChangeFiles
    let signingKey: String?
    let controls: ControlEvidence
    /// A second connection to the store, on which another thread prepares each snapshot
    /// folder while the one before it is written. With nil, this thread prepares them.
    var reader: SnapshotStore? = nil

    /// Sends every payload file to `sink`. The order is the bundle order of `data/`:
    /// README.txt, changes/, index.html, inventory.csv, manifest.json, run-endpoints.csv,
    /// runs.csv, snapshots/.
    func emit(to sink: PayloadSink) throws {
        let inventory = try EvidenceTables.inventoryRows(of: plan.lastSnapshot.info, store: store)
        let coverage = Coverage(plan: plan)
        let readmeContext = context(coverage: coverage, changes: [], inventory: inventory)
        try sink.addFile(BagLayout.readme, bytes: Array(ReadmeText.render(readmeContext).utf8))

        let changes = try emitChanges(to: sink)
        try emitControls(to: sink)
        let context = context(coverage: coverage, changes: changes, inventory: inventory)
        try sink.addFile(BagLayout.report, bytes: Array(ReportPage.render(context).utf8))
        try sink.addFile(BagLayout.inventory, bytes: EvidenceTables.inventory(inventory).bytes)
        let manifest = BundleManifest.document(context, headers: try snapshotHeaders())
        try sink.addFile(BagLayout.bundleManifest, bytes: PrettyJSON.encodeBytes(manifest))
        try sink.addFile(BagLayout.runEndpoints, bytes: try EvidenceTables.runEndpoints(plan.runs, store: store).bytes)
        try sink.addFile(BagLayout.runs, bytes: EvidenceTables.runs(plan.runs).bytes)

        try emitSnapshots(to: sink)
    }

    /// Writes `snapshots/<folder>/` for every bundled snapshot, in bundle order.
    private func emitSnapshots(to sink: PayloadSink) throws {
        let folders = plan.snapshots.sorted { BagLayout.precedes($0.folder, $1.folder) }
        guard let reader, !folders.isEmpty else {
            for snapshot in folders {
                try SnapshotEvidence.prepare(snapshot, store: store).emit(to: sink, store: store)
            }
            return
        }
        let lent = Lent(reader)
        func prepare(_ index: Int, after previous: SnapshotEvidence.Carried?) -> BackgroundWork<SnapshotEvidence> {
            let snapshot = folders[index]
            return BackgroundWork {
                try lent.value.withConsistentRead { try SnapshotEvidence.prepare(snapshot, store: lent.value, previous: previous) }
            }
        }
        var next: BackgroundWork<SnapshotEvidence>? = prepare(0, after: nil)
        // The reader must be idle before this returns, also when writing fails.
        defer { _ = try? next?.wait() }
        for index in folders.indices {
            guard let current = next else { break }
            let evidence = try current.wait()
            next = index + 1 < folders.count ? prepare(index + 1, after: evidence.carried) : nil
            try evidence.emit(to: sink, store: store)
        }
    }

    private func context(coverage: Coverage, changes: [ChangeEntry], inventory: [[String]]) -> BundleContext {
        BundleContext(
            plan: plan, coverage: coverage, changes: changes, changeMethod: self.changes.method,
            changePolicy: self.changes.policy, inventory: inventory, signingKey: signingKey, controls: controls)
    }

    /// Writes `controls/<snapshot folder>.json` and `.csv` for every bundled snapshot, then the
    /// timeline of state changes and the control catalogue.
    private func emitControls(to sink: PayloadSink) throws {
        var folders: [String: String] = [:]
        for snapshot in plan.snapshots {
            folders[snapshot.info.digest] = snapshot.folder
        }
        try controls.forEachFile(name: { folders[$0.digest] ?? $0.shortDigest }) { path, bytes in
            try sink.addFile("\(BagLayout.controlsFolder)/\(path)", bytes: bytes)
        }
    }

    /// Writes `changes/<time>.json` and `changes/<time>.md` for each snapshot against the one
    /// before it, then `changes/changes.csv`, and returns the summaries.
    ///
    /// The files were made before (see `ChangeFiles`) and wait in temporary files, because
    /// over a long period they take megabytes (changes.csv: 5 MB over 90 days of the
    /// benchmark's small account).
    private func emitChanges(to sink: PayloadSink) throws -> [ChangeEntry] {
        for pair in changes.pairs {
            try sink.addFile(pair.entry.jsonPath, bytes: [UInt8](try Data(contentsOf: pair.json)))
            try sink.addFile(pair.entry.markdownPath, bytes: [UInt8](try Data(contentsOf: pair.markdown)))
        }
        try sink.addFile("\(BagLayout.changesFolder)/\(BagLayout.changesTable)", spool: changes.table)
        return changes.pairs.map(\.entry).sorted { $0.snapshot.info.capturedAt < $1.snapshot.info.capturedAt }
    }

    /// Reads the header of every bundled snapshot, parsed from the canonical bytes its digest covers.
    private func snapshotHeaders() throws -> [String: JSONValue] {
        var headers: [String: JSONValue] = [:]
        for snapshot in plan.snapshots {
            guard let bytes = try store.snapshotHeader(digest: snapshot.info.digest) else {
                throw StoreError.corrupt("snapshot \(snapshot.info.digest) has no header")
            }
            headers[snapshot.info.digest] = try JSONParser.parse(bytes: bytes)
        }
        return headers
    }
}
