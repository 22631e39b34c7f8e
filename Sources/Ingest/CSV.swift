// A CSV reader that works on bytes: one pass finds the fields (RFC 4180 quoting, LF or CRLF),
// remembering where each row starts so every error can name file:line:column. Fields are
// byte ranges; only the cells that are strings become Strings.

/// A position-carrying input error: `file:line:column: message`.
public struct InputError: Error, CustomStringConvertible, Equatable, Sendable {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "\(file):\(line):\(column): \(message)" }
}

/// A parsed CSV file: a header and rows of fields, each field a byte range of `bytes`
/// (quoted fields with doubled quotes are unescaped into `unescaped`).
public struct CSVTable: Sendable {
    public let file: String
    public let bytes: [UInt8]
    public private(set) var header: [String] = []
    /// Field ranges, row-major; `fieldCount` per row.
    private var starts: [Int32] = []
    private var ends: [Int32] = []
    /// Line (1-based) of each data row.
    private var rowLines: [Int32] = []
    /// Byte offset of each data row's first byte (for columns).
    private var rowOffsets: [Int32] = []
    /// Quoted fields that contained doubled quotes, unescaped, by field index.
    private var unescaped: [Int: String] = [:]
    public var fieldCount: Int { header.count }
    public var rowCount: Int { rowLines.count }

    /// Parses `bytes`. Every row must have as many fields as the header.
    public init(file: String, bytes: [UInt8]) throws(InputError) {
        self.file = file
        self.bytes = bytes
        guard bytes.count < Int(Int32.max) else {
            throw InputError(file: file, line: 0, column: 0, message: "file larger than 2 GiB")
        }
        try parse()
    }

    private mutating func parse() throws(InputError) {
        let n = bytes.count
        var i = 0
        // Skip a UTF-8 byte order mark.
        if n >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3 }
        var line = 1
        var headerRanges: [(Int, Int)] = []
        var headerEscaped: [Int: String] = [:]
        var isHeader = true
        var rowFields = 0
        var rowStart = i
        var rowLine = 1
        starts.reserveCapacity(n / 6)
        ends.reserveCapacity(n / 6)

        func fail(_ msg: String, _ at: Int, _ ln: Int) -> InputError {
            var col = 1
            var j = at
            while j > 0 && bytes[j - 1] != 0x0A { j -= 1 }
            col = at - j + 1
            return InputError(file: file, line: ln, column: col, message: msg)
        }

        while i <= n {
            // One field.
            var s = i
            var e = i
            var escaped: String?
            if i < n && bytes[i] == UInt8(ascii: "\"") {
                let open = i
                let openLine = line
                i += 1
                s = i
                var hasDoubled = false
                while true {
                    guard i < n else { throw fail("unterminated quoted field", open, openLine) }
                    let b = bytes[i]
                    if b == UInt8(ascii: "\"") {
                        if i + 1 < n && bytes[i + 1] == UInt8(ascii: "\"") { hasDoubled = true; i += 2; continue }
                        break
                    }
                    if b == 0x0A { line += 1 }
                    i += 1
                }
                e = i
                i += 1  // closing quote
                if hasDoubled {
                    var buf: [UInt8] = []
                    var j = s
                    while j < e {
                        buf.append(bytes[j])
                        j += bytes[j] == UInt8(ascii: "\"") ? 2 : 1
                    }
                    escaped = String(decoding: buf, as: UTF8.self)
                }
                if i < n && bytes[i] != UInt8(ascii: ",") && bytes[i] != 0x0A && bytes[i] != 0x0D {
                    throw fail("unexpected character after a closing quote", i, line)
                }
            } else {
                while i < n {
                    let b = bytes[i]
                    if b == UInt8(ascii: ",") || b == 0x0A { break }
                    if b == 0x0D && (i + 1 == n || bytes[i + 1] == 0x0A) { break }
                    i += 1
                }
                e = i
            }
            if isHeader {
                if let x = escaped { headerEscaped[headerRanges.count] = x }
                headerRanges.append((s, e))
            } else {
                if let x = escaped { unescaped[starts.count] = x }
                starts.append(Int32(s))
                ends.append(Int32(e))
            }
            rowFields += 1
            // Separator or end of row.
            if i < n && bytes[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            if i < n && bytes[i] == 0x0D { i += 1 }
            let atEnd = i >= n
            if isHeader {
                header = headerRanges.enumerated().map { idx, r in
                    headerEscaped[idx] ?? String(decoding: bytes[r.0..<r.1], as: UTF8.self)
                }
                isHeader = false
            } else if rowFields == 1 && starts.last.map({ Int($0) }) == ends.last.map({ Int($0) }) && header.count > 1 {
                // A blank line: not a row.
                starts.removeLast()
                ends.removeLast()
            } else {
                if rowFields != header.count {
                    throw InputError(
                        file: file, line: rowLine, column: 1,
                        message: "row has \(rowFields) fields, the header has \(header.count)")
                }
                rowLines.append(Int32(rowLine))
                rowOffsets.append(Int32(rowStart))
            }
            if atEnd { break }
            i += 1  // newline
            line += 1
            rowLine = line
            rowStart = i
            rowFields = 0
            if i == n { break }
        }
        if header.isEmpty || (header.count == 1 && header[0].isEmpty) {
            throw InputError(file: file, line: 1, column: 1, message: "empty file: expected a header row")
        }
    }

    /// The byte range of a field.
    @inline(__always)
    public func range(row: Int, column: Int) -> Range<Int> {
        let k = row * header.count + column
        return Int(starts[k])..<Int(ends[k])
    }

    @inline(__always)
    public func isEmpty(row: Int, column: Int) -> Bool {
        let k = row * header.count + column
        return starts[k] == ends[k]
    }

    public func string(row: Int, column: Int) -> String {
        let k = row * header.count + column
        if let s = unescaped[k] { return s }
        return String(decoding: bytes[Int(starts[k])..<Int(ends[k])], as: UTF8.self)
    }

    /// A number, nil for an empty cell or NaN; throws with the cell's position otherwise.
    public func number(row: Int, column: Int) throws(InputError) -> Double? {
        let r = range(row: row, column: column)
        if r.isEmpty { return nil }
        if let v = bytes.withUnsafeBufferPointer({ NumberParser.parse($0, r) }) {
            return v.isNaN ? nil : v
        }
        throw error(row: row, column: column, "column \"\(header[column])\": expected a number, found \"\(string(row: row, column: column))\"")
    }

    /// An error positioned at a cell.
    public func error(row: Int, column: Int, _ message: String) -> InputError {
        let k = row * header.count + column
        var col = Int(starts[k]) - Int(rowOffsets[row]) + 1
        if col > 1 && bytes[Int(starts[k]) - 1] == UInt8(ascii: "\"") { col -= 1 }
        // A quoted field spanning lines: column counts from the start of the row.
        return InputError(file: file, line: Int(rowLines[row]), column: col, message: message)
    }

    public func line(ofRow row: Int) -> Int { Int(rowLines[row]) }
}
