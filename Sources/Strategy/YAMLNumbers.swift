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
        return Threshold(value, text: isJSONNumber(text) ? text : Threshold.format(value))
    }
}

/// A JSON number, `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?`: text that JSON, PromQL and
/// YAML all read as the same number, so generated files can repeat it as written.
private func isJSONNumber(_ text: String) -> Bool {
    var scalars = Substring(text).unicodeScalars[...]
    func digits() -> Int {
        var count = 0
        while let first = scalars.first, ("0"..."9").contains(first) {
            scalars.removeFirst()
            count += 1
        }
        return count
    }
    if scalars.first == "-" { scalars.removeFirst() }
    let leadingZero = scalars.first == "0"
    let integer = digits()
    guard integer > 0, !(leadingZero && integer > 1) else { return false }
    if scalars.first == "." {
        scalars.removeFirst()
        guard digits() > 0 else { return false }
    }
    if let first = scalars.first, first == "e" || first == "E" {
        scalars.removeFirst()
        if let sign = scalars.first, sign == "-" || sign == "+" { scalars.removeFirst() }
        guard digits() > 0 else { return false }
    }
    return scalars.isEmpty
}
