#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FileIO

// A CSV reader that works on bytes: one pass finds the fields (RFC 4180 quoting, LF or CRLF),
// remembering where each row starts so every error can name file:line:column. Fields are
// byte ranges; only the cells that are strings become Strings.

/// A position-carrying input error: `file:line:column: message`.
package struct InputError: Error, CustomStringConvertible, Equatable, Sendable {
    package var file: String
    package var line: Int
    package var column: Int
    package var message: String

    package init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    package var description: String { "\(file):\(line):\(column): \(message)" }
}

/// A parsed CSV file: a header and rows of fields, each field a byte range of `bytes`.
///
/// Parsing checks the whole file (quoting, field counts) and keeps only where each row starts
/// (12 bytes a row); a row's fields are found again when it is read, by the same scanner. The
/// earlier version kept two offsets per field: 26 MB for a 100,000 × 30 file, more than the
/// window it feeds (bench/run, item 1: peak RSS of `evaluate`).
package struct CSVTable: Sendable {
    package let file: String
    /// The file's bytes, kept in place (mapped, or a copy) as long as the table.
    private let storage: MappedFile
    var bytes: UnsafeBufferPointer<UInt8> { storage.bytes }
    package private(set) var header: [String] = []
    /// Line (1-based) of each data row.
    private var rowLines: [Int32] = []
    /// Byte offset of each data row's first byte.
    private var rowOffsets: [Int32] = []
    package var rowCount: Int { rowLines.count }

    /// Parses `bytes` (a copy is kept). Every row must have as many fields as the header.
    package init(file: String, bytes: [UInt8], parallelism: Int = 1, minimumSegment: Int = 1 << 20) throws(InputError) {
        try self.init(file: file, mapped: MappedFile(copying: bytes), parallelism: parallelism, minimumSegment: minimumSegment)
    }

    /// Parses a file's bytes in memory. Every row must have as many fields as the header. With
    /// `parallelism` above 1, a large file's rows are found by that many concurrent scans (the
    /// same rows, lines and errors as one scan).
    /// `minimumSegment`: below this many bytes a segment is not worth a task of its own.
    package init(file: String, mapped: MappedFile, parallelism: Int = 1, minimumSegment: Int = 1 << 20) throws(InputError) {
        self.file = file
        storage = mapped
        guard bytes.count < Int(Int32.max) else {
            throw InputError(file: file, line: 0, column: 0, message: "file larger than 2 GiB")
        }
        try parse(parallelism: parallelism, minimumSegment: max(1, minimumSegment))
    }

    /// One field starting at `i`: its content range (inside the quotes when quoted), whether it
    /// holds doubled quotes, where the scan stopped (at the separator, line break or end), the
    /// line breaks inside it, and an error (message, offset) if the field is malformed.
    struct Field {
        var start: Int
        var end: Int
        var doubled: Bool
        var next: Int
        var newlines: Int
        /// 0: none; 1: unterminated quoted field (at `start - 1`); 2: a character after the
        /// closing quote (at `next`). A plain enum, so copying a field retains nothing.
        var error: UInt8 = 0
    }

    @inline(__always)
    static func scanField(_ b: UnsafeBufferPointer<UInt8>, _ from: Int) -> Field {
        let n = b.count
        var i = from
        if i < n && b[i] == UInt8(ascii: "\"") {
            let open = i
            i += 1
            let s = i
            var doubled = false
            var newlines = 0
            while true {
                guard i < n else {
                    return Field(start: open + 1, end: i, doubled: doubled, next: i, newlines: newlines, error: 1)
                }
                let c = b[i]
                if c == UInt8(ascii: "\"") {
                    if i + 1 < n && b[i + 1] == UInt8(ascii: "\"") { doubled = true; i += 2; continue }
                    break
                }
                if c == 0x0A { newlines += 1 }
                i += 1
            }
            let e = i
            i += 1  // closing quote
            // A separator, a line break (LF or CRLF) or the end must follow; a CR alone is not a
            // line break (as in an unquoted field, where it is data).
            let lineBreak = i < n && (b[i] == 0x0A || (b[i] == 0x0D && (i + 1 == n || b[i + 1] == 0x0A)))
            if i < n && b[i] != UInt8(ascii: ",") && !lineBreak {
                return Field(start: s, end: e, doubled: doubled, next: i, newlines: newlines, error: 2)
            }
            return Field(start: s, end: e, doubled: doubled, next: i, newlines: newlines)
        }
        let raw = UnsafeRawPointer(b.baseAddress)
        while i < n {
            // Separators and line breaks are all below 0x2D: skip eight bytes at a time to the
            // first byte below it. `x - 0x2D…` borrows out of a byte's high bit when the byte is
            // below 0x2D (bytes from 0x80 are masked out by `~x`); borrows only run upward, so the
            // lowest flagged byte (the first in memory) is exact, later ones may not be.
            if i + 8 <= n, let raw {
                let x = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                let below = (x &- 0x2D2D_2D2D_2D2D_2D2D) & ~x & 0x8080_8080_8080_8080
                if below == 0 { i += 8; continue }
                i += below.trailingZeroBitCount >> 3
            }
            let c = b[i]
            // One test for the common byte: separators and line breaks are all below 0x2D.
            if c > UInt8(ascii: ",") { i += 1; continue }
            if c == UInt8(ascii: ",") || c == 0x0A { break }
            if c == 0x0D && (i + 1 == n || b[i + 1] == 0x0A) { break }
            i += 1
        }
        return Field(start: from, end: i, doubled: false, next: i, newlines: 0)
    }

    /// Rows found by one scan: from a row start up to the first row start at or after a bound.
    /// Lines count from 1 at the scan's start.
    struct Segment {
        var rowLines: [Int32] = []
        var rowOffsets: [Int32] = []
        /// Where the scan stopped: a row start, or the end of the bytes.
        var end = 0
        /// The line the scan stopped on.
        var line = 1
        var error: InputError?
    }

    /// Scans rows from `from` (a row start) until the first row start at or after `to`, or the
    /// end. The header row is read into `header` when `isHeader`; otherwise rows are checked
    /// against `fieldCount` and recorded.
    static func scanRows(
        _ b: UnsafeBufferPointer<UInt8>, file: String, from: Int, to: Int, isHeader: Bool, header: inout [String], fieldCount: Int
    ) -> Segment {
        let n = b.count
        var out = Segment()
        // A row never starts at the end of the bytes (a final line break ends the last row).
        guard isHeader || from < n else {
            out.end = n
            return out
        }
        var i = from
        var line = 1
        var isHeader = isHeader
        var rowFields = 0
        var rowStart = i
        var rowLine = 1
        var lastEmpty = false  // the row's last field was empty
        var fieldCount = fieldCount
        out.rowLines.reserveCapacity((to - from) / 256)
        out.rowOffsets.reserveCapacity((to - from) / 256)

        func fail(_ msg: String, _ at: Int, _ ln: Int) -> InputError {
            var j = at
            while j > 0 && b[j - 1] != 0x0A { j -= 1 }
            return InputError(file: file, line: ln, column: at - j + 1, message: msg)
        }

        // The next quote character at or after `i` (`n`: none): a row before it has no quoted
        // field, so its fields are counted by its commas without scanning field by field.
        var nextQuote = -1
        while i <= n {
            if !isHeader && rowFields == 0 {
                if nextQuote < i { nextQuote = find(UInt8(ascii: "\""), in: b, from: i) }
                let lineEnd = find(0x0A, in: b, from: i)
                if nextQuote >= n || lineEnd < nextQuote {
                    // A row with no quote: its fields are its commas plus one. A CR before its line
                    // break (or at the end) ends the row; elsewhere a CR is data.
                    let commas = count(UInt8(ascii: ","), in: b, i..<lineEnd)
                    let blank = commas == 0 && (lineEnd == i || (lineEnd - i == 1 && b[i] == 0x0D))
                    if !(blank && fieldCount > 1) {
                        if commas + 1 != fieldCount {
                            out.error = InputError(file: file, line: rowLine, column: 1, message: "row has \(commas + 1) fields, the header has \(fieldCount)")
                            return out
                        }
                        out.rowLines.append(Int32(rowLine))
                        out.rowOffsets.append(Int32(rowStart))
                    }
                    if lineEnd >= n {
                        i = n
                        break
                    }
                    i = lineEnd + 1
                    line += 1
                    rowLine = line
                    rowStart = i
                    if i >= to { break }
                    continue
                }
            }
            let f = scanField(b, i)
            if f.error == 1 {
                // Reported at the opening quote, on the line it opened.
                out.error = fail("unterminated quoted field", f.start - 1, line)
                return out
            }
            if f.error == 2 {
                out.error = fail("unexpected character after a closing quote", f.next, line + f.newlines)
                return out
            }
            line += f.newlines
            i = f.next
            if isHeader {
                header.append(text(b, f))
            }
            lastEmpty = f.start == f.end
            rowFields += 1
            // Separator or end of row.
            if i < n && b[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            if i < n && b[i] == 0x0D { i += 1 }
            let atEnd = i >= n
            if isHeader {
                isHeader = false
                fieldCount = header.count
            } else if rowFields == 1 && lastEmpty && fieldCount > 1 {
                // A blank line: not a row.
            } else {
                if rowFields != fieldCount {
                    out.error = InputError(file: file, line: rowLine, column: 1, message: "row has \(rowFields) fields, the header has \(fieldCount)")
                    return out
                }
                out.rowLines.append(Int32(rowLine))
                out.rowOffsets.append(Int32(rowStart))
            }
            if atEnd { break }
            i += 1  // newline
            line += 1
            rowLine = line
            rowStart = i
            rowFields = 0
            if i >= to { break }
        }
        out.end = min(i, n)
        out.line = line
        return out
    }

    /// Parses the header, then the data rows in `parallelism` segments scanned concurrently.
    /// Segments start after a line break outside quotes (an even number of quote characters
    /// before it, RFC 4180); each segment's scan must stop exactly where the next one starts, or
    /// the whole file is scanned again in one pass, so rows, lines and errors are always those
    /// of a single scan from the start.
    private mutating func parse(parallelism: Int, minimumSegment: Int) throws(InputError) {
        let file = self.file
        let b = bytes
        let result = { () -> Result<([String], [Int32], [Int32]), InputError> in
            let n = b.count
            var i = 0
            // Skip a UTF-8 byte order mark.
            if n >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { i = 3 }
            var header: [String] = []
            let head = Self.scanRows(b, file: file, from: i, to: i + 1, isHeader: true, header: &header, fieldCount: 0)
            if let e = head.error { return .failure(e) }
            let segments = Self.segments(b, from: head.end, parallelism: parallelism, minimumSegment: minimumSegment)
            var parts = Parallel.map(segments.count) { k in
                var unused: [String] = []
                return Self.scanRows(b, file: file, from: segments[k].lowerBound, to: segments[k].upperBound, isHeader: false,
                                     header: &unused, fieldCount: header.count)
            }
            if parts.count > 1, zip(parts, segments.dropFirst()).contains(where: { $0.error == nil && $0.end != $1.lowerBound }) {
                var unused: [String] = []
                parts = [Self.scanRows(b, file: file, from: head.end, to: n, isHeader: false, header: &unused, fieldCount: header.count)]
            }
            var rowLines: [Int32] = []
            var rowOffsets: [Int32] = []
            rowLines.reserveCapacity(parts.reduce(0) { $0 + $1.rowLines.count })
            rowOffsets.reserveCapacity(rowLines.capacity)
            var line = head.line  // the line the current segment starts on
            for p in parts {
                if var e = p.error {
                    e.line += line - 1
                    return .failure(e)
                }
                let shift = Int32(line - 1)
                rowLines.append(contentsOf: p.rowLines.lazy.map { $0 + shift })
                rowOffsets.append(contentsOf: p.rowOffsets)
                line += p.line - 1
            }
            return .success((header, rowLines, rowOffsets))
        }()
        switch result {
        case .failure(let e): throw e
        case .success(let (h, lines, offsets)):
            header = h
            rowLines = lines
            rowOffsets = offsets
        }
        if header.isEmpty || (header.count == 1 && header[0].isEmpty) {
            throw InputError(file: file, line: 1, column: 1, message: "empty file: expected a header row")
        }
    }

    /// Splits `b[from...]` into up to `parallelism` ranges of about equal size, each starting
    /// after a line break preceded by an even number of quote characters. The quotes are
    /// counted concurrently, one stretch per range.
    static func segments(_ b: UnsafeBufferPointer<UInt8>, from: Int, parallelism: Int, minimumSegment: Int) -> [Range<Int>] {
        let n = b.count
        let k = max(1, min(parallelism, (n - from) / minimumSegment))
        guard k > 1 else { return [from..<n] }
        let cuts = (0...k).map { from + (n - from) * $0 / k }
        let quotes = Parallel.map(k) { j in count(UInt8(ascii: "\""), in: UnsafeBufferPointer(rebasing: b[cuts[j]..<cuts[j + 1]])) }
        var starts = [from]
        var before = 0
        for j in 1..<k {
            before += quotes[j - 1]
            var odd = before % 2 == 1
            var x = cuts[j]
            while x < n {
                let c = b[x]
                x += 1
                if c == UInt8(ascii: "\"") { odd.toggle() } else if c == 0x0A && !odd { break }
            }
            if x > starts.last! && x < n { starts.append(x) }
        }
        return (0..<starts.count).map { starts[$0]..<($0 + 1 < starts.count ? starts[$0 + 1] : n) }
    }

    /// How many times `byte` occurs in `b`: memchr from one occurrence to the next, tens of
    /// times faster than a loop over every byte when the byte is rare (quotes in a CSV of numbers).
    static func count(_ byte: UInt8, in b: UnsafeBufferPointer<UInt8>) -> Int {
        guard let base = b.baseAddress else { return 0 }
        let end = UnsafeRawPointer(base + b.count)
        var p = UnsafeRawPointer(base)
        var c = 0
        while p < end, let found = memchr(p, Int32(byte), end - p) {
            c += 1
            p = UnsafeRawPointer(found) + 1
        }
        return c
    }

    /// Where `byte` first occurs in `b` at or after `from`; `b.count` when it does not.
    @inline(__always)
    static func find(_ byte: UInt8, in b: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
        guard from < b.count, let base = b.baseAddress, let p = memchr(base + from, Int32(byte), b.count - from) else { return b.count }
        return UnsafeRawPointer(p) - UnsafeRawPointer(base)
    }

    /// How many times `byte` occurs in `b[range]`, eight bytes at a time: a byte equal to `byte`
    /// is a zero byte of the word XOR the byte repeated, whose high bit is set (exactly: the low
    /// seven bits of each byte are added apart from its high bit, so nothing carries between
    /// bytes); the high bits are summed by one multiplication (the baseline x86-64 build has no
    /// population count instruction).
    @inline(__always)
    static func count(_ byte: UInt8, in b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int {
        guard let base = b.baseAddress else { return 0 }
        let raw = UnsafeRawPointer(base)
        let ones: UInt64 = 0x0101_0101_0101_0101
        let pattern = ones &* UInt64(byte)
        let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        var i = range.lowerBound
        var c = 0
        while i + 8 <= range.upperBound {
            let t = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ pattern
            c += Int(truncatingIfNeeded: (((~(((t & low) &+ low) | t | low)) >> 7) &* ones) >> 56)
            i += 8
        }
        while i < range.upperBound {
            if b[i] == byte { c += 1 }
            i += 1
        }
        return c
    }

    /// A field's text (doubled quotes unescaped).
    static func text(_ b: UnsafeBufferPointer<UInt8>, _ f: Field) -> String {
        guard f.doubled else { return String(decoding: UnsafeBufferPointer(rebasing: b[f.start..<f.end]), as: UTF8.self) }
        var buf: [UInt8] = []
        var j = f.start
        while j < f.end {
            buf.append(b[j])
            j += b[j] == UInt8(ascii: "\"") ? 2 : 1
        }
        return String(decoding: buf, as: UTF8.self)
    }

    // MARK: - Rows

    /// The fields of one data row, found again from where the row starts (the file was checked
    /// when parsed, so this cannot fail).
    package struct Row {
        package let index: Int
        var fields: [Field]
    }

    /// Fills `row` with the fields of data row `index` (reuse one `Row` to read a whole file).
    package func read(row index: Int, into row: inout Row) {
        row = Row(index: index, fields: row.fields)
        row.fields.removeAll(keepingCapacity: true)
        let b = bytes
        var i = Int(rowOffsets[index])
        for k in 0..<header.count {
            let f = Self.scanField(b, i)
            row.fields.append(f)
            i = f.next + (k + 1 < header.count ? 1 : 0)  // past the comma
        }
    }

    package func row(_ index: Int) -> Row {
        var r = Row(index: index, fields: [])
        read(row: index, into: &r)
        return r
    }

    @inline(__always)
    package func isEmpty(_ row: Row, column: Int) -> Bool { row.fields[column].start == row.fields[column].end }

    package func string(_ row: Row, column: Int) -> String { string(row.fields[column]) }

    /// A number, nil for an empty cell or NaN; throws with the cell's position otherwise,
    /// infinities included (no statistic of the metric catalog is defined on them, as in JSON).
    package func number(_ row: Row, column: Int) throws(InputError) -> Double? {
        try number(row.fields[column], row: row.index, column: column)
    }

    /// An error positioned at a cell.
    package func error(_ row: Row, column: Int, _ message: String) -> InputError {
        error(row.fields[column], row: row.index, message)
    }

    // MARK: - Fields of a row read one after the other

    /// Where data row `index` starts: its first field.
    @inline(__always)
    func start(ofRow index: Int) -> Int { Int(rowOffsets[index]) }

    /// The field starting at `i` (a row's start, or just past a field's separator).
    @inline(__always)
    func field(at i: Int) -> Field { Self.scanField(bytes, i) }

    /// The field at `i` when it is a plain decimal (`NumberParser.csvDecimal`): its value and end.
    @inline(__always)
    func decimal(at i: Int) -> (value: Double, end: Int)? { NumberParser.csvDecimal(bytes, i) }

    /// A field's text.
    func string(_ f: Field) -> String { Self.text(bytes, f) }

    /// Field `f` of data row `row`, in column `column`, as a number: nil for an empty cell or
    /// NaN; throws with the cell's position otherwise, infinities included.
    @inline(__always)
    func number(_ f: Field, row: Int, column: Int) throws(InputError) -> Double? {
        if f.start == f.end { return nil }
        if let v = NumberParser.parse(bytes, f.start..<f.end) {
            if v.isNaN { return nil }
            if v.isFinite { return v }
            throw error(f, row: row, "column \"\(header[column])\": expected a finite number, found \"\(string(f))\"")
        }
        throw error(f, row: row, "column \"\(header[column])\": expected a number, found \"\(string(f))\"")
    }

    /// An error positioned at field `f` of data row `row`. Lines and columns count from the cell
    /// itself, so a cell after a quoted field that spans lines is placed where it really is.
    func error(_ f: Field, row: Int, _ message: String) -> InputError {
        var start = f.start
        if start > 0 && bytes[start - 1] == UInt8(ascii: "\"") { start -= 1 }
        var line = Int(rowLines[row])
        var lineStart = Int(rowOffsets[row])
        for k in lineStart..<start where bytes[k] == 0x0A {
            line += 1
            lineStart = k + 1
        }
        return InputError(file: file, line: line, column: start - lineStart + 1, message: message)
    }

    // MARK: - Cells by position (each call finds the row's fields again)

    /// The byte range of a field.
    package func range(row: Int, column: Int) -> Range<Int> {
        let f = self.row(row).fields[column]
        return f.start..<f.end
    }

    package func isEmpty(row: Int, column: Int) -> Bool { isEmpty(self.row(row), column: column) }

    package func string(row: Int, column: Int) -> String { string(self.row(row), column: column) }

    package func number(row: Int, column: Int) throws(InputError) -> Double? { try number(self.row(row), column: column) }

    package func error(row: Int, column: Int, _ message: String) -> InputError { error(self.row(row), column: column, message) }

    package func line(ofRow row: Int) -> Int { Int(rowLines[row]) }
}
