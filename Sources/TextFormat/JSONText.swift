/// JSON string literals (RFC 8259), one writer for every JSON the product makes: API answers and
/// Grafana dashboards.
package enum JSONText {
    /// `s` in double quotes: `"` and `\` escaped, `\n` `\r` `\t` by name, other control
    /// characters and DEL as `\u00XX`; everything else as is (UTF-8). Also a valid YAML
    /// double-quoted scalar, PromQL string literal and Go string literal.
    package static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    out += "\\u00" + String(hexDigits[Int(u.value >> 4)]) + String(hexDigits[Int(u.value & 15)])
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    /// Whether `text` is a JSON number, `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?`: text
    /// that JSON, PromQL and YAML all read as the same number, so generated files can repeat a
    /// strategy's threshold as written.
    package static func isNumber(_ text: String) -> Bool {
        var u = Substring(text).utf8[...]
        func digits() -> Int {
            var n = 0
            while let c = u.first, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") {
                u = u.dropFirst()
                n += 1
            }
            return n
        }
        if u.first == UInt8(ascii: "-") { u = u.dropFirst() }
        let leadingZero = u.first == UInt8(ascii: "0")
        let integer = digits()
        guard integer > 0, !(leadingZero && integer > 1) else { return false }
        if u.first == UInt8(ascii: ".") {
            u = u.dropFirst()
            guard digits() > 0 else { return false }
        }
        if u.first == UInt8(ascii: "e") || u.first == UInt8(ascii: "E") {
            u = u.dropFirst()
            if u.first == UInt8(ascii: "+") || u.first == UInt8(ascii: "-") { u = u.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return u.isEmpty
    }

    private static let hexDigits: [Character] = Array("0123456789abcdef")
}
