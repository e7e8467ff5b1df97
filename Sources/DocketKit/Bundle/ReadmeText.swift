/// `data/README.txt`: what the bundle contains and three ways to verify it, for an auditor who
/// has only the file and standard tools.
enum ReadmeText {
    static func render(_ context: BundleContext) -> String {
        (header(context) + contents(context) + verification(context) + signature(context)).joined(separator: "\n") + "\n"
    }

    private static func header(_ context: BundleContext) -> [String] {
        let plan = context.plan
        let title = "Evidence bundle \(plan.bagName)"
        var lines = [title, String(repeating: "=", count: title.count), ""]
        lines.append("Heroku account: \(context.accountDescription)")
        lines.append("Period: \(context.periodDescription)")
        if let baseline = plan.baseline {
            lines.append("Baseline: the last snapshot before the period, captured \(baseline.info.capturedAt)")
        } else {
            lines.append("Baseline: none (the store contains no snapshot before the period)")
        }
        lines.append("Snapshots in the period: \(plan.periodSnapshots.count), the last captured \(plan.lastSnapshot.info.capturedAt)")
        lines.append(
            "Capture runs in the period: \(plan.runs.count) (\(context.failedRuns.count) failed, \(context.interruptedRuns.count) interrupted)")
        let cadence = BundleContext.describeDuration(seconds: plan.expectedCadence)
        lines.append("Coverage gaps longer than the expected \(cadence) between captures: \(context.coverage.gaps.count)")
        lines.append("Made by docket \(DocketVersion.current). Every file is dated by the last snapshot, not by the time the bundle was made.")
        return lines + [""]
    }

    private static func contents(_ context: BundleContext) -> [String] {
        let name = context.plan.bagName
        return [
            "What is inside",
            "--------------",
            "",
            "The folder \(name)/ is a BagIt 1.0 bag (RFC 8493). Its tag files describe it:",
            "",
            "  bagit.txt                   the BagIt version and the tag files' encoding (UTF-8)",
            "  bag-info.txt                period, account, date, payload size (Payload-Oxum)",
            "  manifest-sha256.txt         the SHA-256 of every file under data/",
            "  manifest-sha512.txt         the SHA-512 of every file under data/",
            "  tagmanifest-sha256.txt      the SHA-256 of the four files above",
            "  tagmanifest-sha256.txt.sig  an SSH signature of tagmanifest-sha256.txt, when signed",
            "",
            "The evidence is under data/:",
            "",
            "  README.txt                  this file",
            "  index.html                  the report: open it in a browser; it loads nothing from the network",
            "  manifest.json               period, account, every snapshot with its digest, parent and full header,",
            "                              the change files, run outcomes, coverage gaps and the diff policy",
            "  runs.csv                    every capture attempt in the period, failed and interrupted ones included",
            "  run-endpoints.csv           per run and Heroku endpoint: requests, pages, items, accepted OAuth scopes",
            "  inventory.csv               apps and add-ons in the last snapshot of the period",
            "  changes/                    each snapshot against the one before it: <time>.json, <time>.md,",
            "                              and changes.csv with every change of the period",
            "  controls/<time>/            control results per snapshot: summary.json (states, evidence controls),",
            "                              results.json and results.csv (account controls, identical when unchanged)",
            "  controls/timeline.*         every change of a control's state; catalogue.json describes each control",
            "  snapshots/<time>/           the baseline and each snapshot of the period, named by UTC capture time:",
            "    resources.json            every resource with its kind, key, name, SHA-256 digest and file",
            "    <kind>/<name>.json        the resource as Heroku returned it, with secrets removed",
            "",
            "A resource that did not change is stored once in the archive; later snapshots hold hard links",
            "to it, which tar extracts as ordinary files.",
            "",
        ]
    }

    private static func verification(_ context: BundleContext) -> [String] {
        let name = context.plan.bagName
        var lines = [
            "How to verify",
            "-------------",
            "",
            "1. With standard tools only. Extract the bundle (GNU tar and bsdtar read .tar and .tar.gz,",
            "   and .tar.zst when zstd is installed) and check every digest:",
            "",
            "     tar xf <bundle file>",
            "     cd \(name)",
            "     sha256sum -c tagmanifest-sha256.txt",
            "     sha256sum -c manifest-sha256.txt",
            "     sha512sum -c manifest-sha512.txt",
            "",
            "   Every line must end in OK. Then check that data/ contains no file the manifest does not list;",
            "   this prints nothing for an intact bag:",
            "",
            "     find data -type f | sort > files.txt",
            "     cut -d' ' -f3- manifest-sha256.txt | sort | diff - files.txt; rm files.txt",
            "",
            "2. With any BagIt validator, such as the Library of Congress's bagit-python:",
            "",
            "     python3 -m pip install bagit",
            "     bagit.py --validate \(name)",
            "",
            "3. With Docket, which reads the archive without extracting it, also checks paths, links and",
            "   the snapshot chain (each snapshot's digest recomputed from its header, each header naming",
            "   the one before, each snapshot's files hashing to its tree) and, when given the signers,",
            "   the signature:",
            "",
        ]
        if context.isSigned {
            lines.append("     docket verify <bundle file> --allowed-signers allowed_signers")
        } else {
            lines.append("     docket verify <bundle file>")
        }
        return lines + [""]
    }

    private static func signature(_ context: BundleContext) -> [String] {
        guard let key = context.signingKey else {
            return [
                "Signature",
                "---------",
                "",
                "This bundle is not signed. The digests prove it is complete and unchanged since it was made,",
                "not who made it; ask the sender for a signed bundle (docket bundle --sign-key) if that matters.",
            ]
        }
        return [
            "Signature",
            "---------",
            "",
            "tagmanifest-sha256.txt.sig is an SSH signature (namespace \"\(BagLayout.signatureNamespace)\") over tagmanifest-sha256.txt,",
            "which contains the digests of the manifests, which contain the digests of every file. It was made with",
            "this key:",
            "",
            "  \(key)",
            "",
            "Get the signer's public key from the organisation through a channel you trust, not from this",
            "bundle, and write it to a file named allowed_signers as one line: <identity> <public key>",
            "(for example: audit@acme.example ssh-ed25519 AAAA...). Then, in the bag's folder:",
            "",
            "     ssh-keygen -Y verify -f allowed_signers -I <identity> -n \(BagLayout.signatureNamespace) \\",
            "         -s tagmanifest-sha256.txt.sig < tagmanifest-sha256.txt",
            "",
            "It must print: Good \"\(BagLayout.signatureNamespace)\" signature for <identity>. `docket verify --allowed-signers` runs the",
            "same check, finding the identity with ssh-keygen -Y find-principals.",
        ]
    }
}
