import Foundation

/// The period, output file and options of one bundle.
public struct BundleRequest: Sendable {
    public var period: Period
    /// The output file; its suffix picks the compression. Nil means `<bag name>.tar` in the
    /// current folder.
    public var outputPath: String?
    /// The expected time between captures, in seconds; longer intervals are reported as gaps.
    public var expectedCadence: Int
    /// An SSH private key file, or a public key whose private half is in ssh-agent.
    public var signingKeyPath: String?
    /// The controls policy whose results go under `data/controls/`.
    public var policy: ControlPolicy
    /// Where the policy came from: a file path, or `defaults`.
    public var policySource: String

    public init(
        period: Period, outputPath: String? = nil, expectedCadence: Int = 86400, signingKeyPath: String? = nil,
        policy: ControlPolicy = .defaults, policySource: String = "defaults"
    ) {
        self.period = period
        self.outputPath = outputPath
        self.expectedCadence = expectedCadence
        self.signingKeyPath = signingKeyPath
        self.policy = policy
        self.policySource = policySource
    }
}

/// The summary of a bundle that `BundleWriter.write` wrote.
public struct BundleResult: Sendable {
    public let path: String
    public let bagName: String
    public let period: Period
    public let snapshotCount: Int
    public let hasBaseline: Bool
    public let runCount: Int
    public let gapCount: Int
    /// Payload files, hard links included, and their total size (the Payload-Oxum).
    public let payloadFiles: Int
    public let payloadBytes: Int64
    /// Payload files stored as hard links to an identical earlier file.
    public let linkedFiles: Int
    public let archiveBytes: Int64
    /// SHA-256 of the archive file, for the sender's and auditor's records.
    public let archiveSHA256: String
    /// The signing key as `ssh-keygen -l` describes it, when signed.
    public let signingKey: String?
    /// How many problems the store check found, which `evidence-store-intact` records in the
    /// bundle; 0 when the check found none, did not run or could not run.
    public let storeProblems: Int
}

/// Writes the evidence bundle of a period: a BagIt 1.0 bag packed as a reproducible tar.
///
/// The payload is generated once, inside one read transaction. bagit.txt comes first in the
/// archive, then the payload, then the other tag files: bag-info.txt follows the payload
/// because its `Payload-Oxum` counts the payload's files and bytes. Evidence files go into the
/// archive one at a time and manifests are spooled to temporary files, so memory does not
/// grow with the size of the period. The archive is written to a temporary file beside the
/// output and renamed into place once complete.
public struct BundleWriter {
    let store: SnapshotStore
    /// Whether a second thread, on a second read connection, shares the work. The bundle is
    /// the same either way.
    var usesSecondCore = ProcessInfo.processInfo.activeProcessorCount > 1

    public init(store: SnapshotStore) {
        self.store = store
    }

    /// Writes the bundle `request` describes.
    /// - Throws: `DocketError` (usage) for an unknown output suffix or an unusable key;
    ///   `DocketError` (failure) when the period contains no snapshot or signing fails;
    ///   `StoreError`, `ArchiveError` or a file error when reading or writing fails. No output
    ///   file is left behind on failure.
    public func write(_ request: BundleRequest) throws -> BundleResult {
        if let path = request.outputPath {
            try Self.checkSuffix(path)
        }
        let signer = try request.signingKeyPath.map { try BundleSigner(keyPath: $0) }
        return try store.withConsistentRead {
            let plan = try BundlePlan.make(store: store, period: request.period, expectedCadence: request.expectedCadence)
            let output = request.outputPath ?? "\(plan.bagName).tar"
            // With a second core, a second read connection makes the change files while this
            // one runs the store check, evaluates half the controls, then prepares each
            // snapshot folder while the one before it is written. It reads only snapshots and
            // objects, which no capture changes.
            let reader = usesSecondCore ? try SnapshotStore(path: store.path, readOnly: true) : nil
            let changeWork = reader.map { reader in
                let lent = Lent(reader)
                return BackgroundWork {
                    try lent.value.withConsistentRead { try ChangeFiles(plan: plan, reporter: FieldDiffChangeReporter(store: lent.value)) }
                }
            }
            let storeCheck = ControlEvidence.storeCheck(of: store, policy: request.policy, snapshots: plan.snapshots.map(\.info))
            let changes = try changeWork?.wait() ?? ChangeFiles(plan: plan, reporter: FieldDiffChangeReporter(store: store))
            // Controls are evaluated before the payload, with each snapshot judged at its own
            // capture time, because index.html and manifest.json summarise them.
            let controls = try ControlEvidence.build(
                store: store, policy: request.policy, policySource: request.policySource,
                snapshots: plan.snapshots.map(\.info), periodStart: plan.period.startText, storeCheck: storeCheck, reader: reader)
            let generator = PayloadGenerator(
                plan: plan, store: store, changes: changes, signingKey: signer?.keyDescription, controls: controls, reader: reader)
            let (sink, size, digest) = try writeAtomically(to: output) { temporaryPath in
                try writeArchive(at: temporaryPath, output: output, plan: plan, generator: generator, signer: signer)
            }
            return BundleResult(
                path: output, bagName: plan.bagName, period: plan.period, snapshotCount: plan.periodSnapshots.count,
                hasBaseline: plan.baseline != nil, runCount: plan.runs.count, gapCount: Coverage(plan: plan).gaps.count,
                payloadFiles: sink.fileCount, payloadBytes: sink.byteCount, linkedFiles: sink.linkCount, archiveBytes: size,
                archiveSHA256: digest, signingKey: signer?.keyDescription,
                storeProblems: (try? storeCheck?.get())?.problems.count ?? 0)
        }
    }

    static func checkSuffix(_ path: String) throws {
        guard BundleCompression.forPath(path) != nil else {
            throw DocketError(.usage, "invalid output file \"\(path)\": its name must end in .tar, .tar.gz (or .tgz) or .tar.zst, which picks the compression.")
        }
    }

    /// Writes the archive and returns its payload sink and the archive's size and SHA-256.
    private func writeArchive(
        at temporaryPath: String, output: String, plan: BundlePlan, generator: PayloadGenerator, signer: BundleSigner?
    ) throws -> (sink: ArchivePayloadSink, size: Int64, sha256: String) {
        let compression = BundleCompression.forPath(output) ?? .uncompressed
        let writer = try ArchiveWriter(path: temporaryPath, compression: compression)
        let spoolFolder = FileManager.default.temporaryDirectory.appendingPathComponent("docket-bundle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: spoolFolder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: spoolFolder) }

        let root = plan.bagName
        let time = plan.entryTime
        try writer.addDirectory(root, modificationTime: time)
        try writer.addFile("\(root)/\(BagLayout.bagDeclaration)", bytes: BagItTags.declaration, modificationTime: time)

        let sha256Spool = try ManifestSpool(fileName: BagLayout.sha256Manifest, folder: spoolFolder)
        let sha512Spool = try ManifestSpool(fileName: BagLayout.sha512Manifest, folder: spoolFolder)
        let sink = try ArchivePayloadSink(
            writer: writer, root: root, modificationTime: time, sha256Manifest: sha256Spool, sha512Manifest: sha512Spool,
            indexPath: spoolFolder.appendingPathComponent("payload-index.sqlite"))
        try generator.emit(to: sink)
        let bagInfo = BagItTags.bagInfo(plan: plan, payloadBytes: sink.byteCount, payloadFiles: sink.fileCount)
        try writer.addFile("\(root)/\(BagLayout.bagInfo)", bytes: bagInfo, modificationTime: time)

        var tagFiles: [(name: String, sha256: String)] = [
            (BagLayout.bagInfo, Digest.sha256(bagInfo)), (BagLayout.bagDeclaration, Digest.sha256(BagItTags.declaration)),
        ]
        for spool in [sha256Spool, sha512Spool] {
            let digest = try spool.finish()
            try copy(spool, into: writer, path: "\(root)/\(spool.fileName)", time: time)
            tagFiles.append((spool.fileName, digest))
        }
        let tagManifest = BagItTags.tagManifest(tagFiles)
        try writer.addFile("\(root)/\(BagLayout.tagManifest)", bytes: tagManifest, modificationTime: time)
        if let signer {
            let signature = try signer.sign(tagManifest, fileName: BagLayout.tagManifest)
            try writer.addFile("\(root)/\(BagLayout.signature)", bytes: signature, modificationTime: time)
        }
        let (size, sha256) = try writer.close()
        return (sink, size, sha256)
    }

    private func copy(_ spool: ManifestSpool, into writer: ArchiveWriter, path: String, time: Int64) throws {
        try writer.beginFile(path, size: spool.file.size, modificationTime: time)
        try spool.file.readBlocks { try writer.writeData($0) }
    }

    /// Runs `body` with a temporary path beside `output`, then flushes that file to disk and
    /// renames it to `output`. The temporary file is removed if anything fails.
    private func writeAtomically<T>(to output: String, _ body: (String) throws -> T) throws -> T {
        let url = URL(fileURLWithPath: output)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        let result = try body(temporary)
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: temporary))
        try handle.synchronize()
        try handle.close()
        guard rename(temporary, output) == 0 else {
            throw DocketError(.failure, "cannot move the finished bundle to \(output): \(String(cString: strerror(errno))). Check that its folder is writable.")
        }
        return result
    }
}
