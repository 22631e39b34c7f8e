import Foundation
import Testing

/// Every error the command line can end with, each through the built binary: its exit status
/// (64 for a usage error, 1 for anything else) and the words on stderr that say what and where.
@Suite struct CLIErrorTests {
    /// One command that must fail; `{dir}` in an argument is a fresh folder holding `taken`
    /// (a regular file, where a folder is expected) and `s.yml` (credit_psi's strategy with its
    /// reference somewhere absent).
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var arguments: [String]
        var status: Int32
        var message: String
        var testDescription: String { name }
    }

    static let strategy = Fixtures.oracle("credit_psi") + "/strategy.yml"
    static let current = Fixtures.oracle("credit_psi") + "/current.csv"

    static let cases: [Case] = [
        Case(name: "check without a strategy", arguments: ["check"], status: 64, message: "Missing expected argument '--strategy <strategy> ...'"),
        Case(name: "generate without a strategy", arguments: ["generate"], status: 64, message: "Missing expected argument '--strategy <strategy> ...'"),
        Case(name: "serve without a strategy", arguments: ["serve"], status: 64, message: "Missing expected argument '--strategy <strategy> ...'"),
        Case(name: "a strategy file that is not there", arguments: ["check", "--strategy", "{dir}/absent.yml"], status: 1,
             message: "Error: cannot read {dir}/absent.yml: no such file or directory"),
        Case(name: "evaluate: a current file that is not there", arguments: ["evaluate", "--strategy", strategy, "--current", "{dir}/absent.csv"], status: 1,
             message: "Error: cannot read {dir}/absent.csv: no such file or directory"),
        Case(name: "evaluate: a reference that is not there", arguments: ["evaluate", "--strategy", "{dir}/s.yml", "--current", current], status: 1,
             message: "Error: cannot read {dir}/absent/reference.csv: no such file or directory (the reference named at {dir}/s.yml:9:9: reference.path)"),
        // The current file is read while the strategy and its reference are: the error is still
        // the strategy's, then the reference's, as when they are read one after the other.
        Case(name: "evaluate: a strategy and a current file that are not there", arguments: ["evaluate", "--strategy", "{dir}/absent.yml", "--current", "{dir}/absent.csv"], status: 1,
             message: "Error: cannot read {dir}/absent.yml: no such file or directory"),
        Case(name: "evaluate: a reference and a current file that are not there", arguments: ["evaluate", "--strategy", "{dir}/s.yml", "--current", "{dir}/absent.csv"], status: 1,
             message: "Error: cannot read {dir}/absent/reference.csv: no such file or directory (the reference named at {dir}/s.yml:9:9: reference.path)"),
        Case(name: "evaluate: a textfile in a folder that is not there", arguments: ["evaluate", "--strategy", strategy, "--current", current, "--textfile", "{dir}/absent/m.prom"], status: 1,
             message: "Error: cannot write {dir}/absent/m.prom: no such file or directory"),
        Case(name: "evaluate: a constant label the series already carry", arguments: ["evaluate", "--strategy", strategy, "--current", current, "--label", "model=x"], status: 64,
             message: "--label model=x: \"model\" is reserved: model_exporter's series or Prometheus already use it; use another name, e.g. pod"),
        Case(name: "evaluate: a constant label that is not a label name", arguments: ["evaluate", "--strategy", strategy, "--current", current, "--label", "shard-id=3"], status: 64,
             message: "--label shard-id=3: \"shard-id\" is not a label name: a letter or _ first, then letters, digits and _"),
        Case(name: "evaluate: a constant label without a value", arguments: ["evaluate", "--strategy", strategy, "--current", current, "--label", "pod"], status: 64,
             message: "--label pod: expected NAME=VALUE, e.g. pod=shard-3"),
        Case(name: "generate: an unknown format", arguments: ["generate", "--strategy", strategy, "--out", "{dir}/out", "--format", "yaml"], status: 64,
             message: "unknown --format yaml (known: prometheusrule)"),
        Case(name: "generate: a webhook without its team", arguments: ["generate", "--strategy", strategy, "--out", "{dir}/out", "--webhook", "http://x"], status: 64,
             message: "--webhook takes TEAM=URL, found http://x"),
        Case(name: "generate: a rate window of one scrape", arguments: ["generate", "--strategy", strategy, "--out", "{dir}/out", "--rules.rate-window", "10s"], status: 64,
             message: "--rules.rate-window 10s is shorter than two scrape intervals (15s): rate() needs two samples in its window"),
        Case(name: "generate: an output folder that cannot be made", arguments: ["generate", "--strategy", strategy, "--out", "{dir}/taken/out"], status: 1,
             message: "Error: cannot write {dir}/taken/out: not a directory"),
        Case(name: "serve: a telemetry path without its slash", arguments: ["serve", "--strategy", strategy, "--web.telemetry-path", "metrics"], status: 64,
             message: "--web.telemetry-path must start with /"),
        Case(name: "serve: a storage path that cannot be a folder", arguments: ["serve", "--strategy", strategy, "--storage.path", "{dir}/taken/windows", "--web.listen-address", "127.0.0.1:0"], status: 1,
             message: "Error: --storage.path: cannot create {dir}/taken/windows: not a directory"),
        Case(name: "serve: one model twice", arguments: ["serve", "--strategy", strategy, "--strategy", strategy, "--web.listen-address", "127.0.0.1:0"], status: 1,
             message: "\(strategy): model \"credit_psi\" is served twice"),
        Case(name: "serve: a reference that is not there", arguments: ["serve", "--strategy", "{dir}/s.yml", "--web.listen-address", "127.0.0.1:0"], status: 1,
             message: "Error: cannot read {dir}/absent/reference.csv: no such file or directory (the reference named at {dir}/s.yml:9:9: reference.path)"),
        Case(name: "serve: a listen address without a port", arguments: ["serve", "--strategy", strategy, "--web.listen-address", "localhost"], status: 1,
             message: "--web.listen-address: listen address 'localhost': missing port (write host:port or :port)"),
        Case(name: "serve: a port out of range", arguments: ["serve", "--strategy", strategy, "--web.listen-address", "127.0.0.1:99999"], status: 1,
             message: "--web.listen-address: listen address '127.0.0.1:99999': port must be a number from 0 to 65535"),
        Case(name: "serve: a web config file that is not there", arguments: ["serve", "--strategy", strategy, "--web.config.file", "{dir}/absent-web.yml"], status: 1,
             message: "cannot read {dir}/absent-web.yml"),
        Case(name: "serve: an unknown log level", arguments: ["serve", "--strategy", strategy, "--log.level", "loud"], status: 64,
             message: "The value 'loud' is invalid for '--log.level <log.level>'. Please provide one of 'debug', 'info', 'warn' or 'error'."),
        Case(name: "serve: a body limit that is not a number", arguments: ["serve", "--strategy", strategy, "--web.max-request-bytes", "lots"], status: 64,
             message: "The value 'lots' is invalid for '--web.max-request-bytes <web.max-request-bytes>'"),
        Case(name: "serve: a statistics delay that is not a duration", arguments: ["serve", "--strategy", strategy, "--compute.max-delay", "1.5s"], status: 64,
             message: "--compute.max-delay: invalid duration \"1.5s\" (e.g. 500ms, 10s, 1m)"),
        Case(name: "backtest: a report interval below one row", arguments: ["backtest", "--strategy", strategy, "--current", current, "--every", "0"], status: 64,
             message: "--every must be at least 1, found 0"),
        Case(name: "generate: a fleet range that is not a duration", arguments: ["generate", "--strategy", strategy, "--out", "{dir}/out", "--fleet", "--fleet.range", "1m1h"], status: 64,
             message: "--fleet.range 1m1h: not a Prometheus duration above zero (e.g. 1h, 1d)"),
        Case(name: "generate: a fleet range of nothing", arguments: ["generate", "--strategy", strategy, "--out", "{dir}/out", "--fleet", "--fleet.range", "0s"], status: 64,
             message: "--fleet.range 0s: not a Prometheus duration above zero (e.g. 1h, 1d)"),
        Case(name: "generate: a fleet range without --fleet", arguments: ["generate", "--strategy", strategy, "--out", "{dir}/out", "--fleet.range", "1d"], status: 64,
             message: "--fleet.range needs --fleet"),
        Case(name: "serve: a log segment size of nothing", arguments: ["serve", "--strategy", strategy, "--storage.path", "{dir}/windows", "--storage.wal-segment-size", "0", "--web.listen-address", "192.0.2.1:9"], status: 64,
             message: "--storage.wal-segment-size must be at least 1 (MiB)"),
        Case(name: "an unknown command", arguments: ["export"], status: 64, message: "Unexpected argument 'export'"),
    ]

    @Test(arguments: cases)
    func endsWithItsMessage(_ c: Case) throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "".write(toFile: dir + "/taken", atomically: true, encoding: .utf8)
        let text = try String(contentsOfFile: Self.strategy, encoding: .utf8)
        try text.replacingOccurrences(of: #"path: "reference.csv""#, with: #"path: "absent/reference.csv""#)
            .write(toFile: dir + "/s.yml", atomically: true, encoding: .utf8)
        let r = try CLI.run(c.arguments.map { $0.replacingOccurrences(of: "{dir}", with: dir) })
        #expect(r.status == c.status, "\(r.stderr)")
        #expect(r.stderr.contains(c.message.replacingOccurrences(of: "{dir}", with: dir)), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/out"), "an output folder made by a command that failed")
    }

    /// A port another process holds: serve says which address, and stops.
    @Test func aPortInUse() throws {
        let holder = try ServedProcess(["--strategy", Self.strategy])
        defer { _ = holder.stop() }
        let r = try CLI.run(["serve", "--strategy", Self.strategy, "--web.listen-address", "127.0.0.1:\(holder.port)"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("Error: listen 127.0.0.1:\(holder.port): address already in use"), "\(r.stderr)")
    }
}
