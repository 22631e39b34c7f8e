// `metrics.concept_drift`: streams, detectors and river-style parameter overrides, each
// checked against what the task and columns allow and against the detector's valid range.

import MonitorCore
import YAMLReader

extension StrategyReader {
    func readConceptDrift(_ node: YNode, task: Task, columns: Columns) throws(StrategyError) -> ConceptDriftSpec {
        let kinds = DetectorKind.allCases.map(\.rawValue)
        let map = try node.mapping(allowing: ["streams", "detectors"] + kinds)

        // Streams: what the task and columns provide.
        func available(_ stream: DetectorStream) -> String? {
            switch stream {
            case .error: columns.label == nil ? "the error stream needs a label column (columns.label)" : nil
            case .score: columns.score == nil ? "the score stream needs a score column (columns.score)" : nil
            case .prediction: task == .regression ? nil : "the prediction stream needs a regression model (task is \(task.rawValue)); watch score or error instead"
            }
        }
        var streams: [DetectorStream] = []
        if let streamsNode = map.optional("streams") {
            for item in try streamsNode.list() {
                let stream = try item.choice(DetectorStream.self)
                guard !streams.contains(stream) else { throw item.error("\(stream.rawValue) is listed twice") }
                if let problem = available(stream) { throw item.error(problem) }
                streams.append(stream)
            }
            guard !streams.isEmpty else { throw streamsNode.error("list at least one stream (error, score or prediction)") }
        } else {
            // The error stream when labels come, else what the model outputs.
            streams = [DetectorStream.error, .score, .prediction].filter { available($0) == nil }.prefix(1).map { $0 }
            guard !streams.isEmpty else { throw node.error("no stream to watch: add a label or score column, or list streams") }
        }

        var detectors: [DetectorKind] = [.adwin, .pageHinkley]
        if let detectorsNode = map.optional("detectors") {
            detectors = []
            for item in try detectorsNode.list() {
                let kind = try item.choice(DetectorKind.self)
                guard !detectors.contains(kind) else { throw item.error("\(kind.rawValue) is listed twice") }
                // DDM runs on the 0/1 streams among those listed, and needs one.
                if kind.needsBinaryStream, !streams.contains(where: { ConceptDriftSpec.isBinary($0, task: task) }) {
                    let listed = streams.map(\.rawValue).joined(separator: ", ")
                    throw item.error("ddm runs only on 0/1 streams (the error stream of a classifier), and none is listed (streams: \(listed); task is \(task.rawValue))")
                }
                detectors.append(kind)
            }
            guard !detectors.isEmpty else { throw detectorsNode.error("list at least one detector (adwin, page_hinkley or ddm)") }
        }

        var parameters = DetectorParameters()
        for kind in DetectorKind.allCases {
            guard let overrides = map.optional(kind.rawValue) else { continue }
            guard detectors.contains(kind) else {
                throw overrides.error("parameters for \(kind.rawValue), which is not among the detectors")
            }
            switch kind {
            case .adwin: parameters.adwin = try readADWIN(overrides)
            case .pageHinkley: parameters.pageHinkley = try readPageHinkley(overrides)
            case .ddm: parameters.ddm = try readDDM(overrides)
            }
        }
        return ConceptDriftSpec(streams: streams, detectors: detectors, parameters: parameters)
    }

    private func readADWIN(_ node: YNode) throws(StrategyError) -> ADWIN.Parameters {
        let map = try node.mapping(allowing: ["delta", "clock", "max_buckets", "min_window_length", "grace_period"])
        var p = ADWIN.Parameters()
        if let n = map.optional("delta") { p.delta = try fraction(n, open: true) }
        if let n = map.optional("clock") { p.clock = try whole(n, atLeast: 1) }
        if let n = map.optional("max_buckets") { p.maxBuckets = try whole(n, atLeast: 1) }
        if let n = map.optional("min_window_length") { p.minWindowLength = try whole(n, atLeast: 1) }
        if let n = map.optional("grace_period") { p.gracePeriod = try whole(n, atLeast: 0) }
        return p
    }

    private func readPageHinkley(_ node: YNode) throws(StrategyError) -> PageHinkley.Parameters {
        let map = try node.mapping(allowing: ["min_instances", "delta", "threshold", "alpha", "mode"])
        var p = PageHinkley.Parameters()
        if let n = map.optional("min_instances") { p.minInstances = try whole(n, atLeast: 1) }
        if let n = map.optional("delta") {
            let v = try n.number()
            guard v.value >= 0 else { throw n.error("must be at least 0, found \(v.text)") }
            p.delta = v.value
        }
        if let n = map.optional("threshold") { p.threshold = try positive(n) }
        if let n = map.optional("alpha") { p.alpha = try fraction(n, open: false) }
        if let n = map.optional("mode") { p.mode = try n.choice(PageHinkley.Mode.self) }
        return p
    }

    private func readDDM(_ node: YNode) throws(StrategyError) -> DDM.Parameters {
        let map = try node.mapping(allowing: ["warm_start", "warning_threshold", "drift_threshold"])
        var p = DDM.Parameters()
        if let n = map.optional("warm_start") { p.warmStart = try whole(n, atLeast: 0) }
        if let n = map.optional("warning_threshold") { p.warningThreshold = try positive(n) }
        if let n = map.optional("drift_threshold") {
            p.driftThreshold = try positive(n)
            guard p.driftThreshold >= p.warningThreshold else {
                throw n.error("must be at least warning_threshold (\(Threshold.format(p.warningThreshold))), found \(Threshold.format(p.driftThreshold))")
            }
        }
        return p
    }

    private func whole(_ node: YNode, atLeast minimum: Int) throws(StrategyError) -> Int {
        let v = try node.int()
        guard v >= minimum else { throw node.error("must be at least \(minimum), found \(v)") }
        return v
    }

    private func positive(_ node: YNode) throws(StrategyError) -> Double {
        let v = try node.number()
        guard v.value > 0 else { throw node.error("must be above 0, found \(v.text)") }
        return v.value
    }

    /// A number in (0, 1), or (0, 1] when `open` is false.
    private func fraction(_ node: YNode, open: Bool) throws(StrategyError) -> Double {
        let v = try node.number()
        guard v.value > 0, open ? v.value < 1 : v.value <= 1 else {
            throw node.error("must lie between 0 and 1 (\(open ? "exclusive" : "0 exclusive, 1 inclusive")), found \(v.text)")
        }
        return v.value
    }
}
