// A small JSON reader on bytes for event bodies. Values keep the byte range of numbers so a
// class written as a number (`"prediction": 1`) keeps its exact text ("1"), and objects keep
// their key order. Depth and size are bounded by the caller's body limit and `maxDepth`.
//
// Speed (bench/run, item 3): the enum is not `indirect` (arrays already give the recursion its
// indirection, so no value is boxed), and members of objects and arrays being read are kept on
// one reusable stack, so each object or array allocates once, at its exact size.

package enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The value and the number's text as written.
    case number(Double, String)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    package static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case (.bool(let x), .bool(let y)): x == y
        case (.number(let x, _), .number(let y, _)): x == y
        case (.string(let x), .string(let y)): x == y
        case (.array(let x), .array(let y)): x == y
        case (.object(let x), .object(let y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    package var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// A JSON syntax error at a byte offset, with line and column (1-based).
package struct JSONSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    package var offset: Int
    package var line: Int
    package var column: Int
    package var message: String
    package var description: String { "\(line):\(column): \(message)" }
}

package struct JSONReader {
    package static let maxDepth = 64

    private let b: UnsafeBufferPointer<UInt8>
    private var i: Int
    private var end: Int
    /// Members of the objects being read (innermost last); each object takes its slice at the end.
    private var members: [(String, JSONValue)] = []
    /// Items of the arrays being read.
    private var items: [JSONValue] = []

    /// Parses exactly one JSON value in `range` (surrounding white space allowed).
    package static func parse(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) throws(JSONSyntaxError) -> JSONValue {
        var r = JSONReader(bytes)
        return try r.parse(range)
    }

    /// A reader over `bytes` for parsing several values (e.g. the lines of an NDJSON body) with
    /// one set of scratch buffers.
    package init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.init(b: bytes, i: 0, end: bytes.count)
    }

    /// Parses exactly one JSON value in `range` of this reader's bytes.
    package mutating func parse(_ range: Range<Int>) throws(JSONSyntaxError) -> JSONValue {
        i = range.lowerBound
        end = range.upperBound
        members.removeAll(keepingCapacity: true)
        items.removeAll(keepingCapacity: true)
        skipSpace()
        let v = try value(depth: 0)
        skipSpace()
        guard i == end else { throw error("unexpected \(describeHere()) after the value") }
        return v
    }

    package static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        return try bytes.withUnsafeBufferPointer { p throws(JSONSyntaxError) -> JSONValue in try parse(p, 0..<p.count) }
    }

    private init(b: UnsafeBufferPointer<UInt8>, i: Int, end: Int) {
        self.b = b
        self.i = i
        self.end = end
    }

    private func error(_ message: String) -> JSONSyntaxError {
        var line = 1
        var lineStart = 0
        var k = 0
        while k < i && k < b.count {
            if b[k] == 0x0A { line += 1; lineStart = k + 1 }
            k += 1
        }
        return JSONSyntaxError(offset: i, line: line, column: i - lineStart + 1, message: message)
    }

    private func describeHere() -> String {
        guard i < end else { return "end of input" }
        let c = b[i]
        if c >= 0x20 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
        return "byte 0x\(String(c, radix: 16))"
    }

    @inline(__always)
    private mutating func skipSpace() {
        while i < end {
            let c = b[i]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { i += 1 } else { break }
        }
    }

    private mutating func value(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth < Self.maxDepth else { throw error("nested deeper than \(Self.maxDepth) levels") }
        guard i < end else { throw error("unexpected end of input, expected a value") }
        switch b[i] {
        case UInt8(ascii: "{"):
            i += 1
            skipSpace()
            if i < end && b[i] == UInt8(ascii: "}") { i += 1; return .object([]) }
            let base = members.count
            while true {
                skipSpace()
                guard i < end, b[i] == UInt8(ascii: "\"") else { throw error("expected a key string, found \(describeHere())") }
                let key = try string()
                skipSpace()
                guard i < end, b[i] == UInt8(ascii: ":") else { throw error("expected ':' after a key, found \(describeHere())") }
                i += 1
                skipSpace()
                let v = try value(depth: depth + 1)
                members.append((key, v))
                skipSpace()
                guard i < end else { throw error("unexpected end of input in an object") }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "}") {
                    i += 1
                    let object = Array(members[base...])
                    members.removeSubrange(base...)
                    return .object(object)
                }
                throw error("expected ',' or '}' in an object, found \(describeHere())")
            }
        case UInt8(ascii: "["):
            i += 1
            skipSpace()
            if i < end && b[i] == UInt8(ascii: "]") { i += 1; return .array([]) }
            let base = items.count
            while true {
                skipSpace()
                let v = try value(depth: depth + 1)
                items.append(v)
                skipSpace()
                guard i < end else { throw error("unexpected end of input in an array") }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "]") {
                    i += 1
                    let array = Array(items[base...])
                    items.removeSubrange(base...)
                    return .array(array)
                }
                throw error("expected ',' or ']' in an array, found \(describeHere())")
            }
        case UInt8(ascii: "\""):
            return .string(try string())
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try number()
        default:
            throw error("unexpected \(describeHere()), expected a value")
        }
    }

    private mutating func literal(_ word: StaticString) throws(JSONSyntaxError) {
        let n = word.utf8CodeUnitCount
        guard i + n <= end else { throw error("invalid literal") }
        let p = word.utf8Start
        for k in 0..<n where b[i + k] != p[k] { throw error("invalid literal") }
        i += n
    }

    private mutating func number() throws(JSONSyntaxError) -> JSONValue {
        let start = i
        let scan = NumberParser.scanJSON(b, start, end)
        i = scan.end
        if let problem = scan.problem { throw error(problem) }
        guard let v = NumberParser.parse(b, start..<i), v.isFinite else {
            i = start
            throw error("number out of range")
        }
        return .number(v, String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self))
    }

    private mutating func string() throws(JSONSyntaxError) -> String {
        i += 1  // opening quote
        let start = i
        // Fast path: no escapes. ASCII needs no validation (`String(validating:)` is generic and
        // not specialised here: it costs a runtime metadata lookup per call).
        var ascii = true
        while i < end {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                let bytes = UnsafeBufferPointer(rebasing: b[start..<i])
                let s = ascii ? String(decoding: bytes, as: UTF8.self) : String(validating: bytes, as: UTF8.self)
                guard let s else { throw error("invalid UTF-8 in a string") }
                i += 1
                return s
            }
            if c >= 0x80 { ascii = false }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw error("control character in a string") }
            i += 1
        }
        var out: [UInt8] = Array(UnsafeBufferPointer(rebasing: b[start..<i]))
        while i < end {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                guard let s = String(validating: out, as: UTF8.self) else { throw error("invalid UTF-8 in a string") }
                return s
            }
            if c < 0x20 { throw error("control character in a string") }
            if c != UInt8(ascii: "\\") { out.append(c); i += 1; continue }
            i += 1
            guard i < end else { break }
            switch b[i] {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    guard i + 2 < end, b[i + 1] == UInt8(ascii: "\\"), b[i + 2] == UInt8(ascii: "u") else {
                        throw error("unpaired surrogate in \\u escape")
                    }
                    i += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw error("invalid surrogate pair") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let u = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
                out.append(contentsOf: Array(String(Character(u)).utf8))
            default:
                throw error("invalid escape \\\(Character(Unicode.Scalar(b[i])))")
            }
            i += 1
        }
        throw error("unterminated string")
    }

    /// Reads the 4 hex digits after `\u` (i at 'u'); leaves i at the last digit.
    private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        guard i + 4 < end else { throw error("invalid \\u escape") }
        var v: UInt32 = 0
        for k in 1...4 {
            let c = b[i + k]
            let d: UInt8
            switch c {
            case 48...57: d = c - 48
            case 65...70: d = c - 55
            case 97...102: d = c - 87
            default: throw error("invalid \\u escape")
            }
            v = v << 4 | UInt32(d)
        }
        i += 4
        return v
    }
}
