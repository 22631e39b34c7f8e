// Running the real tools (promtool, amtool, validate.py) from the tests. A missing tool is a
// failure that says how to install it, never a skip.

import Foundation
import Testing
@testable import Generator
import Strategy
import TestSupport

enum Repo {
    /// The package root (…/Tests/GeneratorTests/Support.swift → …).
    static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
}

struct ToolResult {
    var status: Int32
    var output: String
}

enum Tools {
    static let installHint = "run scripts/install-deps (Debian packages prometheus and prometheus-alertmanager, PyPI jsonschema)"

    /// Records a failure naming the install script when a tool is missing.
    static func require(_ names: [String], sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        var ok = true
        for n in names where PathTools.which(n) == nil {
            Issue.record("\(n) not found on PATH: \(installHint)", sourceLocation: sourceLocation)
            ok = false
        }
        return ok
    }

    /// One tool at a time: Foundation's Process and Pipe are not safe to use from parallel
    /// tests on Linux, and the machine has two cores anyway.
    private static let lock = NSLock()

    /// Runs `executable`; `output` is its standard output, followed by its standard error
    /// unless `stderr` is false.
    static func run(_ executable: String, _ args: [String], cwd: String? = nil, stderr: Bool = true) throws -> ToolResult {
        lock.lock()
        defer { lock.unlock() }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: PathTools.which(executable) ?? executable)
        p.arguments = args
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        // Output goes to a file, not a pipe: reading a pipe with FileHandle can die on EINTR
        // (SIGCHLD) in swift-corelibs-foundation.
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("tool-\(UUID().uuidString).out")
        try Data().write(to: out)
        defer { try? FileManager.default.removeItem(at: out) }
        let handle = try FileHandle(forWritingTo: out)
        p.standardOutput = handle
        p.standardError = stderr ? handle : FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        try handle.close()
        let data = try Data(contentsOf: out)
        return ToolResult(status: p.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    static func tempDir(_ label: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("generator-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.path
    }
}

/// Metric names a PromQL expression reads: identifiers outside strings, label matchers,
/// ranges and grouping clauses that are not functions, keywords or numbers.
enum PromQLNames {
    static let keywords: Set<String> = [
        "and", "or", "unless", "bool", "by", "without", "on", "ignoring", "group_left", "group_right", "offset", "inf", "nan",
        // aggregation operators (may be followed by `by (…)` rather than `(`)
        "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk", "quantile",
    ]

    static func metricNames(_ expr: String) -> Set<String> {
        var cleaned = ""
        var chars = Array(expr)
        var i = 0
        // Drop strings, {…} and […].
        while i < chars.count {
            let c = chars[i]
            if c == "\"" {
                i += 1
                while i < chars.count, chars[i] != "\"" { i += chars[i] == "\\" ? 2 : 1 }
                i += 1
                cleaned += " "
            } else if c == "{" || c == "[" {
                let close: Character = c == "{" ? "}" : "]"
                while i < chars.count, chars[i] != close {
                    if chars[i] == "\"" {
                        i += 1
                        while i < chars.count, chars[i] != "\"" { i += chars[i] == "\\" ? 2 : 1 }
                    }
                    i += 1
                }
                i += 1
                cleaned += " "
            } else {
                cleaned.append(c)
                i += 1
            }
        }
        chars = Array(cleaned)
        var names: Set<String> = []
        var tokens: [(String, Int)] = []
        i = 0
        while i < chars.count {
            let c = chars[i]
            if c.isLetter || c == "_" || c == ":" {
                var j = i
                while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" || chars[j] == ":" { j += 1 }
                tokens.append((String(chars[i..<j]), j))
                i = j
            } else if c.isNumber || c == "." {
                var j = i
                while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "." { j += 1 }
                i = j
            } else {
                i += 1
            }
        }
        var skipGroup = false
        for (tok, end) in tokens {
            var k = end
            while k < chars.count, chars[k] == " " { k += 1 }
            let isCall = k < chars.count && chars[k] == "("
            if ["by", "without", "on", "ignoring", "group_left", "group_right"].contains(tok) {
                skipGroup = true
                continue
            }
            if skipGroup {
                // Label names inside the grouping parentheses.
                var back = end
                while back < chars.count, chars[back] == " " { back += 1 }
                if back < chars.count, chars[back] == ")" { skipGroup = false }
                continue
            }
            if isCall || keywords.contains(tok.lowercased()) { continue }
            names.insert(tok)
        }
        return names
    }
}
