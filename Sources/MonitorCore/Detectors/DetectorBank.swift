import TextFormat

// The detectors of one model: one per (detector, stream) pair of the strategy, fed as values
// arrive, counting their detections. Time is passed in with each value, never read.

/// Every concept-drift detector of one model, with its detection count and the time of its
/// last detection.
///
/// ```swift
/// var bank = DetectorBank(pairs: [(.adwin, .error)], parameters: DetectorParameters())
/// bank.observe(1, on: .error, at: 1_700_000_000)
/// ```
package struct DetectorBank: Sendable, Equatable {
    package struct Slot: Sendable, Equatable {
        package let stream: DetectorStream
        package var detector: ConceptDriftDetector
        package var detections = 0
        /// Unix seconds of the value whose update last reported drift (nil: none yet, or no time known).
        package var lastDetection: Double?

        package var kind: DetectorKind { detector.kind }
    }

    package private(set) var slots: [Slot]

    /// What one slot shows on a scrape: its detections, the time of its last, and how many
    /// values its decision rests on (ADWIN's width).
    package struct Reading: Sendable, Equatable {
        package let kind: DetectorKind
        package let stream: DetectorStream
        package let detections: Int
        package let lastDetection: Double?
        package let windowEvents: Int
    }

    /// Every slot's reading, in slot order: small, so a change can publish it for scrapes.
    package var readings: [Reading] {
        slots.map { Reading(kind: $0.kind, stream: $0.stream, detections: $0.detections, lastDetection: $0.lastDetection, windowEvents: $0.detector.windowEvents) }
    }
    /// The slots of each stream: its pairs are adjacent (`ConceptDriftSpec.pairs` lists them
    /// stream by stream), so a range each, read per value without an array of arrays.
    private let errorSlots: Range<Int>
    private let scoreSlots: Range<Int>
    private let predictionSlots: Range<Int>

    package init(pairs: [(detector: DetectorKind, stream: DetectorStream)], parameters: DetectorParameters) {
        slots = pairs.map { Slot(stream: $0.stream, detector: ConceptDriftDetector($0.detector, parameters: parameters)) }
        func range(_ s: DetectorStream) -> Range<Int> {
            guard let first = pairs.firstIndex(where: { $0.stream == s }), let last = pairs.lastIndex(where: { $0.stream == s }) else { return 0..<0 }
            precondition(pairs[first...last].allSatisfy { $0.stream == s }, "the pairs of one stream are adjacent")
            return first..<(last + 1)
        }
        (errorSlots, scoreSlots, predictionSlots) = (range(.error), range(.score), range(.prediction))
    }

    @inline(__always)
    private func slots(of stream: DetectorStream) -> Range<Int> {
        switch stream {
        case .error: errorSlots
        case .score: scoreSlots
        case .prediction: predictionSlots
        }
    }

    /// Whether any detector watches `stream`.
    @inline(__always)
    package func watches(_ stream: DetectorStream) -> Bool { !slots(of: stream).isEmpty }

    /// Feeds a value to every detector on `stream`; returns how many detected drift. NaN is
    /// ignored.
    @discardableResult
    package mutating func observe(_ value: Double, on stream: DetectorStream, at time: Double?) -> Int {
        var value = value, time = time ?? .nan
        return withUnsafePointer(to: &value) { v in
            withUnsafePointer(to: &time) { t in
                observe(UnsafeBufferPointer(start: v, count: 1), at: UnsafeBufferPointer(start: t, count: 1), on: stream)
            }
        }
    }

    /// Feeds values in order to every detector on `stream`, `times[i]` being the Unix seconds
    /// of `values[i]` (NaN: not known); returns how many updates detected drift. NaN values
    /// are ignored. A batch costs one dispatch per detector rather than one per value.
    ///
    /// `detected(slot, index)`, when given, is called for each slot on `stream` that detected
    /// drift, with the index in `values` of its last detection (a replay that must say which
    /// value raised a detection feeds batches in which a detector detects at most once:
    /// `spacing`).
    @discardableResult
    package mutating func observe(
        _ values: UnsafeBufferPointer<Double>, at times: UnsafeBufferPointer<Double>, on stream: DetectorStream,
        detected: ((_ slot: Int, _ index: Int) -> Void)? = nil
    ) -> Int {
        precondition(values.count == times.count, "one time per value")
        let range = slots(of: stream)
        guard !range.isEmpty, !values.isEmpty else { return 0 }
        // The stream's detectors, taken out of their slots and updated together (skipping NaN
        // values as they go).
        var group: [ConceptDriftDetector] = []
        group.reserveCapacity(range.count)
        for i in range {
            group.append(slots[i].detector)
            slots[i].detector = .vacant
        }
        let results = ConceptDriftDetector.update(&group, with: values)
        var detections = 0
        for (k, i) in range.enumerated() {
            slots[i].detector = group[k]
            let (count, last) = results[k]
            guard count > 0, let last else { continue }
            slots[i].detections += count
            if !times[last].isNaN { slots[i].lastDetection = times[last] }
            detections += count
            detected?(i, last)
        }
        return detections
    }

    /// The fewest values between two detections of one detector: ADWIN tests for a cut every
    /// `clock` values, Page-Hinkley needs `minInstances` values after it starts again, DDM more
    /// than `warmStart`. In a batch of at most this many values each detector detects at most
    /// once, so `observe`'s `detected` names every detection.
    package static func spacing(_ kinds: [DetectorKind], parameters p: DetectorParameters) -> Int {
        kinds.map { kind in
            switch kind {
            case .adwin: p.adwin.clock
            case .pageHinkley: p.pageHinkley.minInstances
            case .ddm: p.ddm.warmStart + 1
            }
        }.min().map { max(1, $0) } ?? Int.max
    }

    /// The error stream's value for a labelled event: classification 1 when the classes differ
    /// (compared as `Window.classText` spells them), else 0; regression the absolute error
    /// (NaN when either is not a number).
    package static func error(prediction: Outcome, label: Outcome, numeric: Bool) -> Double {
        if numeric { return error(predictionValue: Window.number(of: prediction), labelValue: Window.number(of: label)) }
        if case .category(let p) = prediction, case .category(let l) = label, p == l { return 0 }
        return error(predictionClass: className(prediction), labelClass: className(label))
    }

    /// The error stream's value for a regression's prediction and label as numbers.
    @inline(__always)
    package static func error(predictionValue: Double, labelValue: Double) -> Double { abs(predictionValue - labelValue) }

    /// The error stream's value for classes already spelt by `className`.
    @inline(__always)
    package static func error(predictionClass: String, labelClass: String) -> Double { predictionClass == labelClass ? 0 : 1 }

    /// A class as the exposition spells it.
    package static func className(_ o: Outcome) -> String {
        switch o {
        case .category(let s): Window.classText(s)
        case .value(let v): NumberText.shortest(v)
        }
    }

    // MARK: - Saving

    /// One slot as numbers: detections, last detection time (NaN: none), then the detector's state.
    package var saved: [[Double]] {
        slots.map { [Double($0.detections), $0.lastDetection ?? .nan] + $0.detector.state }
    }

    /// Restores what `saved` gave, slot by slot; false (and nothing changed) when it does not
    /// describe these slots.
    package mutating func restore(_ saved: [[Double]], parameters: DetectorParameters) -> Bool {
        guard saved.count == slots.count else { return false }
        var restored = slots
        for (i, numbers) in saved.enumerated() {
            guard numbers.count >= 2, let detections = Int(exactly: numbers[0]), detections >= 0,
                  let detector = ConceptDriftDetector(slots[i].kind, parameters: parameters, state: Array(numbers[2...]))
            else { return false }
            restored[i].detector = detector
            restored[i].detections = detections
            restored[i].lastDetection = numbers[1].isNaN ? nil : numbers[1]
        }
        slots = restored
        return true
    }
}
