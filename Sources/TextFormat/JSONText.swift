/// JSON string literals (RFC 8259), one writer for every JSON the product makes: API answers,
/// window snapshots, Grafana dashboards.
public enum JSONText {
    /// `s` in double quotes: `"` and `\` escaped, `\n` `\r` `\t` by name, other control
    /// characters as `\u00XX`; everything else as is (UTF-8).
    public static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    out += "\\u00" + String(hexDigits[Int(u.value >> 4)]) + String(hexDigits[Int(u.value & 15)])
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    private static let hexDigits: [Character] = Array("0123456789abcdef")
}
