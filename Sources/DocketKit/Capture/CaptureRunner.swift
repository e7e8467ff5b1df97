import Foundation

/// Everything one capture run needs.
public struct CaptureRequest: Sendable {
    public var configuration: ClientConfiguration
    public var credential: HerokuCredential
    public var storePath: String
    public var environment: [String: String]

    public init(configuration: ClientConfiguration, credential: HerokuCredential, storePath: String, environment: [String: String]) {
        self.configuration = configuration
        self.credential = credential
        self.storePath = storePath
        self.environment = environment
    }
}

/// The outcome of one capture run, for the summary line, the exit code and the metrics.
public struct CaptureSummary: Sendable {
    public var run: RunRecord
    public var snapshot: SnapshotInfo?
    /// Whether the snapshot's tree differs from its parent's; nil without a snapshot.
    public var snapshotChanged: Bool?
    public var resourcesByKind: [String: Int]
    public var endpoints: [EndpointRecord]
    public var interruptedRuns: [Int64]
    public var durationSeconds: Double
    /// The exit category for outcomes other than complete; nil on success.
    public var failureCategory: DocketError.Category?
    public var pacedSeconds: Double
    /// The lowest `RateLimit-Remaining` any response reported during the run.
    public var lowestRateLimit: Int?
}

/// One capture run: lock the store, record the run, walk the catalogue, commit one snapshot
/// in one transaction, and record how the run ended, whatever happened.
public enum CaptureRunner {
    public static func run(_ request: CaptureRequest, progress: (any CaptureProgress)?) async throws -> CaptureSummary {
        let clockStart = Date()
        let startedAt = Timestamp.format(Timestamp.now(environment: request.environment))
        try requireFolder(of: request.storePath)
        let lock = try StoreLock(storePath: request.storePath, startedAt: startedAt)
        defer { withExtendedLifetime(lock) {} }
        let store = try SnapshotStore(path: request.storePath, create: true)
        let interrupted = try store.markInterruptedRuns(endedBy: startedAt)
        let runID = try store.beginRun(
            startedAt: startedAt, pid: Int(getpid()), host: ProcessInfo.processInfo.hostName, docketVersion: DocketVersion.current,
            apiURL: request.configuration.apiURL.absoluteString, tokenSource: request.credential.source)

        let client = HerokuClient(configuration: request.configuration, credential: request.credential)
        var run = try store.run(id: runID)!
        var snapshot: SnapshotInfo?
        var category: DocketError.Category?
        do {
            let result = try await CatalogueWalk(client: client, progress: progress).run()
            progress?.beginPhase("commit", total: nil)
            snapshot = try store.commitSnapshot(
                resources: result.resources, notRecorded: result.notRecorded, capturedAt: startedAt, runID: runID, account: result.account)
            progress?.endPhase()
            run.outcome = result.notRecorded.isEmpty ? .complete : .incomplete
            category = result.notRecorded.isEmpty ? nil : .incomplete
            if !result.notRecorded.isEmpty {
                run.error = "\(result.notRecorded.count) listings could not be read; their resources are not recorded in this snapshot"
            }
        } catch let abort as CaptureAbort {
            (run.outcome, category, run.error) = describe(abort.error, credential: request.credential)
        } catch {
            run.outcome = .failed
            category = .failure
            run.error = Redactor.redactString("\(error)")
        }

        let statistics = client.statistics
        run.endedAt = Timestamp.format(Timestamp.parse(startedAt)!.addingTimeInterval(Date().timeIntervalSince(clockStart)))
        run.exitCode = Int(exitCode(for: category))
        run.requests = await statistics.requests
        run.retries = await statistics.retries
        run.rateLimited = await statistics.rateLimited
        run.rateLimitAtStart = await statistics.rateLimitAtStart
        run.rateLimitAtEnd = await statistics.rateLimitAtEnd
        run.snapshotDigest = snapshot?.digest
        run.resourceCount = snapshot?.resourceCount
        let endpoints = await statistics.endpointRecords()
        try store.finishRun(run, endpoints: endpoints)

        var counts: [String: Int] = [:]
        if let snapshot {
            for entry in try store.entries(of: snapshot) { counts[entry.kind, default: 0] += 1 }
        }
        let parent = try snapshot.flatMap { try store.parent(of: $0) }
        return CaptureSummary(
            run: run, snapshot: snapshot, snapshotChanged: snapshot.map { $0.treeDigest != parent?.treeDigest },
            resourcesByKind: counts, endpoints: endpoints, interruptedRuns: interrupted,
            durationSeconds: Date().timeIntervalSince(clockStart), failureCategory: category, pacedSeconds: await client.gate.pacedSeconds,
            lowestRateLimit: await client.gate.lowestRemaining)
    }

    private static func requireFolder(of path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        let folderPath = folder.isEmpty ? "." : folder
        guard FileManager.default.fileExists(atPath: folderPath, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw StoreError.folderMissing(path: folderPath)
        }
        guard access(folderPath, W_OK) == 0 else {
            throw StoreError.notWritable(path: path, reason: "the folder \(folderPath) is not writable")
        }
    }

    /// Maps a capture that stopped early to its ledger outcome, exit category and message.
    static func describe(_ error: HerokuRequestError, credential: HerokuCredential) -> (RunOutcome, DocketError.Category, String) {
        switch error.kind {
        case .unauthorized:
            return (
                .authenticationFailed, .authentication,
                "Heroku rejected the \(credential.description): \(error.description). The token is invalid, expired or revoked. \(CredentialResolver.howToCreate)"
            )
        case .forbidden:
            return (
                .authenticationFailed, .authentication,
                "Heroku refused \(error.endpoint) to the \(credential.description): \(error.description). Give the token the read scope or use an account that can read this resource. \(CredentialResolver.howToCreate)"
            )
        case .transient:
            return (
                .transientFailure, .transient,
                "\(error.description). The retries ran out; nothing was recorded but this run. The next scheduled capture will try again.")
        case .notFound, .other:
            return (.failed, .failure, error.description)
        }
    }

    /// Returns the exit code the run records for `category`, matching the executable's table.
    static func exitCode(for category: DocketError.Category?) -> Int32 {
        switch category {
        case nil: return 0
        case .failure: return 2
        case .incomplete: return 3
        case .authentication: return 4
        case .transient: return 5
        case .integrity: return 6
        case .usage: return 64
        }
    }
}
