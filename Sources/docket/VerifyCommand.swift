import DocketKit

/// `docket verify`: checks a bundle, or any BagIt bag in an archive, without extracting it.
enum VerifyCommand: Command {
    static let name = "verify"
    static let summary = "verify a bundle without extracting it"
    static let usage = "verify BUNDLE [--allowed-signers FILE] [--json]"
    static let discussion = """
        Reads the tar archive (.tar, .tar.gz, .tar.zst, or another compression libarchive reads) as a stream,
        never writing its files. Rejects absolute paths, `..`, links that leave the bag,
        devices and duplicate names; checks bagit.txt, Payload-Oxum, every line of every
        payload and tag manifest (MD5, SHA-1, SHA-224, SHA-256, SHA-384, SHA-512), payload files
        no manifest lists, and fetch.txt. For a bag Docket made, it also requires both payload
        manifests and the tag manifest, and recomputes the snapshot chain in
        data/manifest.json: each snapshot's digest from its header, each header's link to the
        snapshot before it, each snapshot's tree from its resources.json, and each resource
        file's digest.

        With --allowed-signers (ssh-keygen's allowed_signers format), the bag must carry
        tagmanifest-sha256.txt.sig made by a listed key: the identity is found with
        `ssh-keygen -Y find-principals` and checked with `ssh-keygen -Y verify -n docket`.
        Without it, a signature present is only checked to match the tag manifest.

        Every problem is printed on stdout as `error: FILE: message` or `warning: FILE:
        message`. Warnings (a file listed twice with the same digest, names that differ only in
        case, desktop system files...) do not make a bag invalid.
        """
    static let options = [
        OptionSpec("allowed-signers", value: "FILE", help: "require a signature by a key this ssh-keygen allowed_signers file lists"),
    ]
    static let exitCodes: [(Int32, String)] = [
        (2, "the bundle or the allowed-signers file cannot be read, or ssh-keygen is missing"),
        (6, "the bundle is not valid: a problem was found"),
    ]

    static func run(_ context: CommandContext) throws -> Int32 {
        let positionals = try context.positionals(minimum: 1, maximum: 1)
        let verifier = BagVerifier(allowedSigners: context.arguments.value("allowed-signers"))
        let result = try verifier.verify(archiveAt: positionals[0])
        if context.wantsJSON {
            context.console.outputRaw(PrettyJSON.encode(json(result)))
        } else {
            for problem in result.problems {
                context.console.output(problem.description)
            }
            summarize(result, context: context)
        }
        return result.isValid ? ExitStatus.success : ExitStatus.integrity
    }

    private static func summarize(_ result: BagVerification, context: CommandContext) {
        let kind = result.isDocketBag ? "Docket bag, \(result.snapshotsChecked) snapshots chained" : "BagIt bag"
        let subject = "\(result.archivePath) (\(kind), \(result.payloadFiles) payload files, \(result.payloadBytes) bytes)"
        switch result.signature {
        case .trusted(let principal):
            context.console.info("signature: good, by \(principal)")
        case .unverifiedSigner(let detail):
            context.console.info("signature: matches the tag manifest, but no signer was checked (\(detail)); pass --allowed-signers to check who signed")
        case .absent, .invalid:
            break
        }
        if result.isValid {
            let warnings = result.warnings.isEmpty ? "" : " with \(result.warnings.count == 1 ? "1 warning" : "\(result.warnings.count) warnings")"
            context.console.info("\(subject): valid\(warnings)")
        } else {
            context.console.error("\(subject): \(result.errors.count == 1 ? "1 problem" : "\(result.errors.count) problems") found")
        }
    }

    private static func json(_ result: BagVerification) -> JSONValue {
        let problems: [JSONValue] = result.problems.map {
            ["severity": .string($0.severity.rawValue), "file": .string($0.file), "message": .string($0.message)]
        }
        var signature: JSONValue
        switch result.signature {
        case .absent: signature = ["status": "absent"]
        case .trusted(let principal): signature = ["status": "trusted", "principal": .string(principal)]
        case .unverifiedSigner(let detail): signature = ["status": "unverified-signer", "detail": .string(detail)]
        case .invalid: signature = ["status": "invalid"]
        }
        return [
            "valid": .bool(result.isValid), "archive": .string(result.archivePath), "bag_folder": .string(result.bagFolder),
            "docket_bag": .bool(result.isDocketBag), "snapshots_checked": .number(Double(result.snapshotsChecked)),
            "payload_files": .number(Double(result.payloadFiles)), "payload_bytes": .number(Double(result.payloadBytes)),
            "signature": signature, "problems": .array(problems),
        ]
    }
}
