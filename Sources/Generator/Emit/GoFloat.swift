// Numbers the way Prometheus prints them. Alert annotations expand `{{ $value }}` with Go's
// `fmt.Sprint(float64)` (strconv's shortest 'g': exponent form when the decimal exponent is
// below -4 or at least 6), so the generated promtool tests compute the same text here.

enum GoFloat {
    /// Go's `fmt.Sprint(v)` for a float64: `0.75`, `250000`, `1e+06`, `1e-05`, `0.0001`.
    static func format(_ v: Double) -> String {
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
    static func decompose(_ v: Double) -> (negative: Bool, digits: String, pointPosition: Int) {
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
