/// Numbers as text, one spelling for the whole product: the exposition's sample values, the
/// classes and categories written as numbers, and the thresholds of generated rules.
package enum NumberText {
    /// Go's `strconv.FormatFloat(v, 'g', -1, 64)` spelling as Prometheus clients use it:
    /// integers without a fraction (`1`, not `1.0`), `+Inf`, `-Inf`, `NaN`, and otherwise the
    /// shortest text that reads back as the same Double (`0.1`, `1e-06`).
    package static func shortest(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == v.rounded(), abs(v) < 1e15 {
            return v == 0 ? "0" : String(Int64(v))
        }
        return "\(v)"
    }
}
