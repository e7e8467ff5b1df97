import Foundation

/// A Heroku API token and where it came from. The token itself is never printed: only
/// `source` appears in messages and in the run ledger.
public struct HerokuCredential: Sendable {
    public let token: String
    /// Where the token was read, such as `--token-file /etc/docket/token` or `HEROKU_API_KEY`.
    public let source: String

    /// The redacted form used wherever a credential could be shown.
    public var description: String { "token from \(source)" }
}

/// Finds the token in Docket's order: `--token-file`, `$CREDENTIALS_DIRECTORY/heroku-token`
/// (systemd `LoadCredential=`), `HEROKU_API_KEY`, then `~/.netrc` (`machine api.heroku.com`).
public enum CredentialResolver {
    public static let howToCreate =
        "Create a read-only token with `heroku authorizations:create --scope read --description docket --short` and pass it with --token-file FILE."

    /// - Throws: `DocketError` (authentication) naming the source and the fix, never the token.
    public static func resolve(tokenFile: String?, environment: [String: String]) throws -> HerokuCredential {
        if let tokenFile {
            return try read(file: tokenFile, source: "--token-file \(tokenFile)")
        }
        if let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty {
            let path = directory + "/heroku-token"
            if FileManager.default.fileExists(atPath: path) {
                return try read(file: path, source: "systemd credential heroku-token (\(path))")
            }
        }
        if let key = environment["HEROKU_API_KEY"]?.trimmingCharacters(in: .whitespacesAndNewlines), !key.isEmpty {
            return HerokuCredential(token: key, source: "HEROKU_API_KEY")
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        let netrc = home + "/.netrc"
        if let token = try netrcPassword(path: netrc, machine: "api.heroku.com") {
            return HerokuCredential(token: token, source: "\(netrc) (machine api.heroku.com)")
        }
        throw DocketError(
            .authentication,
            "no Heroku token found: tried --token-file, $CREDENTIALS_DIRECTORY/heroku-token, HEROKU_API_KEY and \(netrc). \(howToCreate)")
    }

    private static func read(file path: String, source: String) throws -> HerokuCredential {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DocketError(.authentication, "the token file \(path) does not exist. \(howToCreate)")
        }
        guard !isDirectory.boolValue else {
            throw DocketError(.authentication, "the token file \(path) is a folder; pass the file that contains the token.")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DocketError(.authentication, "the token file \(path) cannot be read: check its permissions (the capture's user needs read access).")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else {
            throw DocketError(.authentication, "the token file \(path) is empty. \(howToCreate)")
        }
        guard !token.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            throw DocketError(.authentication, "the token file \(path) holds more than one word; it must contain only the token. \(howToCreate)")
        }
        return HerokuCredential(token: token, source: source)
    }

    /// The `password` of `machine` in a netrc file, or nil when the file or entry is absent.
    static func netrcPassword(path: String, machine: String) throws -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let words = String(decoding: data, as: UTF8.self).split(whereSeparator: { $0.isWhitespace }).map(String.init)
        var index = 0
        var inMachine = false
        while index < words.count {
            let word = words[index]
            if word == "machine" || word == "default" {
                inMachine = word == "machine" && index + 1 < words.count && words[index + 1] == machine
                index += word == "machine" ? 2 : 1
                continue
            }
            if inMachine, word == "password", index + 1 < words.count {
                return words[index + 1]
            }
            index += 1
        }
        return nil
    }
}
