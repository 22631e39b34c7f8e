// The syntax layer: YAML text → `Yams.compose` node tree → a small reader that knows each
// node's key path and position, so every error can say `file:line:column: path: message`.
// Errors here carry an empty `file`; the caller (`Strategy.parse`, `WebConfig.parse`) fills it
// in once, at the top. Both the strategy and the web config are read with it.

import TextFormat
import Yams

/// A node of the composed YAML tree together with its key path (`features[1].type`).
package struct YNode {
    package let node: Node
    package let path: String

    package init(_ node: Node, path: String) {
        self.node = node
        self.path = path
    }

    package var line: Int { node.mark?.line ?? 0 }
    package var column: Int { node.mark?.column ?? 0 }

    /// An error positioned at this node.
    package func error(_ message: String) -> SourceError {
        SourceError(file: "", line: line, column: column, path: path, message: message)
    }

    package func child(_ key: String, _ node: Node) -> YNode {
        YNode(node, path: path.isEmpty ? key : path + "." + key)
    }

    package func element(_ index: Int, _ node: Node) -> YNode {
        YNode(node, path: path + "[\(index)]")
    }

    // MARK: What the node is

    /// The resolved tag (`!!str`, `!!int`, `!!float`, `!!null`, …) of a plain or quoted scalar.
    package var tagName: Tag.Name { Tag.Name(rawValue: node.tag.rawValue) }

    package var isNull: Bool {
        if case .scalar = node { return tagName == .null }
        return false
    }

    /// How the node reads in an error message: `"numeric"` for a string, `5` for a number,
    /// `nothing` for an empty value, `a list`, `a mapping`.
    package var found: String {
        switch node {
        case .scalar(let scalar):
            switch tagName {
            case .null: return scalar.string.isEmpty ? "nothing" : scalar.string
            case .str: return quoted(scalar.string)
            default: return scalar.string
            }
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .alias: return "an alias"
        }
    }

    // MARK: Readers

    /// This node as a mapping whose keys must all be in `allowed`. An empty value (`metrics:`)
    /// reads as an empty mapping, so a section with every key commented out takes its defaults.
    package func mapping(allowing allowed: [String]) throws(SourceError) -> YMapping {
        try mapping(allowed)
    }

    /// This node as a mapping with keys of any name (user names, label values), each a unique
    /// scalar; empty when the value is empty.
    package func mappingOfAnyKeys() throws(SourceError) -> YMapping {
        try mapping(nil)
    }

    private func mapping(_ allowed: [String]?) throws(SourceError) -> YMapping {
        if isNull { return YMapping(node: self, entries: []) }
        guard case .mapping(let mapping) = node else { throw error("expected a mapping, found \(found)") }
        var entries: [YMapping.Entry] = []
        for (keyNode, valueNode) in mapping {
            let keyAt = YNode(keyNode, path: path)
            guard case .scalar(let scalar) = keyNode, !keyAt.isNull else {
                throw keyAt.error("expected a key name, found \(keyAt.found)")
            }
            let key = scalar.string
            let keyPositioned = child(key, keyNode)
            if let allowed, !allowed.contains(key) {
                throw keyPositioned.error("unknown key (expected one of: \(allowed.joined(separator: ", ")))")
            }
            if let first = entries.first(where: { $0.key == key }) {
                throw keyPositioned.error("duplicate key (first at line \(first.keyNode.line), column \(first.keyNode.column))")
            }
            entries.append(YMapping.Entry(key: key, keyNode: keyPositioned, value: child(key, valueNode)))
        }
        return YMapping(node: self, entries: entries)
    }

    /// This node as a list (a YAML sequence).
    package func list() throws(SourceError) -> [YNode] {
        guard case .sequence(let sequence) = node else { throw error("expected a list, found \(found)") }
        return sequence.enumerated().map { element($0.offset, $0.element) }
    }

    /// The text of a scalar. Numbers and booleans give the text as written (`version: 3.2` →
    /// "3.2", `positive_label: 1` → "1"); an empty value is an error.
    package func string() throws(SourceError) -> String {
        guard case .scalar(let scalar) = node, !isNull else { throw error("expected a string, found \(found)") }
        return scalar.string
    }

    package func nonEmptyString() throws(SourceError) -> String {
        let text = try string()
        guard !text.allSatisfy(\.isWhitespace) else { throw error("must not be empty") }
        return text
    }

    /// A whole number written as a YAML integer.
    package func int() throws(SourceError) -> Int {
        guard case .scalar(let scalar) = node, tagName == .int else {
            throw error("expected a whole number, found \(found)")
        }
        guard let value = Int(scalar.string) ?? node.int else { throw error("\(scalar.string) is too large") }
        return value
    }

    /// `true` or `false`, written as a YAML boolean.
    package func bool() throws(SourceError) -> Bool {
        guard case .scalar = node, tagName == .bool, let value = node.bool else {
            throw error("expected true or false, found \(found)")
        }
        return value
    }

    /// One of an enum's raw values; the message lists them.
    package func choice<E: RawRepresentable & CaseIterable>(_: E.Type, from choices: [E] = Array(E.allCases))
        throws(SourceError) -> E where E.RawValue == String
    {
        guard case .scalar(let scalar) = node, !isNull,
              let value = E(rawValue: scalar.string), choices.contains(where: { $0.rawValue == value.rawValue })
        else { throw error("expected \(alternatives(choices.map(\.rawValue))), found \(found)") }
        return value
    }
}

/// A mapping whose keys have been checked: each is a known, unique scalar.
package struct YMapping {
    package struct Entry {
        package let key: String
        package let keyNode: YNode
        package let value: YNode
    }

    /// The mapping node itself (where a missing key is reported).
    package let node: YNode
    package let entries: [Entry]

    package func optional(_ key: String) -> YNode? {
        entries.first { $0.key == key }?.value
    }

    package func required(_ key: String) throws(SourceError) -> YNode {
        guard let value = optional(key) else { throw node.error("missing required key \"\(key)\"") }
        return value
    }
}

/// `a or b`, `one of a, b or c`.
package func alternatives(_ names: [String]) -> String {
    switch names.count {
    case 0: return "nothing"
    case 1: return names[0]
    case 2: return "\(names[0]) or \(names[1])"
    default: return "one of \(names.dropLast().joined(separator: ", ")) or \(names[names.count - 1])"
    }
}

/// A string in double quotes, with `"`, `\` and control characters escaped, for messages.
package func quoted(_ text: String) -> String { JSONText.quoted(text) }

// MARK: - Composing the document

package enum YAMLDocument {
    /// Composes the single document of `yaml` into a positioned root node. Syntax errors keep
    /// libyaml's line and column; a duplicate key is reported at its second occurrence with its
    /// key path. nil for a document with nothing in it (empty, or only comments).
    package static func compose(_ yaml: String) throws(SourceError) -> YNode? {
        var text = yaml
        var duplicate: (key: String, mark: Mark)?
        // Each round renames one occurrence of a duplicated key so that composing can go on;
        // a strategy file has far fewer keys than this.
        for _ in 0..<100 {
            let root: Node?
            do {
                root = try Yams.compose(yaml: text)
            } catch let yamlError as YamlError {
                if case .duplicatedKeysInMapping(let keys, let context) = yamlError, let key = keys.first {
                    if duplicate == nil { duplicate = (key, context.mark) }
                    if let renamed = renaming(key, at: context.mark, in: text) {
                        text = renamed
                        continue
                    }
                }
                if let duplicate { throw duplicateKeyError(duplicate.key, at: duplicate.mark, in: nil) }
                throw syntaxError(yamlError, in: yaml)
            } catch {
                throw SourceError(file: "", line: 0, column: 0, path: "", message: "invalid YAML: \(error)")
            }
            if let duplicate { throw duplicateKeyError(duplicate.key, at: duplicate.mark, in: root) }
            return root.map { YNode($0, path: "") }
        }
        throw SourceError(
            file: "", line: duplicate?.mark.line ?? 0, column: duplicate?.mark.column ?? 0, path: "",
            message: "duplicate key \(quoted(duplicate?.key ?? ""))"
        )
    }

    private static func syntaxError(_ error: YamlError, in yaml: String) -> SourceError {
        func positioned(_ context: YamlError.Context?, _ problem: String, _ mark: Mark) -> SourceError {
            var message = "invalid YAML: "
            if let context {
                let joiner = problem.hasPrefix("but ") ? ", " : ": "
                message += "\(context.text) at line \(context.mark.line), column \(context.mark.column)\(joiner)\(problem)"
            } else {
                message += problem
            }
            let (line, column) = withinText(mark)
            return SourceError(file: "", line: line, column: column, path: "", message: message)
        }
        /// libyaml places the end of a stream that lacks a final line break on the line after the
        /// last one: that is the end of the last line.
        func withinText(_ mark: Mark) -> (line: Int, column: Int) {
            var lines = 1
            var lastLine = 0  // scalars on the last line
            var previous: Unicode.Scalar?
            for scalar in yaml.unicodeScalars {
                switch scalar {
                case "\n" where previous == "\r": break
                case "\n", "\r", "\u{85}", "\u{2028}", "\u{2029}":
                    lines += 1
                    lastLine = 0
                default: lastLine += 1
                }
                previous = scalar
            }
            return mark.line > lines ? (lines, lastLine + 1) : (mark.line, mark.column)
        }
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            return positioned(context, problem, mark)
        case .reader(let problem, let offset, _, _):
            var line = 0, column = 0
            if let offset {
                line = 1
                column = 1
                for character in yaml.prefix(offset) {
                    if character.isNewline {
                        line += 1
                        column = 1
                    } else {
                        column += character.unicodeScalars.count
                    }
                }
            }
            return SourceError(file: "", line: line, column: column, path: "", message: "invalid YAML: \(problem)")
        default:
            return SourceError(file: "", line: 0, column: 0, path: "", message: "invalid YAML: \(error)")
        }
    }

    /// The duplicate of `key` whose first occurrence is at `mark`: found in `root` (composed
    /// with that first occurrence renamed), reported at the second occurrence with its path.
    private static func duplicateKeyError(_ key: String, at mark: Mark, in root: Node?) -> SourceError {
        func search(_ node: YNode) -> SourceError? {
            switch node.node {
            case .mapping(let mapping):
                let pairs = Array(mapping)
                if let renamed = pairs.firstIndex(where: { $0.key.mark?.line == mark.line && $0.key.mark?.column == mark.column }) {
                    if let second = pairs[(renamed + 1)...].first(where: { $0.key.scalar?.string == key }) {
                        return node.child(key, second.key).error("duplicate key (first at line \(mark.line), column \(mark.column))")
                    }
                }
                for (keyNode, value) in pairs {
                    if let found = search(node.child(keyNode.scalar?.string ?? "?", value)) { return found }
                }
            case .sequence(let sequence):
                for (index, element) in sequence.enumerated() {
                    if let found = search(node.element(index, element)) { return found }
                }
            case .scalar, .alias:
                break
            }
            return nil
        }
        if let root, let found = search(YNode(root, path: "")) { return found }
        return SourceError(file: "", line: mark.line, column: mark.column, path: "", message: "duplicate key \(quoted(key))")
    }

    /// `text` with the key at `mark` (plain or quoted) replaced by as many private-use characters,
    /// so that no position in the text moves. nil when the text there is not the key.
    private static func renaming(_ key: String, at mark: Mark, in text: String) -> String? {
        var scalars = Array(text.unicodeScalars)
        var line = 1, column = 1, index = 0
        while index < scalars.count, line < mark.line || column < mark.column {
            if line > mark.line { return nil }
            let scalar = scalars[index]
            index += 1
            if scalar == "\r", index < scalars.count, scalars[index] == "\n" { index += 1 }
            if scalar == "\n" || scalar == "\r" || scalar == "\u{85}" || scalar == "\u{2028}" || scalar == "\u{2029}" {
                if line == mark.line { return nil }
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        if index < scalars.count, scalars[index] == "\"" || scalars[index] == "'" { index += 1 }
        let keyScalars = Array(key.unicodeScalars)
        guard !keyScalars.isEmpty, index + keyScalars.count <= scalars.count,
              Array(scalars[index..<(index + keyScalars.count)]) == keyScalars
        else { return nil }
        scalars.replaceSubrange(index..<(index + keyScalars.count), with: Array(repeating: "\u{E000}", count: keyScalars.count))
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }
}
