import Foundation
import MonitorCore
import Report
import Strategy
import Testing
@testable import Exporter

/// The HTML report and the landing page as a person's browser shows them: each test loads a
/// page in headless Chromium (Debian's `chromium`) through Tests/Fixtures/browser/browser_check.py,
/// which drives it over the DevTools protocol, and holds the page to what it should draw.
enum Browser {
    static let repo = URL(fileURLWithPath: Fixtures.root).deletingLastPathComponent().deletingLastPathComponent().path
    static let checker = Fixtures.root + "/browser/browser_check.py"

    struct Chart: Decodable {
        var chart: String
        var bars: Int
        var marks: Int
        var width: Double
    }

    struct Tile: Decodable, Equatable {
        var card: Int
        var tile: String
        var status: String
        var headline: String
        var rows: Int
        var height: Double
    }

    struct Page: Decodable {
        var title: String?
        var loads: Int
        var errors: [String]
        var requests: [String]
        var charts: [Chart]
        var tiles: [Tile]

        func chart(_ id: String) -> Chart? { charts.first { $0.chart == id } }
        func tiles(ofCard card: Int) -> [Tile] { tiles.filter { $0.card == card } }
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Loads `url`; a missing chromium or python3 is a failure naming the install script.
    static func load(_ url: String, screenshot: String? = nil, loads: Int = 1, timeout: Double = 30) throws -> Page {
        var args = [checker, url, "--loads", "\(loads)", "--timeout", "\(timeout)"]
        if let screenshot { args += ["--screenshot", screenshot] }
        let r = try CLI.run(args, executable: "/usr/bin/python3")
        guard r.status == 0, let line = r.stdout.split(separator: "\n").last else {
            throw Failure(description: "browser_check failed (\(r.status)); chromium comes with scripts/install-deps: \(r.stdout) \(r.stderr)")
        }
        return try JSONDecoder().decode(Page.self, from: Data(line.utf8))
    }

    /// Bars a distribution chart draws: a reference and a current bar per bin or category.
    static func expectedBars(_ sample: ReferenceProfile.Sample) -> Int {
        switch sample {
        case .numerical(let r): 2 * (r.edges.count + 1)
        case .categorical(let r): 2 * min(r.categories.count, ReportBuilder.maxCategoriesDrawn)
        }
    }
}

@Suite(.serialized) struct BrowserTests {
    /// The example's report: loads with no error and fetches nothing, and every chart has the
    /// bars its data calls for.
    @Test func theExampleReportRendersEveryChart() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let example = Browser.repo + "/examples/credit-risk"
        let csv = try CLI.run([example + "/current_csv.py"], executable: "/usr/bin/python3")
        #expect(csv.status == 0, "\(csv.stderr)")
        try csv.stdout.write(toFile: dir + "/current.csv", atomically: true, encoding: .utf8)
        let r = try CLI.run(["evaluate", "--strategy", example + "/strategy.yml", "--current", dir + "/current.csv", "--report", dir + "/report.html", "--textfile", dir + "/m.prom"])
        #expect(r.status == 0, "\(r.stderr)")

        let page = try Browser.load("file://\(dir)/report.html", screenshot: dir + "/report.png")
        #expect(page.errors == [])
        #expect(page.requests == [])
        #expect(page.title == "Credit risk model — model report")

        let strategy = try Strategy.load(path: example + "/strategy.yml")
        let reference = try Datasets.reference(for: strategy)
        for (feature, sample) in zip(strategy.features, reference.features) {
            #expect(page.chart("feature-\(feature.name)")?.bars == Browser.expectedBars(sample), "\(feature.name)")
        }
        #expect(page.chart("feature-income")?.bars == 20)  // 10 drift bins, reference and current
        #expect(page.chart("feature-employment")?.bars == 8)  // 4 categories
        #expect(page.chart("prediction-score")?.bars == Browser.expectedBars(reference.prediction))
        // Scores of the example fill all 10 calibration bins: a bar and a point each.
        #expect(page.chart("calibration")?.bars == 10)
        #expect(page.chart("calibration")?.marks == 10)
        // Two gender groups × selection, true positive and false positive rates.
        #expect(page.chart("fairness-gender")?.bars == 6)
        #expect(page.charts.allSatisfy { $0.width > 200 }, "\(page.charts)")

        let png = try Data(contentsOf: URL(fileURLWithPath: dir + "/report.png"))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(png.count > 50_000, "a screenshot of the whole report, \(png.count) bytes")
    }

    /// 25 features (bench/gen_data.py's data set, every drift method on): under 2 MB, and
    /// every feature's chart is there.
    @Test func aReportOf25FeaturesStaysSmall() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let gen = try CLI.run([Browser.repo + "/bench/gen_data.py", "--out", dir, "--reference", "3000", "--current", "3000", "--windows", "", "--bodies", "0", "--scrape-models", "", "--wide-features", "0", "--wide-windows", ""], executable: "/usr/bin/python3")
        #expect(gen.status == 0, "\(gen.stderr)")
        let r = try CLI.run(["evaluate", "--strategy", dir + "/main/strategy.yml", "--current", dir + "/main/current.csv", "--report", dir + "/report.html", "--textfile", dir + "/m.prom"])
        #expect(r.status == 0, "\(r.stderr)")
        let size = try FileManager.default.attributesOfItem(atPath: dir + "/report.html")[.size] as? Int ?? 0
        #expect(size > 0 && size < 2_000_000, "report of 25 features: \(size) bytes")

        let strategy = try Strategy.load(path: dir + "/main/strategy.yml")
        #expect(strategy.features.count == 25)
        let reference = try Datasets.reference(for: strategy)
        let page = try Browser.load("file://\(dir)/report.html")
        #expect(page.errors == [])
        #expect(page.requests == [])
        for (feature, sample) in zip(strategy.features, reference.features) {
            #expect(page.chart("feature-\(feature.name)")?.bars == Browser.expectedBars(sample), "\(feature.name)")
        }
    }

    /// The landing page of a live exporter: each model's state drawn, and it reloads itself.
    @Test func theLandingPageShowsTheModelAndReloadsItself() throws {
        var strategy = try Strategy.load(path: Browser.repo + "/examples/credit-risk/strategy.yml")
        strategy.visualization.refresh = "1s"
        let live = try LiveExporter(strategies: [strategy])
        let current = try Datasets.readEvents(path: strategy.referencePath, strategy: strategy)
        let body = ndjson(Array(current.prefix(600)), schema: strategy).joined(separator: "\n")
        #expect(try live.client.post("/api/v1/events", body, contentType: "application/x-ndjson").status == 200)

        let page = try Browser.load("http://127.0.0.1:\(live.client.port)/", loads: 2, timeout: 20)
        #expect(page.errors == [])
        #expect(page.requests == [])
        #expect(page.loads >= 2, "the page reloads itself every second")
        #expect(page.chart("window-credit-risk")?.bars == 1)
        #expect(page.chart("labels-credit-risk")?.bars == 1)
        #expect(page.chart("drift-credit-risk")?.bars == strategy.features.count)

        // The summary tiles of the champion's card (the first) are its card as the exporter
        // builds it: the quality and fairness tiles with the values of the window, drawn.
        let card = ReportBuilder(monitor: live.monitors[0]).card()
        let champion = page.tiles(ofCard: 0)
        #expect(champion.map(\.tile) == card.summary.map(\.title))
        #expect(champion.map(\.tile) == ["Drift", "Quality", "Fairness", "Data quality"])
        for title in ["Quality", "Fairness"] {
            let want = try #require(card.summary.first { $0.title == title })
            let got = try #require(champion.first { $0.tile == title }, "no \(title) tile")
            #expect(got.headline == want.headline, "\(title)")
            #expect(got.status == want.status.rawValue, "\(title)")
            #expect(got.rows == min(want.checks.count, 4) + (want.checks.count > 4 ? 1 : 0), "\(title)")
            #expect(got.height > 40, "\(title) tile drawn \(got.height) px high")
        }
        // 600 labelled events of the reference: quality is measured, every fairness gap too.
        let quality = try #require(card.summary.first { $0.title == "Quality" })
        #expect(quality.checks.allSatisfy { $0.value != nil })
        #expect(quality.headline.hasPrefix("f1 (class 1) "))
        let fairness = try #require(card.summary.first { $0.title == "Fairness" })
        #expect(fairness.checks.map(\.name) == strategy.metrics.fairness.map(\.rawValue))
        #expect(fairness.checks.allSatisfy { $0.value != nil })
        // The challenger (second card) has had no event: its tiles wait.
        let challenger = page.tiles(ofCard: 1)
        #expect(challenger.map(\.tile) == ["Drift", "Quality", "Fairness"])
        #expect(challenger.map(\.headline) == ["no data", "no labels yet", "no data"])
        #expect(challenger.map(\.status) == ["waiting", "waiting", "waiting"])
        #expect(page.tiles.count == champion.count + challenger.count)
    }

    /// `backtest --report`: the timeline draws a mark per detection the replay reported and a
    /// bar per span of rows where the alert's threshold was crossed, with no error.
    @Test func theBacktestTimelineRenders() throws {
        let (folder, path, detections, _) = try BacktestTests().replayWithReport()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let spans = try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "StreamAccuracyLow: crossed rows").count - 1
        #expect(spans > 0)

        let page = try Browser.load("file://\(path)", screenshot: folder + "/report.png")
        #expect(page.errors == [])
        #expect(page.requests == [])
        let timeline = try #require(page.chart("timeline"))
        #expect(timeline.marks == detections)
        #expect(timeline.bars == spans)
        #expect(timeline.width > 600, "\(timeline)")
        let png = try Data(contentsOf: URL(fileURLWithPath: folder + "/report.png"))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
    }

    /// The checker itself fails on what it must catch: a script error, a console error, and a
    /// fetch from elsewhere.
    @Test func theCheckerSeesErrorsAndFetches() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try """
            <!DOCTYPE html><html><head><title>bad</title></head><body>
            <img src="http://127.0.0.1:9/pixel.png">
            <script>console.error("broken on purpose"); null.f();</script>
            </body></html>
            """.write(toFile: dir + "/bad.html", atomically: true, encoding: .utf8)
        let page = try Browser.load("file://\(dir)/bad.html")
        #expect(page.errors.contains { $0.contains("broken on purpose") }, "\(page.errors)")
        #expect(page.errors.contains { $0.hasPrefix("exception: TypeError") }, "\(page.errors)")
        #expect(page.requests == ["http://127.0.0.1:9/pixel.png"])
    }
}
