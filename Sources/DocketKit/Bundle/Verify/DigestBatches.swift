/// Batches of small payload files whose digests a second thread computes while the scan reads
/// the next entries.
///
/// When a batch is full, the scan records the digests of the batch before it, waiting for them
/// if need be, and sends the new one. Only the scan touches the file table, and one batch at
/// most is out, so memory stays within two batches.
struct DigestBatches {
    /// A batch is sent when it reaches this many bytes or `maximumFiles` files.
    static let maximumBytes = 4 << 20
    static let maximumFiles = 512
    /// Larger files are hashed by the scan as they pass, never held whole.
    static let maximumFileSize: Int64 = 1 << 20

    private struct PendingFile: Sendable {
        let content: Int32
        let bytes: [UInt8]
        let needsCanonical: Bool
    }

    private struct Computed: Sendable {
        let content: Int32
        let hexDigests: [String]
        let canonicalHex: String?
    }

    private let algorithms: [DigestAlgorithm]
    private var batch: [PendingFile] = []
    private var batchBytes = 0
    private var running: BackgroundWork<[Computed]>?

    init(algorithms: [DigestAlgorithm]) {
        self.algorithms = algorithms
    }

    /// Adds a file whose record `addPendingContent` made in `files`.
    mutating func add(content: Int32, bytes: [UInt8], needsCanonical: Bool, to files: FileTable) {
        batch.append(PendingFile(content: content, bytes: bytes, needsCanonical: needsCanonical))
        batchBytes += bytes.count
        if batchBytes >= Self.maximumBytes || batch.count >= Self.maximumFiles {
            send(recordingInto: files)
        }
    }

    /// Sends the last batch and records every digest, after which no work is left running.
    mutating func finish(into files: FileTable) {
        if !batch.isEmpty {
            send(recordingInto: files)
        }
        recordRunning(into: files)
    }

    private mutating func send(recordingInto files: FileTable) {
        recordRunning(into: files)
        let work = batch
        let algorithms = self.algorithms
        running = BackgroundWork {
            work.map { file in
                let digests = BagArchiveScanner.digests(of: file.bytes, algorithms: algorithms, needsCanonical: file.needsCanonical)
                return Computed(content: file.content, hexDigests: digests.hex, canonicalHex: digests.canonical)
            }
        }
        batch = []
        batchBytes = 0
    }

    private mutating func recordRunning(into files: FileTable) {
        guard let running else { return }
        self.running = nil
        // The batch's closure cannot throw, so waiting for it cannot fail.
        for computed in try! running.wait() {
            files.setDigests(of: computed.content, hexDigests: computed.hexDigests, canonicalHex: computed.canonicalHex)
        }
    }
}
