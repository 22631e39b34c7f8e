import Testing
import TextFormat
@testable import MonitorCore

/// Time windows (`window: {duration: …}`): events leave by age, given the `now` the caller
/// passes (the exporter's clock), as well as by count.
@Suite struct TimeWindowTests {
    /// Capacity 4, one hour.
    static func layout(capacity: Int = 4, maxAge: Double? = 3600) -> WindowLayout {
        WindowLayout(
            capacity: capacity, features: [.numerical(edges: [1, 2], range: nil), .categorical(categories: ["a", "b"])],
            attributeCount: 1, numericOutcome: false, maxDistinct: 10, maxAge: maxAge)
    }

    static func event(_ x: Double, _ c: String, id: String, at t: Double?, label: String? = nil, group: String = "g") -> Event {
        Event(id: id, timestamp: t, features: [.number(x), .string(c)], attributes: [group],
              prediction: .category("1"), score: x / 10, label: label.map { .category($0) })
    }

    @Test func eventsOlderThanTheDurationLeaveAtTheNextExpiry() {
        var w = Window(layout: Self.layout())
        w.append(Self.event(0.5, "a", id: "1", at: 1000, label: "1"))
        w.append(Self.event(1.5, "b", id: "2", at: 2000))
        w.append(Self.event(2.5, "a", id: "3", at: 3000, label: "0"))
        #expect(w.expire(now: 4600) == 0)  // event 1 is exactly an hour old: it stays
        #expect(w.count == 3)
        // Indexes the ids (the join is built when a label arrives): "3" already had a label.
        #expect(w.label(LabelUpdate(id: "3", label: .category("0"))) == .attached(prediction: .category("1"), timestamp: 3000, replaced: true))
        let v = w.version
        #expect(w.expire(now: 4601) == 1)
        #expect(w.version == v + 1)
        #expect(w.count == 2)
        #expect(w.labeledCount == 1)
        #expect(w.binCounts == [[0, 1, 1], [1, 1]])
        #expect(w.presentValues(feature: 0).sorted() == [1.5, 2.5])
        #expect(w.scoreValues.sorted() == [0.15, 0.25])
        #expect(w.labelClassCodes.filter { $0 >= 0 }.count == 1)
        #expect(w.attributeCodes(0).count == 2)
        #expect(w.events().map(\.id) == ["2", "3"])
        // A label for an event that left by age is expired, not attached.
        #expect(w.label(LabelUpdate(id: "1", label: .category("1"))) == .expired)
        #expect(w.expire(now: 1_000_000) == 2)
        #expect(w.count == 0)
        #expect(w.binCounts == [[0, 0, 0], [0, 0]])
        #expect(w.presentValues(feature: 0).isEmpty)
        #expect(w.events().isEmpty)
    }

    /// With both a duration and a count, whichever holds fewer events bounds the window; slots
    /// freed by age are reused in turn, and the columns read the window's rows only.
    @Test func theSmallerOfCountAndDurationBounds() {
        var w = Window(layout: Self.layout())
        for i in 0..<6 { w.append(Self.event(Double(i), "a", id: "\(i)", at: Double(i) * 1000)) }
        #expect(w.count == 4)  // capacity
        #expect(w.events().map(\.id) == ["2", "3", "4", "5"])
        #expect(w.expire(now: 7000) == 2)  // 2 and 3 are older than 3600 s at 7000
        #expect(w.events().map(\.id) == ["4", "5"])
        #expect(w.presentValues(feature: 0).sorted() == [4, 5])
        w.append(Self.event(0.5, "b", id: "6", at: 7000))
        w.append(Self.event(1.5, "b", id: "7", at: 7000))
        w.append(Self.event(1.7, "b", id: "8", at: 7000))
        #expect(w.count == 4)  // full by count again: "4" left
        #expect(w.events().map(\.id) == ["5", "6", "7", "8"])
        #expect(w.presentValues(feature: 0).sorted() == [0.5, 1.5, 1.7, 5])
        #expect(w.binCounts == [[1, 2, 1], [1, 3]])
        #expect(w.expire(now: 8601) == 1)
        let scores: [Double] = [0.5 / 10, 1.5 / 10, 1.7 / 10]
        #expect(w.scoreValues.sorted() == scores)
    }

    /// Eviction goes in arrival order: an event that arrived late with an old timestamp leaves
    /// when it reaches the front; events without a timestamp never leave by age.
    @Test func arrivalOrderAndMissingTimestamps() {
        var w = Window(layout: Self.layout(capacity: 10))
        w.append(Self.event(1, "a", id: "new", at: 5000))
        w.append(Self.event(1, "a", id: "late", at: 100))
        w.append(Self.event(1, "a", id: "untimed", at: nil))
        w.append(Self.event(1, "a", id: "after", at: 100))
        #expect(w.expire(now: 5000) == 0)  // "late" waits behind "new"
        #expect(w.expire(now: 9000) == 2)  // "new", then "late"; "untimed" stops it
        #expect(w.events().map(\.id) == ["untimed", "after"])
    }

    @Test func aCountWindowIgnoresTheClock() {
        var w = Window(layout: Self.layout(maxAge: nil))
        w.append(Self.event(1, "a", id: "1", at: 0))
        #expect(w.expire(now: 1e12) == 0)
        #expect(w.count == 1)
    }

    /// What a snapshot restores (the events, appended again) leaves by the same rule.
    @Test func aRebuiltWindowExpiresAlike() {
        var w = Window(layout: Self.layout())
        for i in 0..<4 { w.append(Self.event(Double(i), "a", id: "\(i)", at: Double(i) * 1000)) }
        var rebuilt = Window(layout: Self.layout())
        rebuilt.append(contentsOf: w.events())
        #expect(w.expire(now: 5500) == rebuilt.expire(now: 5500))
        #expect(rebuilt.events().map(\.id) == ["2", "3"])
        #expect(rebuilt.binCounts == w.binCounts)
    }
}

/// The class text of whole numbers is read without parsing them, and means the same.
@Suite struct ClassTextTests {
    @Test(arguments: ["0", "1", "42", "123456789012345", "1234567890123456", "01", "-1", "+1", "1.0", "1e0", ".5", "007", "x", ""])
    func aWholeNumberIsItsOwnClass(_ s: String) {
        let parsed = Double(s).flatMap { $0.isFinite ? NumberText.shortest($0) : nil } ?? s
        #expect(Window.classText(s) == parsed)
        #expect(Window.isCanonicalInteger(s) == (["0", "1", "42", "123456789012345"].contains(s)))
    }
}
