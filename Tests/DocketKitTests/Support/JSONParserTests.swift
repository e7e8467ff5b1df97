import Foundation
import Testing

@testable import DocketKit

/// The parser's shortcuts (ASCII strings taken without validation, short integers computed
/// directly, duplicate keys found while the object's dictionary is built) give the same values
/// and reject the same texts as the general paths.
@Suite("JSON parser")
struct JSONParserTests {
    @Test("integers parse to the same doubles as Double(_:)", arguments: [
        "0", "-0", "7", "-7", "42", "1000000", "999999999999999", "-999999999999999", "1000000000000000",
        "9007199254740993", "12345678901234567890", "1.5", "-0.25", "1e3", "2E-2", "1.0",
    ])
    func numbers(lexeme: String) throws {
        let parsed = try JSONParser.parse(lexeme)
        let expected = Double(lexeme)!
        #expect(parsed == .number(expected))
        #expect(parsed.doubleValue?.sign == expected.sign)
    }

    @Test("malformed numbers and literals are rejected", arguments: [
        "-", "01", "1.", ".5", "1e", "--1", "tru", "nul", "falsy", "nulll", "t",
    ])
    func malformedScalars(text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test("literals parse inside containers")
    func literals() throws {
        #expect(try JSONParser.parse(#"[true, false, null, {"a": true}]"#) == [true, false, nil, ["a": true]])
    }

    @Test("duplicate keys are rejected in small and large objects", arguments: [1, 15, 16, 17, 40])
    func duplicateKeys(memberCount: Int) throws {
        let members = (0..<memberCount).map { "\"k\($0)\": \($0)" }
        let unique = try JSONParser.parse("{" + members.joined(separator: ",") + "}")
        #expect(unique.objectValue?.count == memberCount)
        #expect(unique["k\(memberCount - 1)"] == .number(Double(memberCount - 1)))
        for duplicated in [0, memberCount - 1] {
            let text = "{" + (members + ["\"k\(duplicated)\": true"]).joined(separator: ",") + "}"
            #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
        }
    }

    @Test("duplicate key reported at the key")
    func duplicateKeyOffset() {
        // The duplicate is found when the object closes, and reported where the second "a" ends.
        #expect {
            try JSONParser.parse(#"{"a":1,"a":2}"#)
        } throws: { error in
            (error as? JSONParseError)?.offset == 10 && (error as? JSONParseError)?.reason == #"duplicate object key "a""#
        }
    }

    @Test("non-ASCII strings are validated, ASCII ones kept as they are")
    func utf8() throws {
        #expect(try JSONParser.parse(bytes: [0x22] + Array("déjà vu ☕".utf8) + [0x22]) == "déjà vu ☕")
        #expect(try JSONParser.parse(bytes: [0x22] + Array("plain ascii ~".utf8) + [0x22]) == "plain ascii ~")
        for invalid: [UInt8] in [[0x22, 0x61, 0xC3, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xC0, 0xAF, 0x22]] {
            #expect(throws: JSONParseError.self) { try JSONParser.parse(bytes: invalid) }
        }
    }

    /// Foundation's parser decodes the same texts independently.
    @Test("escapes decoded as Foundation does")
    func escapes() throws {
        let pieces = [
            #"\""#, #"\\"#, #"\/"#, #"\b"#, #"\f"#, #"\n"#, #"\r"#, #"\t"#, #"\u0041"#, #"\u00e9"#, #"\u2603"#,
            #"\ud834\udd1e"#, "plain", "é", "-----BEGIN CERTIFICATE-----", "",
        ]
        var generator = SeededGenerator(seed: 8259)
        for _ in 0..<300 {
            let body = (0..<generator.next(8)).map { _ in pieces[generator.next(pieces.count)] }.joined()
            let text = "[\"\(body)\"]"
            let expected = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String])
            #expect(try JSONParser.parse(text) == .array([.string(expected[0])]), "\(text)")
        }
    }

    @Test("invalid escapes are rejected", arguments: [#""\x""#, #""a\"#, #""\u12""#, #""\ud834""#, #""\udd1e""#, #""\ud834\u0041""#])
    func invalidEscapes(text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }
}
