import Foundation

/// Everything one capture run needs.
public struct CaptureRequest: Sendable {
    public var configuration: ClientConfiguration
    /// The token, or why none could be read. A run without a token is still recorded in the
    /// ledger, as an authentication failure, so the ledger shows every scheduled attempt.
    public var credential: Result<HerokuCredential, DocketError>
    public var storePath: String
    public var environment: [String: String]

    public init(
        configuration: ClientConfiguration, credential: Result<HerokuCredential, DocketError>, storePath: String,
        environment: [String: String]
    ) {
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
    /// The schema the store had before this run upgraded it, if it did.
    public var upgradedFromSchema: Int?
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
    /// - Parameter runStarted: called with the run's id once it is in the ledger, so that a
    ///   signal handler can mark the run when the process is stopped.
    public static func run(
        _ request: CaptureRequest, progress: (any CaptureProgress)?, runStarted: (@Sendable (Int64) -> Void)? = nil
    ) async throws -> CaptureSummary {
        let clockStart = Date()
        let startedAt = Timestamp.format(Timestamp.now(environment: request.environment))
        try requireFolder(of: request.storePath)
        let lock = try StoreLock(storePath: request.storePath, startedAt: startedAt)
        defer { withExtendedLifetime(lock) {} }
        let store = try SnapshotStore(path: request.storePath, create: true)
        let interrupted = try store.markInterruptedRuns(endedBy: startedAt)
        let credential = try? request.credential.get()
        let runID = try store.beginRun(
            startedAt: startedAt, pid: Int(getpid()), host: ProcessInfo.processInfo.hostName, docketVersion: DocketVersion.current,
            apiURL: request.configuration.apiURL.absoluteString, tokenSource: credential?.source)
        runStarted?(runID)

        var run = try store.run(id: runID)!
        var snapshot: SnapshotInfo?
        var category: DocketError.Category?
        var client: HerokuClient?
        switch request.credential {
        case .failure(let error):
            (run.outcome, category, run.error) = (.authenticationFailed, .authentication, error.message)
        case .success(let credential):
            let heroku = HerokuClient(configuration: request.configuration, credential: credential)
            client = heroku
            do {
                let result = try await CatalogueWalk(client: heroku, progress: progress).run()
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
                (run.outcome, category, run.error) = describe(abort.error, credential: credential)
            } catch {
                run.outcome = .failed
                category = .failure
                run.error = Redactor.redactString("\(error)")
            }
        }

        run.endedAt = Timestamp.format(Timestamp.parse(startedAt)!.addingTimeInterval(Date().timeIntervalSince(clockStart)))
        run.exitCode = Int(exitCode(for: category))
        if let statistics = client?.statistics {
            run.requests = await statistics.requests
            run.retries = await statistics.retries
            run.rateLimited = await statistics.rateLimited
            run.rateLimitAtStart = await statistics.rateLimitAtStart
            run.rateLimitAtEnd = await statistics.rateLimitAtEnd
        }
        run.snapshotDigest = snapshot?.digest
        run.resourceCount = snapshot?.resourceCount
        let endpoints = await client?.statistics.endpointRecords() ?? []
        try store.finishRun(run, endpoints: endpoints)

        var counts: [String: Int] = [:]
        if let snapshot {
            for entry in try store.entries(of: snapshot) { counts[entry.kind, default: 0] += 1 }
        }
        let parent = try snapshot.flatMap { try store.parent(of: $0) }
        return CaptureSummary(
            run: run, snapshot: snapshot, snapshotChanged: snapshot.map { $0.treeDigest != parent?.treeDigest },
            resourcesByKind: counts, endpoints: endpoints, interruptedRuns: interrupted, upgradedFromSchema: store.upgradedFromSchema,
            durationSeconds: Date().timeIntervalSince(clockStart), failureCategory: category,
            pacedSeconds: await client?.gate.pacedSeconds ?? 0, lowestRateLimit: await client?.gate.lowestRemaining)
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
        let failure = error.description.hasSuffix(".") ? String(error.description.dropLast()) : error.description
        switch error.kind {
        case .unauthorized:
            return (
                .authenticationFailed, .authentication,
                "Heroku rejected the \(credential.description): \(failure). The token is invalid, expired or revoked. \(CredentialResolver.howToCreate)"
            )
        case .forbidden:
            return (
                .authenticationFailed, .authentication,
                "Heroku refused \(error.endpoint) to the \(credential.description): \(failure). Give the token the read scope or use an account that can read this resource. \(CredentialResolver.howToCreate)"
            )
        case .transient:
            return (
                .transientFailure, .transient,
                "\(failure). The retries ran out; nothing was recorded but this run. The next scheduled capture will try again.")
        case .notFound where error.endpoint == "GET /account":
            return (
                .failed, .failure,
                "\(failure). Heroku answers /account for every valid token, so --api-url probably does not point at the Platform API.")
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
