/// Numbers as text: the two spellings the product writes, both the shortest digits that read
/// back as the same Double, differing only in when they switch to an exponent.
package enum NumberText {
    /// The exposition's spelling, used for sample values and for classes and categories written
    /// as numbers: integers below 10^15 written whole without a fraction (`1`, `1234567`, not
    /// `1.0` or Go's `1.234567e+06`), `+Inf`, `-Inf`, `NaN`, and otherwise Swift's shortest
    /// round-trip text (`0.1`, `1e-06`, `1e+20`). Every Prometheus parser reads it.
    package static func shortest(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == v.rounded(), abs(v) < 1e15 {
            return v == 0 ? "0" : String(Int64(v))
        }
        return "\(v)"
    }

    /// Go's spelling, `strconv.FormatFloat(v, 'g', -1, 64)` as `fmt.Sprint` prints a float64:
    /// the exponent form when the decimal exponent is below -4 or at least 6 (`0.75`, `250000`, `1e+06`, `1.234567e+06`, `1e-05`, `0.0001`). Prometheus
    /// expands an alert's `{{ $value }}` this way, so the generated rules, promtool tests and
    /// dashboards write every number in it.
    package static func go(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v < 0 ? "-Inf" : "+Inf" }
        if v == 0 { return v.sign == .minus ? "-0" : "0" }
        let (negative, digits, pointPosition) = decompose(v)
        let exp = pointPosition - 1
        var out = negative ? "-" : ""
        if exp < -4 || exp >= 6 {
            out += String(digits.first!)
            if digits.count > 1 { out += "." + digits.dropFirst() }
            out += exp < 0 ? "e-" : "e+"
            let e = String(abs(exp))
            out += (e.count < 2 ? "0" : "") + e
        } else if pointPosition <= 0 {
            out += "0." + String(repeating: "0", count: -pointPosition) + digits
        } else if pointPosition >= digits.count {
            out += digits + String(repeating: "0", count: pointPosition - digits.count)
        } else {
            let i = digits.index(digits.startIndex, offsetBy: pointPosition)
            out += digits[..<i] + "." + digits[i...]
        }
        return out
    }

    /// Shortest round-trip digits of `v` (Swift's `description` uses the same shortest
    /// algorithm as Go's strconv) and the decimal point position: v = 0.DIGITS × 10^position.
    private static func decompose(_ v: Double) -> (negative: Bool, digits: String, pointPosition: Int) {
        var text = Substring("\(v)")
        let negative = text.hasPrefix("-")
        if negative { text = text.dropFirst() }
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...])!
            text = text[..<e]
        }
        var intPart = text
        var fracPart: Substring = ""
        if let dot = text.firstIndex(of: ".") {
            intPart = text[..<dot]
            fracPart = text[text.index(after: dot)...]
        }
        var digits = String(intPart) + fracPart
        var position = intPart.count + exponent
        while digits.hasPrefix("0") {
            digits.removeFirst()
            position -= 1
        }
        while digits.hasSuffix("0") { digits.removeLast() }
        return (negative, digits, position)
    }
}
