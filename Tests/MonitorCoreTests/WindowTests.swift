import Testing
@testable import MonitorCore

@Suite struct WindowTests {
    let layout = WindowLayout(
        capacity: 3,
        features: [.numerical(edges: [1, 2], range: 0...2.5), .categorical(categories: ["a", "b"])],
        attributeCount: 1, numericOutcome: false, maxDistinct: 2)

    func event(_ x: Double?, _ c: String?, id: String, label: String? = nil, group: String? = "f") -> Event {
        Event(
            id: id, features: [x.map { .number($0) } ?? .missing, c.map { .string($0) } ?? .missing], attributes: [group],
            prediction: .category("1"), score: 0.5, label: label.map { .category($0) }, latency: 0.1)
    }

    @Test func countsFollowAppendAndEviction() {
        var w = Window(layout: layout)
        w.append(event(0.5, "a", id: "1"))
        w.append(event(nil, "z", id: "2", label: "1"))
        w.append(event(3, nil, id: "3"))
        #expect(w.count == 3)
        #expect(w.missingCounts == [1, 1])
        #expect(w.outOfRangeCounts == [1, 0])
        #expect(w.newCategoryCounts == [0, 1])
        #expect(w.binCounts == [[1, 0, 1], [1, 0]])
        #expect(w.labeledCount == 1)
        // Evicts event 1 and then event 2 (the labelled one).
        w.append(event(1.5, "b", id: "4"))
        w.append(event(2, "b", id: "5"))
        #expect(w.count == 3)
        #expect(w.appended == 5)
        #expect(w.missingCounts == [0, 1])
        #expect(w.outOfRangeCounts == [1, 0])
        #expect(w.newCategoryCounts == [0, 0])
        #expect(w.binCounts == [[0, 2, 1], [0, 2]])
        #expect(w.labeledCount == 0)
        #expect(w.presentValues(feature: 0).sorted() == [1.5, 2, 3])
    }

    @Test func labelsAttachOnlyToEventsStillInTheWindow() {
        var w = Window(layout: layout)
        for i in 1...4 { w.append(event(1, "a", id: "\(i)")) }
        let v = w.version
        #expect(!(w.attach(LabelUpdate(id: "1", label: .category("1"))) as Bool))
        #expect((w.attach(LabelUpdate(id: "2", label: .category("0"))) as Bool))
        #expect((w.attach(LabelUpdate(id: "2", label: .category("1"))) as Bool))  // a second label replaces the first
        #expect(!(w.attach(LabelUpdate(id: "nope", label: .category("1"))) as Bool))
        #expect(w.labeledCount == 1)
        #expect(w.version == v + 2)
        #expect(w.classes.value(of: w.labelClassCodes[1]) == "1")
    }

    @Test func aLabelSaysWhatItMatched() {
        var w = Window(layout: layout)
        for i in 1...2 { w.append(event(1, "a", id: "\(i)"), defaultTimestamp: Double(i)) }
        #expect(w.label(LabelUpdate(id: "nope", label: .category("1"))) == .unknown)
        w.append(event(1, "a", id: "3"), defaultTimestamp: 3)
        w.append(event(1, "a", id: "4"), defaultTimestamp: 4)
        // The window holds 2..4 (capacity 3): "1" was indexed before it left, so it expired.
        #expect(w.label(LabelUpdate(id: "1", label: .category("1"))) == .expired)
        #expect(w.label(LabelUpdate(id: "3", label: .category("0"))) == .attached(prediction: .category(w.classes.values[Int(w.predictionClassCodes[2])]), timestamp: 3, replaced: false))
        guard case .attached(_, _, replaced: true) = w.label(LabelUpdate(id: "3", label: .category("1"))) else {
            Issue.record("a second label must replace the first")
            return
        }
        #expect(w.labeledCount == 1)
    }

    @Test func openDictionariesAreCapped() {
        var w = Window(layout: layout)
        for (i, g) in ["g1", "g2", "g3", "g4"].enumerated() { w.append(event(1, "new\(i)", id: "\(i)", group: g)) }
        #expect(w.groups[0].count == 2)
        #expect(w.attributeCodes(0).contains(CategoryDictionary.overflowCode))
        #expect(w.categories[1].count == 4)  // K (2) + at most maxDistinct (2) new values
    }

    /// The cap bounds the values *in the window*: groups and classes no event holds any more
    /// are dropped when the cap is reached, so a stream of ever-new values does not lock out
    /// the ones that come after.
    @Test func capsCountWhatIsInTheWindowNotEverythingEverSeen() {
        let small = WindowLayout(capacity: 3, features: [], attributeCount: 1, numericOutcome: false, maxDistinct: 5)
        var w = Window(layout: small)
        for i in 0..<40 {
            w.append(Event(id: "e\(i)", features: [], attributes: ["g\(i)"], prediction: .category("c\(i)"), label: .category("c\(i)")))
        }
        for (i, g) in ["m", "f", "f"].enumerated() {
            w.append(Event(id: "x\(i)", features: [], attributes: [g], prediction: .category(g == "m" ? "yes" : "no"), label: .category("no")))
        }
        #expect(w.events().map { $0.attributes[0] } == ["m", "f", "f"])
        #expect(w.events().map(\.prediction) == [.category("yes"), .category("no"), .category("no")])
        #expect(!w.attributeCodes(0).contains(CategoryDictionary.overflowCode))
        #expect(!w.predictionClassCodes.contains(CategoryDictionary.overflowCode))
        #expect(w.groups[0].count <= 5 && w.classes.count <= 5)
        // While every value of a full dictionary is live, new ones overflow (and nothing is lost).
        var busy = Window(layout: WindowLayout(capacity: 10, features: [], attributeCount: 1, numericOutcome: false, maxDistinct: 2))
        for i in 0..<4 { busy.append(Event(features: [], attributes: ["g\(i)"], prediction: .category("p"))) }
        #expect(busy.attributeCodes(0) == [0, 1, CategoryDictionary.overflowCode, CategoryDictionary.overflowCode])
    }

    @Test func eventsReplayIntoTheSameWindow() {
        var w = Window(layout: layout)
        for i in 1...5 { w.append(event(Double(i) / 2, i % 2 == 0 ? "a" : "q", id: "\(i)", label: i == 4 ? "1" : nil)) }
        var replayed = Window(layout: layout)
        replayed.append(contentsOf: w.events())
        #expect(replayed.events() == w.events())
        #expect(replayed.binCounts == w.binCounts)
        #expect(replayed.labeledCount == w.labeledCount)
        #expect(w.events().map(\.id) == ["3", "4", "5"])
    }

    /// Custom metrics: one slot per metric per event, so the window holds its capacity of them;
    /// an event that leaves one out (or gives fewer) holds none there.
    @Test func customMetricsAreKeptPerEventAndEvicted() {
        var w = Window(layout: WindowLayout(capacity: 2, features: [], attributeCount: 0, numericOutcome: false, customMetricCount: 2))
        w.append(Event(features: [], prediction: .category("1"), metrics: [1, nil]))
        w.append(Event(features: [], prediction: .category("1"), metrics: [2, 20]))
        #expect(w.presentMetricValues(0).sorted() == [1, 2])
        #expect(w.presentMetricValues(1) == [20])
        w.append(Event(features: [], prediction: .category("1"), metrics: [nil]))
        #expect(w.presentMetricValues(0) == [2])
        #expect(w.presentMetricValues(1) == [20])
        #expect(w.events().map(\.metrics) == [[2, 20], [nil, nil]])
        var replayed = Window(layout: w.layout)
        replayed.append(contentsOf: w.events())
        #expect(replayed.events() == w.events())

        // Events that leave a time window by age take their metrics with them.
        var timed = Window(layout: WindowLayout(capacity: 3, features: [], attributeCount: 0, numericOutcome: false, maxAge: 10, customMetricCount: 1))
        for (t, x) in [(0.0, 1.0), (5, 2), (8, 3), (12, 4)] {
            timed.append(Event(timestamp: t, features: [], prediction: .category("1"), metrics: [x]))
        }
        #expect(timed.presentMetricValues(0).sorted() == [2, 3, 4])
        timed.expire(now: 17)
        #expect(timed.presentMetricValues(0).sorted() == [3, 4])
    }

    @Test func regressionOutcomes() {
        var w = Window(layout: WindowLayout(capacity: 2, features: [], attributeCount: 0, numericOutcome: true))
        w.append(Event(id: "a", features: [], prediction: .value(1.5), label: nil))
        #expect((w.attach(LabelUpdate(id: "a", label: .value(2))) as Bool))
        #expect(w.labelNumbers == [2])
        #expect(w.predictionNumbers == [1.5])
        #expect(w.labeledCount == 1)
    }
}
