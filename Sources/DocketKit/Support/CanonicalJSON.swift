import Foundation

/// RFC 8785 (JSON Canonicalization Scheme) serialization, and a readable sorted form.
///
/// The canonical bytes are what Docket hashes and stores, so the same content always has the
/// same digest whatever order Heroku sent the keys in.
public enum CanonicalJSON {
    /// The RFC 8785 canonical UTF-8 bytes of `value`.
    public static func encode(_ value: JSONValue) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        write(value, into: &output)
        return output
    }

    public static func encodeString(_ value: JSONValue) -> String {
        String(decoding: encode(value), as: UTF8.self)
    }

    /// Returns the members sorted by their keys' UTF-16 code units, as RFC 8785 section
    /// 3.2.3 requires.
    static func sortedMembers(_ members: [String: JSONValue]) -> [(key: String, value: JSONValue)] {
        let pairs = Array(members)
        // ASCII keys, nearly all of them, sort the same by String's own comparison, which is
        // faster: walking the code unit views took a quarter of rendering control results.
        if pairs.allSatisfy({ isASCII($0.key) }) {
            return pairs.sorted { $0.key < $1.key }
        }
        return pairs.sorted { $0.key.utf16.lexicographicallyPrecedes($1.key.utf16) }
    }

    /// Returns whether every byte of `text` is ASCII.
    static func isASCII(_ text: String) -> Bool {
        text.utf8.withContiguousStorageIfAvailable { $0.allSatisfy { $0 < 0x80 } } ?? text.utf8.allSatisfy { $0 < 0x80 }
    }

    static func write(_ value: JSONValue, into output: inout [UInt8]) {
        switch value {
        case .null: output.append(contentsOf: Array("null".utf8))
        case .bool(let flag): output.append(contentsOf: Array((flag ? "true" : "false").utf8))
        case .number(let number): output.append(contentsOf: Array(formatNumber(number).utf8))
        case .string(let text): writeString(text, into: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                write(element, into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            for (position, member) in sortedMembers(members).enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                writeString(member.key, into: &output)
                output.append(UInt8(ascii: ":"))
                write(member.value, into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    static func writeString(_ text: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        writeStringContents(text, into: &output)
        output.append(UInt8(ascii: "\""))
    }

    /// Appends `text` escaped as `writeString` does, without the quotes, so that a string
    /// made of several parts needs no joining first.
    static func writeStringContents(_ text: String, into output: inout [UInt8]) {
        // The bytes between two escapes are copied as one run, and most strings are one run.
        var text = text
        text.withUTF8 { bytes in
            var runStart = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte < 0x20 || byte == 0x22 || byte == 0x5C else { continue }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                appendEscape(of: byte, into: &output)
                runStart = index + 1
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
    }

    /// Appends RFC 8785's escape of a quote, a backslash or a control character.
    private static func appendEscape(of byte: UInt8, into output: inout [UInt8]) {
        output.append(0x5C)
        switch byte {
        case 0x22, 0x5C: output.append(byte)
        case 0x08: output.append(UInt8(ascii: "b"))
        case 0x09: output.append(UInt8(ascii: "t"))
        case 0x0A: output.append(UInt8(ascii: "n"))
        case 0x0C: output.append(UInt8(ascii: "f"))
        case 0x0D: output.append(UInt8(ascii: "r"))
        default:
            output.append(contentsOf: Array("u00\(hexString([byte]))".utf8))
        }
    }

    /// The magnitude 2^53, below which every whole number is exactly a double.
    static let exactIntegerLimit: Double = 9_007_199_254_740_992

    /// Formats a double as ECMAScript's Number.prototype.toString does (ECMA-262, 7.1.12.1),
    /// starting from Swift's shortest round-trip digits.
    public static func formatNumber(_ number: Double) -> String {
        precondition(number.isFinite, "JSON numbers are finite")
        if number == 0 { return "0" }
        // Below 2^53 every whole number and its neighbours are exact doubles, so the shortest
        // round-trip digits of a whole number are its own, which ECMAScript prints as an integer.
        // Counters and sizes then skip formatting the double as text and reassembling its digits.
        if number.rounded(.towardZero) == number && abs(number) < Self.exactIntegerLimit {
            return String(Int64(number))
        }
        return formatDigits(number)
    }

    /// Formats a nonzero double as `formatNumber` does, from the shortest round-trip digits
    /// of its text.
    static func formatDigits(_ number: Double) -> String {
        let sign = number < 0 ? "-" : ""
        let (digits, exponent) = decimalDigits(of: abs(number))
        let k = digits.count
        let n = exponent
        let body: String
        if k <= n && n <= 21 {
            body = digits + String(repeating: "0", count: n - k)
        } else if 0 < n && n <= 21 {
            body = String(digits.prefix(n)) + "." + String(digits.dropFirst(n))
        } else if -6 < n && n <= 0 {
            body = "0." + String(repeating: "0", count: -n) + digits
        } else {
            let power = n - 1
            let powerText = (power >= 0 ? "+" : "-") + String(abs(power))
            let mantissa = k == 1 ? digits : String(digits.prefix(1)) + "." + String(digits.dropFirst())
            body = mantissa + "e" + powerText
        }
        return sign + body
    }

    /// The shortest digit string `s` and exponent `n` with `value == 0.s × 10^n`.
    private static func decimalDigits(of value: Double) -> (String, Int) {
        let text = "\(value)"
        let parts = text.split(separator: "e", maxSplits: 1)
        let mantissa = String(parts[0])
        let exponent = parts.count > 1 ? Int(parts[1])! : 0
        let halves = mantissa.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let integerPart = String(halves[0])
        let fractionPart = halves.count > 1 ? String(halves[1]) : ""
        var digits = Array(integerPart + fractionPart)
        var point = integerPart.count + exponent
        while digits.first == "0" {
            digits.removeFirst()
            point -= 1
        }
        while digits.last == "0" {
            digits.removeLast()
        }
        return (String(digits), point)
    }
}
