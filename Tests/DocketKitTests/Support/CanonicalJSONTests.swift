import Foundation
import Testing

@testable import DocketKit

@Suite("RFC 8785 canonical JSON")
struct CanonicalJSONTests {
    static let vectorNames: [String] = {
        let input = TestPaths.sharedTestdata.appendingPathComponent("jcs/input")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: input.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted()
    }()

    @Test("vector suite is present")
    func vectorSuitePresent() {
        #expect(Self.vectorNames.count >= 6)
    }

    @Test("every vector canonicalizes to its expected bytes", arguments: vectorNames)
    func vector(name: String) throws {
        let root = TestPaths.sharedTestdata.appendingPathComponent("jcs")
        let input = try Data(contentsOf: root.appendingPathComponent("input/\(name)"))
        let expected = try Data(contentsOf: root.appendingPathComponent("output/\(name)"))
        let canonical = CanonicalJSON.encode(try JSONParser.parse(input))
        #expect(canonical == [UInt8](expected))
    }

    @Test("numbers follow ECMAScript formatting", arguments: [
        (0.0, "0"), (-0.0, "0"), (1.0, "1"), (-1.5, "-1.5"), (1e21, "1e+21"), (1e20, "100000000000000000000"),
        (0.000001, "0.000001"), (1e-7, "1e-7"), (123456789012345680000.0, "123456789012345680000"),
        (Double.leastNonzeroMagnitude, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"), (0.1, "0.1"), (333333333.3333333, "333333333.3333333"),
    ])
    func number(value: Double, expected: String) {
        #expect(CanonicalJSON.formatNumber(value) == expected)
    }

    @Test("whole numbers format as integers")
    func wholeNumbers() {
        var generator = CopyDeltaTests.Generator(state: 53)
        var samples: [Double] = [1, 9, 10, 100, 1_000_000, 123_456_789_012, 1e15, 1e16 - 2, 9_007_199_254_740_991]
        for magnitude in 1...53 {
            for _ in 0..<50 {
                samples.append(Double(UInt64.random(in: 0..<(UInt64(1) << magnitude), using: &generator)))
            }
        }
        for sample in samples where sample != 0 {
            #expect(CanonicalJSON.formatNumber(sample) == CanonicalJSON.formatDigits(sample), "\(sample)")
            #expect(CanonicalJSON.formatNumber(-sample) == CanonicalJSON.formatDigits(-sample), "\(-sample)")
        }
        // From 2^53 on, the shortest round-trip digits of a whole number may differ from its own.
        #expect(CanonicalJSON.formatNumber(9_007_199_254_740_992) == "9007199254740992")
        #expect(CanonicalJSON.formatNumber(1_152_921_504_606_846_976) == "1152921504606847000")
    }

    @Test("duplicate keys are rejected")
    func duplicateKeys() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(#"{"a":1,"a":2}"#) }
    }

    @Test("strings with and without escapes parse exactly")
    func strings() throws {
        #expect(try JSONParser.parse(#"["plain", "", "caf\u00e9 ☕", "tab\there", "a\"b\\c", "mixed é\nline"]"#)
            == ["plain", "", "café ☕", "tab\there", "a\"b\\c", "mixed é\nline"])
    }

    @Test("malformed strings are rejected", arguments: [
        [0x22, 0x61, 0x62], [0x22, 0xFF, 0x22], [0x22, 0x61, 0x0A, 0x22], [0x22, 0x5C, 0x78, 0x22], [0x22, 0x61, 0x5C],
    ] as [[UInt8]])
    func malformedStrings(bytes: [UInt8]) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(bytes: bytes) }
    }

    @Test("lone surrogates are rejected")
    func loneSurrogate() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(#""\ud800""#) }
    }

    @Test("keys sort by UTF-16 code units")
    func keyOrder() throws {
        let value = try JSONParser.parse(#"{"\u20ac":1,"\ud83d\ude00":2,"a":3,"B":4}"#)
        #expect(CanonicalJSON.encodeString(value) == "{\"B\":4,\"a\":3,\"€\":1,\"😀\":2}")
    }
}

@Suite("SHA-256 and SHA-512 through libcrypto")
struct DigestTests {
    @Test("known answers, including empty input")
    func knownAnswers() {
        #expect(Digest.sha256([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Digest.sha256("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            Digest.sha512(Array("abc".utf8))
                == "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
        )
    }

    @Test("incremental updates equal one-shot hashing")
    func incremental() {
        let hasher = Hasher(.sha256)
        hasher.update(Array("a".utf8))
        hasher.update(Array("bc".utf8))
        #expect(hasher.finalizeHex() == Digest.sha256("abc"))
    }
}
