// One concept-drift detector of any kind behind one small value type, so a monitor keeps a
// list of them per stream and a snapshot saves them all the same way.

/// The detectors a strategy can name (`metrics.concept_drift.detectors`).
package enum DetectorKind: String, Sendable, Equatable, Hashable, CaseIterable, Comparable {
    case adwin
    case pageHinkley = "page_hinkley"
    case ddm

    /// DDM models a Bernoulli error rate: it only runs on 0/1 streams.
    package var needsBinaryStream: Bool { self == .ddm }

    package static func < (a: DetectorKind, b: DetectorKind) -> Bool { a.rawValue < b.rawValue }
}

/// Every detector's parameters, river 0.26.1's defaults unless overridden.
package struct DetectorParameters: Sendable, Equatable {
    package var adwin: ADWIN.Parameters
    package var pageHinkley: PageHinkley.Parameters
    package var ddm: DDM.Parameters

    package init(adwin: ADWIN.Parameters = .init(), pageHinkley: PageHinkley.Parameters = .init(), ddm: DDM.Parameters = .init()) {
        self.adwin = adwin
        self.pageHinkley = pageHinkley
        self.ddm = ddm
    }
}

/// A running detector of one kind.
///
/// ```swift
/// var d = ConceptDriftDetector(.adwin, parameters: DetectorParameters())
/// if d.update(1) { … }
/// ```
package struct ConceptDriftDetector: Sendable, Equatable {
    package let kind: DetectorKind
    // Exactly the one of `kind` is set; optionals (not an enum with payloads) so an update
    // mutates the detector in place instead of copying its buckets.
    private var adwin: ADWIN?
    private var pageHinkley: PageHinkley?
    private var ddm: DDM?

    package init(_ kind: DetectorKind, parameters: DetectorParameters) {
        self.kind = kind
        switch kind {
        case .adwin: adwin = ADWIN(parameters: parameters.adwin)
        case .pageHinkley: pageHinkley = PageHinkley(parameters: parameters.pageHinkley)
        case .ddm: ddm = DDM(parameters: parameters.ddm)
        }
    }

    /// Restores a detector from `state`; nil when the numbers do not describe one of this kind.
    package init?(_ kind: DetectorKind, parameters: DetectorParameters, state: [Double]) {
        self.kind = kind
        switch kind {
        case .adwin: adwin = ADWIN(parameters: parameters.adwin, state: state)
        case .pageHinkley: pageHinkley = PageHinkley(parameters: parameters.pageHinkley, state: state)
        case .ddm: ddm = DDM(parameters: parameters.ddm, state: state)
        }
        if adwin == nil && pageHinkley == nil && ddm == nil { return nil }
    }

    /// Adds a value; true when this update detected drift.
    @discardableResult
    package mutating func update(_ x: Double) -> Bool {
        switch kind {
        case .adwin: adwin!.update(x)
        case .pageHinkley: pageHinkley!.update(x)
        case .ddm: ddm!.update(x)
        }
    }

    /// Adds the same values to each of `detectors`, which hold at most one detector of each
    /// kind, value by value in one loop. Each detector's update is a chain of dependent
    /// arithmetic (divisions, a square root); side by side the processor overlaps the chains,
    /// where one loop per detector would wait on each in turn. Returns each detector's
    /// detections and the index of its last, as `update(_:)` on each would for the values that
    /// are not NaN (NaN values are skipped: no detector sees them).
    package static func update(_ detectors: inout [ConceptDriftDetector], with values: UnsafeBufferPointer<Double>) -> [(detections: Int, last: Int?)] {
        let ai = detectors.firstIndex { $0.kind == .adwin }
        let pi = detectors.firstIndex { $0.kind == .pageHinkley }
        let di = detectors.firstIndex { $0.kind == .ddm }
        guard [ai, pi, di].count(where: { $0 != nil }) == detectors.count else {
            // A kind repeated (the strategy loader refuses that; a bank built in code may not):
            // each detector in a group of its own.
            return detectors.indices.map { i in
                var alone = [detectors[i]]
                detectors[i] = .vacant
                defer { detectors[i] = alone[0] }
                return update(&alone, with: values)[0]
            }
        }
        // Taken out of their optionals (a detector absent: a stand-in never updated).
        var ph = pi.map { detectors[$0].pageHinkley! } ?? PageHinkley(parameters: .init())
        var ddm = di.map { detectors[$0].ddm! } ?? DDM(parameters: .init())
        let hasPH = pi != nil, hasDDM = di != nil
        var counts = (adwin: 0, ph: 0, ddm: 0)
        var lasts: (adwin: Int?, ph: Int?, ddm: Int?) = (nil, nil, nil)
        func others(_ i: Int, _ x: Double) {
            if hasPH && ph.update(x) { counts.ph += 1; lasts.ph = i }
            if hasDDM && ddm.update(x) { counts.ddm += 1; lasts.ddm = i }
        }
        if let ai {
            var adwin = detectors[ai].adwin!
            detectors[ai].adwin = nil  // `adwin` alone holds the buckets: updating them does not copy
            let (detections, last) = adwin.update(values, alongside: others)
            (counts.adwin, lasts.adwin) = (detections, last)
            detectors[ai].adwin = adwin
        } else {
            for i in values.indices where !values[i].isNaN { others(i, values[i]) }
        }
        if let pi { detectors[pi].pageHinkley = ph }
        if let di { detectors[di].ddm = ddm }
        return detectors.map {
            switch $0.kind {
            case .adwin: (counts.adwin, lasts.adwin)
            case .pageHinkley: (counts.ph, lasts.ph)
            case .ddm: (counts.ddm, lasts.ddm)
            }
        }
    }

    /// A detector that holds nothing (a DDM with its defaults): what a slot keeps while its
    /// detector is taken out for an update.
    package static var vacant: ConceptDriftDetector { ConceptDriftDetector(.ddm, parameters: DetectorParameters()) }

    /// Values the detector currently bases its decision on: ADWIN's window width, the others'
    /// count since their last reset.
    package var windowEvents: Int {
        switch kind {
        case .adwin: adwin!.windowLength
        case .pageHinkley: pageHinkley!.observed
        case .ddm: ddm!.observed
        }
    }

    /// What the detector has learnt, as numbers: `init(_:parameters:state:)` rebuilds it.
    package var state: [Double] {
        switch kind {
        case .adwin: adwin!.state
        case .pageHinkley: pageHinkley!.state
        case .ddm: ddm!.state
        }
    }
}

/// The streams a detector can watch (`metrics.concept_drift.streams`).
package enum DetectorStream: String, Sendable, Equatable, Hashable, CaseIterable, Comparable {
    /// Classification: 1 when the prediction differs from the label, else 0; regression: the
    /// absolute error. A value arrives when the event's label becomes known.
    case error
    /// The score of each event (binary models with a score).
    case score
    /// The predicted value of each event (regression).
    case prediction

    package static func < (a: DetectorStream, b: DetectorStream) -> Bool { a.rawValue < b.rawValue }
}
