// Text for pages people read: HTML escaping and numbers rounded for the eye. Pure.

/// Escaping for HTML text and attribute values (also inside inline SVG).
package enum HTML {
    package static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}

/// Numbers as a page shows them: a few significant digits, not every digit of a Double.
/// (The exposition and generated files spell numbers exactly; a page rounds.)
package enum Display {
    /// `v` with `digits` significant digits and no trailing zeros: 0.1234 → "0.123",
    /// 52391.7 → "52392", 1e-9 → "1e-09"; "–" for NaN, "∞" for infinity.
    package static func number(_ v: Double, digits: Int = 3) -> String {
        if v.isNaN { return "–" }
        if v.isInfinite { return v > 0 ? "∞" : "−∞" }
        if v == 0 { return "0" }
        var a = abs(v)
        var magnitude = 0
        while a >= 10 { a /= 10; magnitude += 1 }
        while a < 1 { a *= 10; magnitude -= 1 }
        if magnitude < -4 || magnitude >= 15 {
            // Very small or very large: mantissa and exponent.
            var m = v
            for _ in 0..<abs(magnitude) { m = magnitude > 0 ? m / 10 : m * 10 }
            let e = abs(magnitude)
            return number(m, digits: digits) + "e" + (magnitude < 0 ? "-" : "+") + (e < 10 ? "0" : "") + String(e)
        }
        let decimals = max(0, digits - 1 - magnitude)
        var scale: Int64 = 1
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int64((abs(v) * Double(scale)).rounded())
        var text = String(scaled / scale)
        if decimals > 0 {
            var fraction = String(scaled % scale)
            fraction = String(repeating: "0", count: decimals - fraction.count) + fraction
            while fraction.hasSuffix("0") { fraction.removeLast() }
            if !fraction.isEmpty { text += "." + fraction }
        }
        return (v < 0 && text != "0" ? "−" : "") + text
    }

    /// A share as a percentage with one decimal: 0.1234 → "12.3 %" (`trimmed`: 0.2 → "20 %").
    package static func percent(_ v: Double, trimmed: Bool = false) -> String {
        guard v.isFinite else { return number(v) }
        let tenths = Int64((v * 1000).rounded())
        let sign = tenths < 0 ? "−" : ""
        let t = abs(tenths)
        if trimmed && t % 10 == 0 { return "\(sign)\(t / 10) %" }
        return "\(sign)\(t / 10).\(t % 10) %"
    }
}
