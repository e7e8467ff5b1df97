import Testing

@testable import DocketKit

@Suite("packed digests")
struct PackedDigestTests {
    @Test("hex round trip")
    func roundTrip() throws {
        let bytes = Array("evidence".utf8)
        let sha256 = Digest.sha256(bytes)
        let sha512 = Digest.sha512(bytes)
        #expect(try #require(PackedSHA256(hex: sha256)).hex == sha256)
        #expect(try #require(PackedSHA512(hex: sha512)).hex == sha512)
        #expect(PackedSHA256(.sha256, of: bytes).hex == sha256)
        #expect(PackedSHA512(.sha512, of: bytes).hex == sha512)
    }

    @Test("raw bytes round trip")
    func bytesRoundTrip() throws {
        let bytes = Array("evidence".utf8)
        let sha256 = PackedSHA256(.sha256, of: bytes)
        let sha512 = PackedSHA512(.sha512, of: bytes)
        #expect(hexString(sha256.bytes) == Digest.sha256(bytes))
        #expect(hexString(sha512.bytes) == Digest.sha512(bytes))
        #expect(PackedSHA256(bytes: sha256.bytes) == sha256)
        #expect(PackedSHA512(bytes: sha512.bytes) == sha512)
        #expect(PackedSHA256(bytes: sha512.bytes) == nil)
        #expect(PackedSHA512(bytes: sha256.bytes) == nil)
    }

    @Test("equal digests hash alike")
    func equality() throws {
        let first = PackedSHA256(.sha256, of: Array("a".utf8))
        let second = PackedSHA256(.sha256, of: Array("a".utf8))
        let other = PackedSHA256(.sha256, of: Array("b".utf8))
        #expect(first == second)
        #expect(first != other)
        #expect(Set([first, second, other]).count == 2)
    }

    @Test("invalid hex is rejected")
    func invalidHex() {
        let valid = Digest.sha256(Array("a".utf8))
        #expect(PackedSHA256(hex: String(valid.dropLast())) == nil)
        #expect(PackedSHA256(hex: valid + "0") == nil)
        #expect(PackedSHA256(hex: valid.uppercased()) == nil)
        #expect(PackedSHA256(hex: String(valid.dropLast()) + "g") == nil)
        #expect(PackedSHA512(hex: valid) == nil)
        // The bytes just outside the digit ranges 0-9 and a-f.
        for outside in ["/", ":", "`", "g"] {
            #expect(PackedSHA256(hex: outside + String(valid.dropFirst())) == nil, "\(outside)")
        }
    }

    @Test("many digests round trip")
    func manyDigests() throws {
        for number in 0..<500 {
            let bytes = Array("resource \(number)".utf8)
            let sha256 = Digest.sha256(bytes)
            let sha512 = Digest.sha512(bytes)
            #expect(try #require(PackedSHA256(hex: sha256)).hex == sha256)
            #expect(try #require(PackedSHA512(hex: sha512)).hex == sha512)
        }
    }

    @Test("hex appended after text")
    func appendedHex() throws {
        let sha256 = Digest.sha256(Array("a".utf8))
        var line = Array("prefix ".utf8)
        try #require(PackedSHA256(hex: sha256)).appendHex(to: &line)
        #expect(String(decoding: line, as: UTF8.self) == "prefix " + sha256)
    }
}
