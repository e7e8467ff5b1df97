import Foundation

/// Verifies a bundle, or any BagIt bag packed in an archive, without extracting it.
///
/// One streaming pass reads every entry through libarchive: paths that leave the bag
/// (absolute, `..`, links pointing out), devices, FIFOs and duplicate names are rejected, and
/// every file is hashed as it passes. What the pass keeps is compact (see `FileTable`), and
/// the manifests wait in a temporary file, so memory grows slowly with the bag's file count.
/// Then the BagIt checks run (bagit.txt, bag-info.txt and Payload-Oxum, every manifest line,
/// payload files no manifest lists, tag manifests, fetch.txt), the Docket checks for bags Docket made (required tag files and the snapshot
/// chain in data/manifest.json), and the signature check. Every problem is collected, each
/// naming its file; nothing stops at the first.
///
/// A damaged or truncated archive is reported alone: the bag's own checks would only repeat
/// it as missing files.
public struct BagVerifier {
    /// An `allowed_signers` file (ssh-keygen's format). With it, a bag must carry a signature
    /// by a key the file lists. Without it, a signature present is checked against the tag
    /// manifest only.
    public var allowedSigners: String?
    /// Whether small files are hashed and snapshot trees computed on a second thread while
    /// the archive is read, and the snapshot chain of a Docket bag is checked on it beside
    /// the BagIt checks. The result is the same either way.
    var usesSecondCore = ProcessInfo.processInfo.activeProcessorCount > 1

    public init(allowedSigners: String? = nil) {
        self.allowedSigners = allowedSigners
    }

    /// Verifies the archive at `path`.
    /// - Throws: `DocketError` (failure) when `path` or the allowed-signers file cannot be read,
    ///   or when ssh-keygen is needed but missing. Problems with the archive's
    ///   contents are never thrown: they are in the result.
    public func verify(archiveAt path: String) throws -> BagVerification {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw DocketError(.failure, "cannot read the bundle \(path): no such file, or no permission to read it.")
        }
        if let allowedSigners, !FileManager.default.isReadableFile(atPath: allowedSigners) {
            throw DocketError(.failure, "cannot read the allowed-signers file \(allowedSigners): no such file, or no permission to read it.")
        }
        var scanner = BagArchiveScanner(archivePath: path)
        scanner.usesSecondCore = usesSecondCore
        var bag = try scanner.scan()
        let missing = bag.missingAlgorithms
        if !bag.isDamaged && !missing.isEmpty {
            // A bag from another tool whose manifests use other digests than Docket's: read
            // it again, computing those too.
            scanner.algorithms = bag.files.algorithms + missing
            bag = try scanner.scan()
        }
        guard !bag.isDamaged else {
            return result(path: path, bag: bag, problems: bag.problems, isDocketBag: false, snapshotsChecked: 0, signature: .absent)
        }
        // A bag with data/manifest.json may be Docket's: its chain is checked on a second
        // thread while this one runs the BagIt checks, which decide whether it is.
        let lent = Lent(bag)
        let chainWork = usesSecondCore && bag.files.contains("data/\(BagLayout.bundleManifest)")
            ? BackgroundWork {
                var docket = DocketBagChecks(bag: lent.value)
                docket.checkChain()
                return Lent(docket)
            } : nil
        var bagIt = BagItChecks(bag: bag)
        bagIt.run()
        let checkedChain = try chainWork?.wait().value
        var problems = bag.problems + bagIt.problems
        let isDocketBag = DocketBagChecks.isDocketBag(bagIt.bagInfo)
        var snapshotsChecked = 0
        if isDocketBag {
            var docket = checkedChain ?? DocketBagChecks(bag: bag)
            if checkedChain == nil {
                docket.checkChain()
            }
            docket.finish(bagInfo: bagIt.bagInfo, tagManifestPaths: bagIt.tagManifestPaths)
            problems += docket.problems
            snapshotsChecked = docket.snapshotsChecked
        }
        let signature = try checkSignature(bag, problems: &problems)
        return result(path: path, bag: bag, problems: problems, isDocketBag: isDocketBag, snapshotsChecked: snapshotsChecked, signature: signature)
    }

    private func result(
        path: String, bag: ScannedBag, problems: [BagProblem], isDocketBag: Bool, snapshotsChecked: Int, signature: SignatureStatus
    ) -> BagVerification {
        let files = bag.files
        var payloadBytes: Int64 = 0
        files.forEachPayloadEntry { id in payloadBytes += files.size(ofContent: files.content(ofEntry: id)) }
        return BagVerification(
            archivePath: path, bagFolder: bag.folder, problems: problems, payloadFiles: files.payloadCount,
            payloadBytes: payloadBytes, isDocketBag: isDocketBag, snapshotsChecked: snapshotsChecked,
            signature: signature)
    }

    /// Checks `tagmanifest-sha256.txt.sig` over the tag manifest with ssh-keygen: against the
    /// allowed signers when given, else for integrity alone.
    private func checkSignature(_ bag: ScannedBag, problems: inout [BagProblem]) throws -> SignatureStatus {
        guard let signature = bag.contents(of: BagLayout.signature) else {
            if let allowedSigners {
                problems.append(BagProblem(.error, BagLayout.signature, "missing: the bundle is not signed, so no key in \(allowedSigners) vouches for it"))
            }
            return .absent
        }
        guard let tagManifest = bag.contents(of: BagLayout.tagManifest) else {
            problems.append(BagProblem(.error, BagLayout.signature, "signs \(BagLayout.tagManifest), which is missing"))
            return .invalid
        }
        let outcome: SignatureChecker.Outcome
        if let allowedSigners {
            outcome = try SignatureChecker.verify(message: tagManifest, signature: signature, allowedSigners: allowedSigners)
        } else {
            outcome = try SignatureChecker.checkIntegrity(message: tagManifest, signature: signature)
        }
        switch outcome {
        case .trusted(let principal):
            return .trusted(principal: principal)
        case .intact(let detail):
            return .unverifiedSigner(detail: detail)
        case .invalid(let reason):
            problems.append(BagProblem(.error, BagLayout.signature, reason))
            return .invalid
        }
    }
}
