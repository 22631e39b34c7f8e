import MonitorCore
import Strategy
import Testing
@testable import Ingest

/// Rows decoded by column (`EventBatch`): every cell as the event rules read it, a text met
/// again in its column taking its first cell's code, errors at the bad cell's line:column, and a
/// window fed batches (or parts of them) equal to one fed their events one at a time.
@Suite struct BatchDecodingTests {
    let strategy = ingestTestStrategy()

    func batch(_ text: String, _ rows: Range<Int>? = nil) throws -> EventBatch {
        let t = try CSVTable(file: "t.csv", bytes: Array(text.utf8))
        return try CSVEvents.RowRanges(t, schema: EventSchema(strategy: strategy), columns: strategy.columns).batch(rows ?? 0..<t.rowCount)
    }

    static let header = "id,pred,score,label,lat,x,c,g,bleu"

    @Test func textsMetAgainTakeTheirFirstCode() throws {
        let b = try batch("""
            \(Self.header)
            e0,1,0.5,1,0.01,1.5,a,g1,0.3
            e1,0,0.25,,0.02,,b,,
            e2,1,,0,,2,a,g1,
            e3,1.0,0.5,1,0.01,3,"a",g2,
            e4,yes,0.5,yes,0.01,nan,"q""x",g1,
            e5,0,0.5,1,0.01,4,"q""x",,
            e6,0,0.5,1,0.01,5,,"g,3",
            """)
        #expect(b.count == 7)
        // Quoted without doubled quotes: the same bytes, the same code; with them, a code each.
        #expect(b.categories == [["a", "b", "q\"x", "q\"x"]])
        #expect(b.codes == [0, 1, 0, 0, 2, 3, -1])
        #expect(b.groups == [["g1", "g2", "g,3"]])
        #expect(b.groupCodes == [0, -1, 0, 1, 0, -1, 2])
        // Classes as written (`1.0` stays `1.0`: the window spells classes).
        #expect(b.classes == ["1", "0", "1.0", "yes"])
        #expect(b.predictionCodes == [0, 1, 0, 2, 3, 1, 1])
        #expect(b.labelCodes == [0, -1, 1, 0, 3, 0, 0])
        #expect(b.numbers.map { $0.isNaN ? -1 : $0 } == [1.5, -1, 2, 3, -1, 4, 5])
        #expect(b.scores.map { $0.isNaN ? -1 : $0 } == [0.5, 0.25, -1, 0.5, 0.5, 0.5, 0.5])
        #expect(b.ids == ["e0", "e1", "e2", "e3", "e4", "e5", "e6"])
        #expect(b.metrics.map { $0.isNaN ? -1 : $0 } == [0.3, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1])
        #expect(b.event(4) == Event(
            id: "e4", features: [.missing, .string("q\"x")], attributes: ["g1"], prediction: .category("yes"), score: 0.5,
            label: .category("yes"), latency: 0.01, metrics: [nil, nil]))
        #expect(b.event(1) == Event(
            id: "e1", features: [.missing, .string("b")], attributes: [nil], prediction: .category("0"), score: 0.25,
            latency: 0.02, metrics: [nil, nil]))
    }

    /// Past the few texts compared one by one, texts are found by hash: 300 distinct values.
    @Test func manyDistinctTextsKeepTheirCodes() throws {
        var lines = [Self.header]
        for i in 0..<5000 { lines.append("e\(i),\(i % 2),0.5,1,0.01,1,v\((i * 7) % 300),g\(i % 11),") }
        let b = try batch(lines.joined(separator: "\n"), 1000..<4000)
        #expect(b.count == 3000)
        #expect(b.categories[0].count == 300)
        #expect(Set(b.categories[0]).count == 300)
        #expect(b.groups[0].count == 11)
        for j in 0..<b.count {
            let i = 1000 + j
            #expect(b.categories[0][Int(b.codes[j])] == "v\((i * 7) % 300)")
            #expect(b.groups[0][Int(b.groupCodes[j])] == "g\(i % 11)")
        }
    }

    /// A bad cell is reported at its line and column, also after cells of its column whose text
    /// was met before; of several bad cells in a row, the first in the checking order.
    @Test func badCellsSayWhere() throws {
        var lines = [Self.header]
        for i in 0..<20 { lines.append("e\(i),1,0.5,1,0.01,1,a,g,") }
        lines.append("e20,1,0.5,1,0.01,1,\(String(repeating: "z", count: 1025)),g,")
        #expect(throws: InputError(file: "t.csv", line: 22, column: 20, message: "column \"c\": \(EventRules.overlong(1025))")) {
            _ = try batch(lines.joined(separator: "\n"))
        }
        lines[21] = "e20,,2,1,0.01,1,a,g,"  // no prediction, a score out of range: the prediction is checked first
        #expect(throws: InputError(file: "t.csv", line: 22, column: 5, message: "column \"pred\": a prediction is required")) {
            _ = try batch(lines.joined(separator: "\n"))
        }
        lines[21] = "e20,1,0.5,1,0.01,1,a,g,x"
        #expect(throws: InputError(file: "t.csv", line: 22, column: 24, message: "column \"bleu\": expected a number, found \"x\"")) {
            _ = try batch(lines.joined(separator: "\n"))
        }
    }

    /// A window fed a file's batches in parts (as a replay feeds it) equals one fed the same
    /// events one at a time: codes, counts, dictionaries (capped at 4 distinct values) and events.
    @Test func aWindowFedBatchesEqualsOneFedTheirEvents() throws {
        var lines = [Self.header]
        for i in 0..<3000 {
            let c = i % 13 == 0 ? "" : "v\((i * 7) % (i < 1500 ? 6 : 40))"
            lines.append("e\(i),\(i % 3),0.\(i % 10),\(i % 4 == 0 ? "" : "\(i % 5)"),0.0\(i % 9),\(Double(i % 97) / 7),\(c),g\(i % 9),\(i % 2 == 0 ? "0.5" : "")")
        }
        let t = try CSVTable(file: "t.csv", bytes: Array(lines.joined(separator: "\n").utf8))
        let rows = try CSVEvents.RowRanges(t, schema: EventSchema(strategy: strategy), columns: strategy.columns)
        let layout = WindowLayout(
            capacity: 700, features: [.numerical(edges: [1, 5, 9], range: 0...10), .categorical(categories: ["v0", "v7"])],
            attributeCount: 1, numericOutcome: false, maxDistinct: 4, customMetricCount: 2)
        var byColumn = Window(layout: layout), byEvent = Window(layout: layout)
        for start in stride(from: 0, to: 3000, by: 512) {
            let b = try rows.batch(start..<min(3000, start + 512))
            var r = 0
            while r < b.count {
                let end = min(b.count, r + 1 + (r * 31) % 97)
                byColumn.append(b, rows: r..<end, defaultTimestamp: 1000)
                r = end
            }
            for e in b.events() { byEvent.append(e, defaultTimestamp: 1000) }
            #expect(byColumn.version == byEvent.version)
            #expect(byColumn.missingCounts == byEvent.missingCounts)
            #expect(byColumn.outOfRangeCounts == byEvent.outOfRangeCounts)
            #expect(byColumn.newCategoryCounts == byEvent.newCategoryCounts)
            #expect(byColumn.binCounts == byEvent.binCounts)
            #expect(byColumn.allBinTotals == byEvent.allBinTotals)
            #expect(byColumn.categories == byEvent.categories)
            #expect(byColumn.groups == byEvent.groups)
            #expect(byColumn.classes == byEvent.classes)
            #expect(byColumn.predictionClassCodes == byEvent.predictionClassCodes)
            #expect(byColumn.labelClassCodes == byEvent.labelClassCodes)
            #expect(byColumn.attributeCodes(0) == byEvent.attributeCodes(0))
            #expect(byColumn.events() == byEvent.events())
        }
        #expect(byColumn.count == 700)
        #expect(byColumn.newCategoryCounts[1] > 0)
    }
}
