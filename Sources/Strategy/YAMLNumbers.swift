import TextFormat
import YAMLReader

extension YNode {
    /// A finite number written as a YAML integer or float, with its text: the source text when
    /// it is a JSON number (`0.05`, `0.050`, `1e-3`), else the shortest text of its value
    /// (`0x10` → "16", `.5` → "0.5", `1_000` → "1000").
    func number() throws(StrategyError) -> Threshold {
        guard case .scalar(let scalar) = node, tagName == .int || tagName == .float else {
            throw error("expected a number, found \(found)")
        }
        let text = scalar.string
        guard let value = Double(text) ?? node.float ?? node.int.map(Double.init) else {
            throw error("expected a number, found \(text)")
        }
        guard value.isFinite else { throw error("expected a finite number, found \(text)") }
        return Threshold(value, text: JSONText.isNumber(text) ? text : Threshold.format(value))
    }
}
