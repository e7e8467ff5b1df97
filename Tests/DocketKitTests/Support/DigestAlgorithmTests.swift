import Foundation
import Testing

@testable import DocketKit

/// The algorithms verify needs for bags made by other tools, against the FIPS 180 and
/// RFC 1321 answers for "abc".
@Suite("BagIt digest algorithms")
struct DigestAlgorithmTests {
    @Test(
        "known answers for abc",
        arguments: [
            (DigestAlgorithm.md5, "900150983cd24fb0d6963f7d28e17f72"),
            (.sha1, "a9993e364706816aba3e25717850c26c9cd0d89d"),
            (.sha224, "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"),
            (.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (.sha384, "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"),
        ])
    func knownAnswer(algorithm: DigestAlgorithm, expected: String) {
        #expect(Digest.hex(algorithm, Array("abc".utf8)) == expected)
    }

    @Test("hex of every byte value")
    func hexOfEveryByte() {
        let expected = (0...255).map { String(format: "%02x", $0) }.joined()
        #expect(hexString((0...255).map { UInt8($0) }) == expected)
        #expect(hexString([UInt8]()) == "")
        #expect(bytes(fromHex: expected) == (0...255).map { UInt8($0) })
    }

    @Test("SHA-256 hex form recognised")
    func sha256HexForm() {
        let digest = Digest.sha256("abc")
        #expect(Digest.isSHA256Hex(digest))
        #expect(!Digest.isSHA256Hex(digest.uppercased()))
        #expect(!Digest.isSHA256Hex(String(digest.dropLast())))
        #expect(!Digest.isSHA256Hex(String(digest.dropLast()) + "g"))
        #expect(!Digest.isSHA256Hex(""))
    }
}
