import Foundation

/// Signs a bundle's tag manifest with `ssh-keygen -Y sign -n docket`.
///
/// The key is a private key file, or a public key file whose private half is loaded in
/// `ssh-agent` (ssh-keygen then has the agent sign, through `SSH_AUTH_SOCK`). Ed25519 and RSA
/// signatures are deterministic, so a bundle signed twice with such a key is byte-identical.
/// ECDSA signatures are not.
struct BundleSigner {
    let keyPath: String
    /// The key as `ssh-keygen -l` prints it: bits, `SHA256:` fingerprint, comment and type.
    let keyDescription: String
    /// The `SHA256:…` fingerprint alone.
    let fingerprint: String

    static let installHint = "Install OpenSSH's client tools (Debian: apt-get install openssh-client)."

    /// Checks that `keyPath` is a readable SSH key and reads its fingerprint.
    /// - Throws: `DocketError` (failure) when the file cannot be read, (usage) when it is not an SSH key.
    init(keyPath: String) throws {
        guard FileManager.default.isReadableFile(atPath: keyPath) else {
            throw DocketError(.failure, "cannot read the signing key \(keyPath). Pass an SSH private key file, or a public key whose private half is in ssh-agent.")
        }
        let result = try ExternalTool.run("ssh-keygen", ["-l", "-f", keyPath], input: URL(fileURLWithPath: "/dev/null"), installHint: Self.installHint)
        guard result.status == 0, let line = result.output.split(separator: "\n").first else {
            throw DocketError(.usage, "invalid value for --sign-key: \(keyPath) is not an SSH key (ssh-keygen -l: \(result.errorOutput.trimmingCharacters(in: .whitespacesAndNewlines))).")
        }
        self.keyPath = keyPath
        keyDescription = String(line)
        fingerprint = line.split(separator: " ").first { $0.hasPrefix("SHA256:") }.map(String.init) ?? String(line)
    }

    /// Signs `message` and returns the armored SSH signature.
    /// - Throws: `DocketError` (failure) with ssh-keygen's message when signing fails, such
    ///   as a public key whose private half is not in the agent.
    func sign(_ message: [UInt8], fileName: String) throws -> [UInt8] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("docket-sign-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let messageURL = folder.appendingPathComponent(fileName)
        try Data(message).write(to: messageURL)

        let arguments = ["-Y", "sign", "-n", BagLayout.signatureNamespace, "-f", keyPath, messageURL.path]
        let result = try ExternalTool.run("ssh-keygen", arguments, installHint: Self.installHint)
        let signatureURL = folder.appendingPathComponent(fileName + ".sig")
        guard result.status == 0, let signature = try? Data(contentsOf: signatureURL) else {
            throw DocketError(.failure, "signing with \(keyPath) failed: \(result.errorOutput.trimmingCharacters(in: .whitespacesAndNewlines)). With a public key, load its private half into ssh-agent (ssh-add) first.")
        }
        return [UInt8](signature)
    }
}

/// Checks a bundle's SSH signature with `ssh-keygen -Y`.
enum SignatureChecker {
    enum Outcome: Equatable {
        /// Made by a key that `allowed_signers` lists for `principal`.
        case trusted(principal: String)
        /// Made by some key over exactly these bytes; without an allowed-signers file no
        /// identity is checked.
        case intact(detail: String)
        case invalid(reason: String)
    }

    /// Verifies `signature` over `message` against `allowedSigners`.
    ///
    /// The identity is found with `ssh-keygen -Y find-principals`: the principals that
    /// `allowedSigners` lists for the signing key. Each is tried with `ssh-keygen -Y verify`
    /// until one verifies.
    static func verify(message: [UInt8], signature: [UInt8], allowedSigners: String) throws -> Outcome {
        try withFiles(message: message, signature: signature) { messageURL, signatureURL in
            let found = try ExternalTool.run(
                "ssh-keygen", ["-Y", "find-principals", "-s", signatureURL.path, "-f", allowedSigners],
                input: URL(fileURLWithPath: "/dev/null"), installHint: BundleSigner.installHint)
            let principals = found.output.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
            guard found.status == 0, !principals.isEmpty else {
                let detail = try describeKey(messageURL: messageURL, signatureURL: signatureURL)
                return .invalid(reason: "the signing key is not in \(allowedSigners) (\(detail))")
            }
            var failures: [String] = []
            for principal in principals {
                let arguments = [
                    "-Y", "verify", "-f", allowedSigners, "-I", principal, "-n", BagLayout.signatureNamespace, "-s", signatureURL.path,
                ]
                let result = try ExternalTool.run("ssh-keygen", arguments, input: messageURL, installHint: BundleSigner.installHint)
                if result.status == 0 { return .trusted(principal: principal) }
                failures.append(firstLine(result.errorOutput + result.output))
            }
            return .invalid(reason: "ssh-keygen -Y verify rejected it: \(failures.joined(separator: "; "))")
        }
    }

    /// Checks that `signature` is a valid `docket` signature over `message` by any key.
    static func checkIntegrity(message: [UInt8], signature: [UInt8]) throws -> Outcome {
        try withFiles(message: message, signature: signature) { messageURL, signatureURL in
            let arguments = ["-Y", "check-novalidate", "-n", BagLayout.signatureNamespace, "-s", signatureURL.path]
            let result = try ExternalTool.run("ssh-keygen", arguments, input: messageURL, installHint: BundleSigner.installHint)
            guard result.status == 0 else {
                return .invalid(reason: "ssh-keygen -Y check-novalidate rejected it: \(firstLine(result.errorOutput + result.output))")
            }
            return .intact(detail: firstLine(result.output + result.errorOutput))
        }
    }

    private static func describeKey(messageURL: URL, signatureURL: URL) throws -> String {
        let arguments = ["-Y", "check-novalidate", "-n", BagLayout.signatureNamespace, "-s", signatureURL.path]
        let result = try ExternalTool.run("ssh-keygen", arguments, input: messageURL, installHint: BundleSigner.installHint)
        let text = firstLine(result.output + result.errorOutput)
        if let range = text.range(of: "SHA256:") {
            return "key " + text[range.lowerBound...].split(separator: " ")[0]
        }
        return text
    }

    private static func withFiles<T>(message: [UInt8], signature: [UInt8], _ body: (URL, URL) throws -> T) throws -> T {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("docket-verify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let messageURL = folder.appendingPathComponent(BagLayout.tagManifest)
        let signatureURL = folder.appendingPathComponent(BagLayout.signature)
        try Data(message).write(to: messageURL)
        try Data(signature).write(to: signatureURL)
        return try body(messageURL, signatureURL)
    }

    private static func firstLine(_ text: String) -> String {
        text.split(separator: "\n").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? "no message"
    }
}
