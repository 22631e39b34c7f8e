import MonitorCore
import Strategy
import Testing
@testable import Ingest

/// The CSV scanned in concurrent segments gives what one scan gives: the same rows, lines,
/// cells and the same first error at the same file:line:column, whatever the cut points.
@Suite struct ConcurrentCSVTests {
    /// Every way of reading `text`: one scan, and 2…8 segments of at least 1…40 bytes.
    private func readings(_ text: String) -> [(String, Result<CSVTable, InputError>)] {
        var out: [(String, Result<CSVTable, InputError>)] = []
        out.append(("one scan", Result { () throws(InputError) in try CSVTable(file: "t.csv", bytes: Array(text.utf8)) }))
        for p in 2...8 {
            for m in [1, 7, 40] {
                out.append(("\(p) segments ≥ \(m) bytes", Result { () throws(InputError) in
                    try CSVTable(file: "t.csv", bytes: Array(text.utf8), parallelism: p, minimumSegment: m)
                }))
            }
        }
        return out
    }

    private func cells(_ t: CSVTable) -> [[String]] {
        (0..<t.rowCount).map { r in (0..<t.header.count).map { t.string(row: r, column: $0) } + ["line \(t.line(ofRow: r))"] }
    }

    /// Every reading gives what one scan gives; with `rowCount`, one scan must succeed with that
    /// many rows (two readings that fail alike would agree too).
    private func expectSame(_ text: String, rowCount: Int? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        let all = readings(text)
        let (_, first) = all[0]
        if let rowCount {
            switch first {
            case .success(let t): #expect(t.rowCount == rowCount && t.header == ["a", "b", "c"], "one scan", sourceLocation: sourceLocation)
            case .failure(let e): Issue.record("one scan refused a well-formed file: \(e)", sourceLocation: sourceLocation)
            }
        }
        for (name, other) in all.dropFirst() {
            switch (first, other) {
            case (.success(let a), .success(let b)):
                #expect(a.header == b.header, "\(name)", sourceLocation: sourceLocation)
                #expect(cells(a) == cells(b), "\(name)", sourceLocation: sourceLocation)
            case (.failure(let a), .failure(let b)):
                #expect(a == b, "\(name)", sourceLocation: sourceLocation)
            default:
                Issue.record("\(name): \(other) where one scan gives \(first)", sourceLocation: sourceLocation)
            }
        }
    }

    private let rows = (0..<60).map { i in
        i % 7 == 3 ? "\(i),\"quoted, with a comma\",\(i * 2)" :
            i % 11 == 5 ? "\(i),\"two\nlines \"\"q\"\"\",\(i)" :
            i % 13 == 0 ? "" : "\(i),plain,\(Double(i) / 3)"
    }

    /// 60 rows, 4 of them blank (skipped).
    private var rowCount: Int { rows.filter { !$0.isEmpty }.count }

    @Test func wellFormedFilesWithQuotedLineBreaks() {
        #expect(rowCount == 56)
        expectSame("a,b,c\n" + rows.joined(separator: "\n") + "\n", rowCount: rowCount)
        expectSame("a,b,c\r\n" + rows.joined(separator: "\r\n"), rowCount: rowCount)  // CRLF, no final line break
        expectSame("\u{FEFF}a,b,c\n" + rows.joined(separator: "\n") + "\n\n", rowCount: rowCount)
    }

    @Test func aQuoteInsideAnUnquotedFieldDoesNotMoveTheRows() {
        // A stray quote in a plain field flips the quote count: a cut chosen by counting quotes
        // is checked against where the previous segment really ends.
        var r = rows
        r[10] = "10,ab\"c,1"
        r[30] = "30,\"x\ny\",\"\""
        expectSame("a,b,c\n" + r.joined(separator: "\n") + "\n", rowCount: rowCount)
    }

    @Test(arguments: [
        (45, "45,\"never closed,1"),        // unterminated quoted field, to the end of the file
        (40, "40,\"a\"b,1"),                 // a character after a closing quote
        (50, "50,too,many,fields"),          // ragged row
        (20, "20,\"x\ny\"z,1"),              // after a closing quote, on the field's second line
    ])
    func theFirstErrorIsTheOneOfOneScan(at: Int, row: String) {
        var r = rows
        r[at] = row
        r[55] = "55,ragged"  // a later error too: never the one reported
        expectSame("a,b,c\n" + r.joined(separator: "\n") + "\n")
        // And the error names the line it is on.
        if case .failure(let e) = readings("a,b,c\n" + r.joined(separator: "\n") + "\n")[5].1 {
            #expect(e.file == "t.csv")
            #expect(e.line >= at + 2)
        } else {
            Issue.record("no error")
        }
    }

    /// Rows without a quote are counted by their commas, rows with one field by field: the same
    /// file with the first field of every non-blank line quoted (the same cells) must give the
    /// same rows, lines and first error. Lines end in LF or CRLF, hold CRs that are data, blank
    /// lines (also a lone CR) and fields longer than a word, and the last may lack its line break.
    @Test(arguments: 0..<40)
    func rowsCountedByCommasAreTheRowsScannedFieldByField(seed: Int) {
        var random = NumberRoundingTests.Random(state: UInt64(seed) &+ 7)
        let pieces = ["", "x", "12345678901", "a\rb", "0.43260617689379677", "self_employed", "-", "+1"]
        var plain: [String] = [], quoted: [String] = []
        for _ in 0..<random.next(in: 1...40) {
            let kind = random.next(in: 0...19)
            if kind == 0 { plain.append(""); quoted.append(""); continue }  // blank
            if kind == 1 { plain.append("\r"); quoted.append("\r"); continue }  // blank, CR before LF
            let count = kind == 2 ? random.next(in: 1...5) : 3  // now and then a ragged row
            let fields = (0..<count).map { _ in pieces[random.next(in: 0...(pieces.count - 1))] }
            plain.append(fields.joined(separator: ","))
            quoted.append((["\"" + fields[0] + "\""] + fields.dropFirst()).joined(separator: ","))
        }
        let crlf = random.next(in: 0...1) == 1, last = random.next(in: 0...1) == 1
        func file(_ lines: [String]) -> [UInt8] {
            Array(("a,b,c" + (crlf ? "\r\n" : "\n") + lines.joined(separator: crlf ? "\r\n" : "\n") + (last ? "\n" : "")).utf8)
        }
        let byCommas = Result { () throws(InputError) in try CSVTable(file: "t.csv", bytes: file(plain)) }
        let byFields = Result { () throws(InputError) in try CSVTable(file: "t.csv", bytes: file(quoted)) }
        switch (byCommas, byFields) {
        case (.success(let a), .success(let b)): #expect(cells(a) == cells(b))
        case (.failure(let a), .failure(let b)): #expect(a == b)
        default: Issue.record("\(byCommas) where the quoted file gives \(byFields)")
        }
    }

    @Test func eventsReadInChunksAreTheSequentialEvents() throws {
        let strategy = ingestTestStrategy()
        var lines = ["id,pred,score,label,lat,x,c,g"]
        for i in 0..<5000 { lines.append("e\(i),\(i % 2),0.\(i % 10),\(i % 3 == 0 ? "" : "\(i % 2)"),0.0\(i % 9),\(Double(i % 97) / 7),\(["a", "b", "\"q,\"\"x\"\"\""][i % 3]),g\(i % 4)") }
        let text = lines.joined(separator: "\n")
        let one = try CSVTable(file: "t.csv", bytes: Array(text.utf8))
        let many = try CSVTable(file: "t.csv", bytes: Array(text.utf8), parallelism: 4, minimumSegment: 100)
        let schema = EventSchema(strategy: strategy)
        let sequential = try CSVEvents.read(one, schema: schema, columns: strategy.columns)
        let rows = try CSVEvents.RowRanges(many, schema: schema, columns: strategy.columns)
        var chunked: [Event] = []
        for start in stride(from: 0, to: 5000, by: 300) { chunked += try rows.batch(start..<min(5000, start + 300)).events() }
        #expect(sequential.count == 5000)
        #expect(chunked == sequential)
        #expect(try CSVEvents.read(many, schema: schema, columns: strategy.columns) == sequential)
    }

    @Test func aBadRowIsTheErrorOfEveryRangeThatHoldsIt() throws {
        let strategy = ingestTestStrategy()
        var lines = ["id,pred,score,label,lat,x,c,g"]
        for i in 0..<3000 { lines.append("e\(i),1,0.5,1,0.01,\(i == 2100 ? "oops" : "1"),a,g") }
        lines[2900] = "e2899,1,0.5,1,0.01,also bad,a,g"
        let t = try CSVTable(file: "t.csv", bytes: Array(lines.joined(separator: "\n").utf8), parallelism: 3, minimumSegment: 100)
        let schema = EventSchema(strategy: strategy)
        let rows = try CSVEvents.RowRanges(t, schema: schema, columns: strategy.columns)
        #expect(try rows.batch(0..<2048).count == 2048)
        let first = InputError(file: "t.csv", line: 2102, column: 20, message: "column \"x\": expected a number, found \"oops\"")
        #expect(throws: first) { try rows.batch(2048..<3000) }
        #expect(throws: first) { try CSVEvents.read(t, schema: schema, columns: strategy.columns) }
        #expect(throws: InputError(file: "t.csv", line: 2901, column: 20, message: "column \"x\": expected a number, found \"also bad\"")) {
            try rows.batch(2101..<3000)
        }
    }
}
