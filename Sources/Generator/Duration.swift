// Prometheus durations (`15m`, `1h30m`, `500ms`) as milliseconds and back, for the timing of
// the generated promtool tests.

enum PromDuration {
    private static let units: [(String, Int)] = [
        ("y", 365 * 86_400_000), ("w", 7 * 86_400_000), ("d", 86_400_000), ("h", 3_600_000),
        ("m", 60_000), ("s", 1000), ("ms", 1),
    ]

    /// Milliseconds of a duration the strategy loader already validated; nil if malformed.
    static func milliseconds(_ text: String) -> Int? {
        var total = 0
        var digits = ""
        var chars = Substring(text)
        if chars.isEmpty { return nil }
        while let c = chars.first {
            if c.isASCII, c.isNumber {
                digits.append(c)
                chars = chars.dropFirst()
                continue
            }
            guard let n = Int(digits) else { return nil }
            let unit: Int
            if chars.hasPrefix("ms") {
                unit = 1
                chars = chars.dropFirst(2)
            } else if let u = units.first(where: { $0.0.count == 1 && chars.hasPrefix($0.0) }) {
                unit = u.1
                chars = chars.dropFirst()
            } else {
                return nil
            }
            total += n * unit
            digits = ""
        }
        return digits.isEmpty ? total : nil
    }

    /// `5_400_000` → `1h30m`; `0` → `0s`. Uses h, m, s, ms (promtool's `eval_time` style).
    static func format(_ ms: Int) -> String {
        if ms == 0 { return "0s" }
        var rest = ms
        var out = ""
        for (name, size) in units where name != "y" && name != "w" && name != "d" {
            if rest >= size {
                out += "\(rest / size)\(name)"
                rest %= size
            }
        }
        return out
    }

    static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
}
