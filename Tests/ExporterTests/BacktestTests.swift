import Foundation
import MonitorCore
import Strategy
import Testing
import TestSupport
@testable import Exporter

/// `backtest`: river's error stream as a CSV with inline labels, replayed through the serving
/// pipeline, reports each detection at the row river reports it.
@Suite(.serialized) struct BacktestTests {
    /// A one-feature binary model's strategy whose CSV columns are request_id, prediction, score,
    /// label and income; `conceptDrift` inside `metrics.concept_drift`'s braces.
    static func strategy(window: Int, conceptDrift: String, alerts: String = "") -> String {
        """
        version: 1
        model: {name: stream, version: "1", task: binary_classification, positive_label: "1"}
        reference: {path: \(Fixtures.oracle("credit_psi"))/reference.csv}
        columns: {id: request_id, prediction: prediction, score: score, label: label}
        features:
          - {name: income, type: numerical}
        window: {events: \(window)}
        metrics:
          concept_drift: {\(conceptDrift)}
        \(alerts)
        """
    }

    /// A strategy file and a CSV of the stream `name` in a fresh folder (the caller removes it).
    func files(_ name: String, alerts: String = "") throws -> (strategy: String, csv: String, folder: String, stream: RiverStreams.Case) {
        let stream = try #require(try RiverStreams.load().cases.first { $0.name == name })
        let dir = try CLI.temporaryDirectory()
        try Self.strategy(window: 1000, conceptDrift: "streams: [error], detectors: [adwin, page_hinkley, ddm]", alerts: alerts)
            .write(toFile: dir + "/strategy.yml", atomically: true, encoding: .utf8)
        var csv = "request_id,prediction,score,label,income\n"
        for (i, v) in stream.values.enumerated() { csv += "e\(i),1,0.7,\(v == 1 ? 0 : 1),1000\n" }
        try csv.write(toFile: dir + "/current.csv", atomically: true, encoding: .utf8)
        return (dir + "/strategy.yml", dir + "/current.csv", dir, stream)
    }

    @Test func detectionsAreReportedAtRiversRows() throws {
        let f = try files("error_abrupt", alerts: """
        alerts:
          - {name: StreamAccuracyLow, signal: accuracy, below: 0.9, for: 5m, severity: warning}
        """)
        defer { try? FileManager.default.removeItem(atPath: f.folder) }
        let strategy = try Strategy.load(path: f.strategy)
        let entries = try Backtest.run(strategy: strategy, currentPath: f.csv, every: 1000)
        for kind in DetectorKind.allCases {
            let rows = entries.compactMap { e -> Int? in
                if case .detection(let row, kind, .error) = e { return row }
                return nil
            }
            #expect(rows == f.stream.detections[kind.rawValue], "\(kind)")
        }
        let windows = entries.compactMap { e -> (Int, Backtest.SignalValue)? in
            if case .window(let row, 1000, 1000, let signals) = e { return (row, signals[0]) }
            return nil
        }
        #expect(windows.map(\.0) == [999, 1999, 2999, 3999, 4999, 5999, 6999])
        // Accuracy over the window of 1000 is 1 − the error rate of its rows.
        let last = f.stream.values.suffix(1000)
        #expect(windows.last?.1.value == 1 - last.reduce(0, +) / 1000)
        #expect(windows.last?.1.crossed == (1 - last.reduce(0, +) / 1000 < 0.9))
    }

    /// The replay takes rows in runs; its detections are those of one row at a time, on river's
    /// streams (error and score), with the detectors' defaults and with parameters that detect
    /// often and close together (runs of 4 rows, and of 1).
    @Test(arguments: ["", "adwin: {clock: 4}, page_hinkley: {min_instances: 5, threshold: 3}, ddm: {warm_start: 4}",
                      "adwin: {clock: 1}, page_hinkley: {min_instances: 1, threshold: 2}, ddm: {warm_start: 0}"])
    func detectionsInRunsAreThoseOfOneRowAtATime(_ parameters: String) throws {
        let cases = try RiverStreams.load().cases
        let errors = try #require(cases.first { $0.name == "error_gradual" }).values
        let scores = try #require(cases.first { $0.name == "score_abrupt" }).values
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.strategy(window: 700, conceptDrift: "streams: [error, score], detectors: [adwin, page_hinkley, ddm]" + (parameters.isEmpty ? "" : ", " + parameters))
            .write(toFile: dir + "/strategy.yml", atomically: true, encoding: .utf8)
        var csv = "request_id,prediction,score,label,income\n"
        for i in 0..<min(errors.count, scores.count) {
            // Every seventh row unlabelled and every eleventh without a score: the streams' values
            // are not the rows.
            let label = i % 7 == 3 ? "" : (errors[i] == 1 ? "0" : "1")
            csv += "e\(i),1,\(i % 11 == 5 ? "" : "\(scores[i])"),\(label),1000\n"
        }
        try csv.write(toFile: dir + "/current.csv", atomically: true, encoding: .utf8)
        let strategy = try Strategy.load(path: dir + "/strategy.yml")

        let replayed = try Backtest.run(strategy: strategy, currentPath: dir + "/current.csv", every: 1000).compactMap { e -> String? in
            if case .detection(let row, let detector, let stream) = e { return "\(row) \(detector) \(stream)" }
            return nil
        }
        let monitor = ModelMonitor(strategy: strategy, reference: try Datasets.reference(for: strategy))
        var expected: [String] = []
        var seen = monitor.detections().map(\.count)
        for (row, event) in try Datasets.readEvents(path: dir + "/current.csv", strategy: strategy).enumerated() {
            monitor.ingest([event], now: nil)
            for (slot, d) in monitor.detections().enumerated() where d.count > seen[slot] {
                #expect(d.count == seen[slot] + 1)
                expected.append("\(row) \(d.detector) \(d.stream)")
            }
            seen = monitor.detections().map(\.count)
        }
        #expect(expected.count >= (parameters.isEmpty ? 5 : 50), "the detectors detected \(expected.count) times")
        #expect(replayed == expected)
    }

    /// The replay as one loop on one thread, row by row: the window entry computed where it is
    /// due, before the next row goes in.
    static func replayedRowByRow(_ strategy: Strategy, _ csv: String, every: Int) throws -> [Backtest.Entry] {
        let monitor = ModelMonitor(strategy: strategy, reference: try Datasets.reference(for: strategy))
        var out: [Backtest.Entry] = []
        var seen = monitor.detections().map(\.count)
        for (row, event) in try Datasets.readEvents(path: csv, strategy: strategy).enumerated() {
            monitor.ingest([event], now: nil)
            if strategy.window.duration != nil, let t = event.timestamp { monitor.expire(now: t) }
            for (slot, d) in monitor.detections().enumerated() where d.count > seen[slot] {
                out.append(.detection(row: row, detector: d.detector, stream: d.stream))
            }
            seen = monitor.detections().map(\.count)
            if (row + 1) % every == 0 {
                out.append(Backtest.window(strategy, monitor.evaluator, (monitor.window, monitor.families()), row: row))
            }
        }
        return out
    }

    /// The pipelined replay (rows decoded, replayed and window entries computed on several cores
    /// at once) gives the entries of the row-by-row loop, on random rows with drifts the
    /// detectors see, alerts with values, a count window and a time window, on 1 to 4 cores.
    @Test(arguments: [nil, "90s"])
    func thePipelinedReplayIsTheRowByRowOne(duration: String?) throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var rng = SplitMix64(seed: duration == nil ? 11 : 12)
        func rows(_ n: Int, drifted: (Int) -> Bool) -> String {
            var csv = "request_id,ts,prediction,score,label,income,segment\n"
            for i in 0..<n {
                let d = drifted(i)
                let score = Double.random(in: d ? 0.3...1 : 0...0.7, using: &rng)
                let prediction = score >= 0.5 ? 1 : 0
                let wrong = Double.random(in: 0..<1, using: &rng) < (d ? 0.4 : 0.1)
                let label = Int.random(in: 0..<6, using: &rng) == 0 ? "" : "\(wrong ? 1 - prediction : prediction)"
                let income = Int.random(in: 0..<20, using: &rng) == 0 ? "" : "\(Double.random(in: 1000...(d ? 9000 : 5000), using: &rng))"
                let segment = ["a", "b", "c", d ? "new" : "a"][Int.random(in: 0..<4, using: &rng)]
                let ts = 1_700_000_000 + i * Int.random(in: 0...2, using: &rng)
                csv += "e\(i),\(ts),\(prediction),\(score),\(label),\(income),\(segment)\n"
            }
            return csv
        }
        try rows(800) { _ in false }.write(toFile: dir + "/reference.csv", atomically: true, encoding: .utf8)
        // 5,000 rows: more than a chunk decodes, drifting from row 2,000 to 3,500.
        try rows(5000) { (2000..<3500).contains($0) }.write(toFile: dir + "/current.csv", atomically: true, encoding: .utf8)
        try """
        version: 1
        model: {name: random, version: "1", task: binary_classification, positive_label: "1"}
        reference: {path: \(dir)/reference.csv}
        columns: {id: request_id, timestamp: ts, prediction: prediction, score: score, label: label}
        features:
          - {name: income, type: numerical}
          - {name: segment, type: categorical}
        window: {events: 700\(duration.map { ", duration: \($0)" } ?? "")}
        metrics:
          drift: {numerical: [psi, ks], categorical: [psi], prediction: [psi]}
          quality: [accuracy, roc_auc]
          data_quality: [missing, new_category]
          concept_drift: {streams: [error, score], detectors: [adwin, page_hinkley, ddm], adwin: {clock: 4}, page_hinkley: {min_instances: 5, threshold: 3}, ddm: {warm_start: 4}}
        alerts:
          - {name: AccuracyLow, signal: accuracy, below: 0.85, for: 5m, severity: warning}
          - {name: IncomeMissing, signal: missing, feature: income, above: 0.04, for: 5m, severity: warning}
        """.write(toFile: dir + "/strategy.yml", atomically: true, encoding: .utf8)
        let strategy = try Strategy.load(path: dir + "/strategy.yml")
        let expected = try Self.replayedRowByRow(strategy, dir + "/current.csv", every: 250)
        #expect(expected.count { if case .detection = $0 { true } else { false } } >= 5)
        #expect(expected.contains { if case .window(_, _, _, let s) = $0 { s.contains(where: \.crossed) } else { false } })
        for width in 1...4 {
            let replay = try Backtest.replay(strategy: strategy, currentPath: dir + "/current.csv", every: 250, width: width)
            #expect(replay.entries == expected, "width \(width)")
            #expect(replay.rows == 5000)
        }
    }

    @Test func theCommandPrintsJSONLinesAndNamesBadRows() throws {
        let f = try files("error_stable")
        defer { try? FileManager.default.removeItem(atPath: f.folder) }
        let r = try CLI.run(["backtest", "--strategy", f.strategy, "--current", f.csv, "--format", "jsonl", "--every", "2500"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines == [
            #"{"type":"detection","row":193,"detector":"ddm","stream":"error"}"#,
            #"{"type":"window","row":2499,"window_events":1000,"labeled_events":1000,"signals":[]}"#,
            #"{"type":"window","row":4999,"window_events":1000,"labeled_events":1000,"signals":[]}"#,
        ])
        let text = try CLI.run(["backtest", "--strategy", f.strategy, "--current", f.csv])
        #expect(text.stdout == "row       what\n193       drift     ddm on the error stream\n")

        var csv = try String(contentsOfFile: f.csv, encoding: .utf8)
        csv += "e-bad,1,1.5,0,1000\n"
        try csv.write(toFile: f.csv, atomically: true, encoding: .utf8)
        let bad = try CLI.run(["backtest", "--strategy", f.strategy, "--current", f.csv])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("\(f.csv):5002:"), "\(bad.stderr)")
        let format = try CLI.run(["backtest", "--strategy", f.strategy, "--current", f.csv, "--format", "yaml"])
        #expect(format.status != 0 && format.stderr.contains("--format must be text or jsonl"))
    }

    /// `backtest --report` of river's abrupt error stream with an alert on accuracy (alert
    /// `StreamAccuracyLow`): the report's folder and path, and the detections and crossed
    /// samples the jsonl output reports; the detections are river's.
    func replayWithReport() throws -> (folder: String, report: String, detections: Int, crossed: Int) {
        let f = try files("error_abrupt", alerts: """
        alerts:
          - {name: StreamAccuracyLow, signal: accuracy, below: 0.9, for: 5m, severity: warning}
        """)
        let path = f.folder + "/report.html"
        let r = try CLI.run(["backtest", "--strategy", f.strategy, "--current", f.csv, "--format", "jsonl", "--every", "500", "--report", path])
        #expect(r.status == 0, "\(r.stderr)")
        let detections = r.stdout.split(separator: "\n").filter { $0.hasPrefix(#"{"type":"detection""#) }.count
        let crossed = r.stdout.split(separator: "\n").filter { $0.contains(#""crossed":true"#) }.count
        #expect(detections == DetectorKind.allCases.map { f.stream.detections[$0.rawValue]?.count ?? 0 }.reduce(0, +))
        #expect(detections > 0 && crossed > 0)
        return (f.folder, path, detections, crossed)
    }

    /// `--report`: one self-contained HTML file whose timeline has a mark per detection the
    /// jsonl output reports for the same CSV, and a crossed span for the alert on accuracy.
    @Test func theReportHasAMarkPerDetection() throws {
        let (folder, path, detections, _) = try replayWithReport()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let html = try String(contentsOfFile: path, encoding: .utf8)
        #expect(html.contains("<h2>Timeline</h2>"))
        // Nothing fetched: no script files, no addresses (but the SVG namespace, which is a name).
        let addresses = html.replacingOccurrences(of: #"xmlns="http://www.w3.org/2000/svg""#, with: "")
        #expect(!html.contains("<script src") && !addresses.contains("http://") && !addresses.contains("https://"))
        #expect(html.components(separatedBy: #"class="mark" data-series="detection""#).count - 1 == detections)
        #expect(html.contains("StreamAccuracyLow: crossed rows"))
    }
}
