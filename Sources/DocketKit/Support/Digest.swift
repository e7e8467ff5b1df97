internal import CCrypto
import Foundation

/// A failure inside OpenSSL's libcrypto, with the library's own message.
public struct CryptoError: Error, CustomStringConvertible {
    public let operation: String
    public let message: String

    public var description: String { "libcrypto \(operation) failed: \(message)" }

    static func last(_ operation: String) -> CryptoError {
        let code = ERR_get_error()
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        let message = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return CryptoError(operation: operation, message: code == 0 ? "no error queued" : message)
    }
}

/// The digest algorithms Docket uses: SHA-256 for content addresses, SHA-512 for the second
/// BagIt manifest. MD5, SHA-1, SHA-224 and SHA-384 are only read: `docket verify` checks bags
/// made by other tools whose manifests use them.
public enum DigestAlgorithm: String, Sendable, CaseIterable {
    case md5
    case sha1
    case sha224
    case sha256
    case sha384
    case sha512

    /// libcrypto's implementation of the algorithm, fetched once. Given `EVP_sha256()`, each
    /// `EVP_DigestInit_ex` fetched it again under a lock: a fifth of a diff's hashing time.
    fileprivate var method: OpaquePointer? {
        Self.fetchedMethods[self] ?? builtInMethod
    }

    nonisolated(unsafe) private static let fetchedMethods: [DigestAlgorithm: OpaquePointer] = Dictionary(
        uniqueKeysWithValues: allCases.compactMap { algorithm in
            EVP_MD_fetch(nil, algorithm.rawValue.uppercased(), nil).map { (algorithm, $0) }
        })

    private var builtInMethod: OpaquePointer? {
        switch self {
        case .md5: return EVP_md5()
        case .sha1: return EVP_sha1()
        case .sha224: return EVP_sha224()
        case .sha256: return EVP_sha256()
        case .sha384: return EVP_sha384()
        case .sha512: return EVP_sha512()
        }
    }
}

/// An incremental hash over libcrypto's EVP interface; one instance hashes one stream.
public final class Hasher {
    private let context: OpaquePointer
    public let algorithm: DigestAlgorithm

    public init(_ algorithm: DigestAlgorithm = .sha256) {
        guard let context = EVP_MD_CTX_new() else {
            preconditionFailure("EVP_MD_CTX_new failed: out of memory")
        }
        guard EVP_DigestInit_ex(context, algorithm.method, nil) == 1 else {
            EVP_MD_CTX_free(context)
            preconditionFailure("\(CryptoError.last("EVP_DigestInit_ex"))")
        }
        self.context = context
        self.algorithm = algorithm
    }

    deinit {
        EVP_MD_CTX_free(context)
    }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        // EVP_DigestUpdate only fails on a context that was never initialised.
        guard EVP_DigestUpdate(context, bytes.baseAddress, bytes.count) == 1 else {
            preconditionFailure("\(CryptoError.last("EVP_DigestUpdate"))")
        }
    }

    public func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let array = Array(bytes)
        array.withUnsafeBytes { update($0) }
    }

    /// Finishes the hash and returns its lowercase hex form; the hasher cannot be reused.
    public func finalizeHex() -> String {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard EVP_DigestFinal_ex(context, &output, &length) == 1 else {
            preconditionFailure("\(CryptoError.last("EVP_DigestFinal_ex"))")
        }
        return hexString(output.prefix(Int(length)))
    }
}

/// One-shot digests in lowercase hex.
public enum Digest {
    public static func sha256<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        hex(.sha256, bytes)
    }

    public static func sha512<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        hex(.sha512, bytes)
    }

    public static func sha256(_ text: String) -> String {
        hex(.sha256, Array(text.utf8))
    }

    public static func hex<Bytes: Sequence>(_ algorithm: DigestAlgorithm, _ bytes: Bytes) -> String
    where Bytes.Element == UInt8 {
        let hasher = Hasher(algorithm)
        hasher.update(bytes)
        return hasher.finalizeHex()
    }

    /// True when `text` is a full lowercase SHA-256 hex digest.
    public static func isSHA256Hex(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            bytes.count == 64 && bytes.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
        }
    }
}

/// Decodes a lowercase or uppercase hex string. Returns nil when it has an odd length or a
/// character that is not a hex digit.
func bytes(fromHex text: String) -> [UInt8]? {
    let digits = Array(text.utf8)
    guard digits.count % 2 == 0 else { return nil }
    func value(_ digit: UInt8) -> UInt8? {
        switch digit {
        case 48...57: return digit - 48
        case 97...102: return digit - 87
        case 65...70: return digit - 55
        default: return nil
        }
    }
    var output: [UInt8] = []
    output.reserveCapacity(digits.count / 2)
    var index = 0
    while index < digits.count {
        guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
        output.append(high << 4 | low)
        index += 2
    }
    return output
}

func hexString<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
    let input = Array(bytes)
    return String(unsafeUninitializedCapacity: input.count * 2) { output in
        for (index, byte) in input.enumerated() {
            output[2 * index] = lowercaseHexDigit(byte >> 4)
            output[2 * index + 1] = lowercaseHexDigit(byte & 0x0F)
        }
        return input.count * 2
    }
}

/// Returns the lowercase hex digit of `value`, which is below 16. A global table cost a lazy
/// initialisation check per digit, 5 % of a bundle's main thread while it writes the payload.
@inline(__always)
func lowercaseHexDigit(_ value: UInt8) -> UInt8 {
    value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") - 10 + value
}
