// Parsing of the procfs files the process collectors read: pure functions of their text, so
// tests feed fixture text (reading is in FileSystem.swift, choosing files in the collectors).

/// What `/proc/PID/stat` says of one process, in its own units (clock ticks, pages).
package struct ProcStat: Equatable, Sendable {
    package var userTicks: Double
    package var systemTicks: Double
    package var threads: Double
    /// Clock ticks after boot.
    package var startTicks: Double
    package var virtualBytes: Double
    package var residentPages: Double

    /// Parses `/proc/PID/stat`. The command name (field 2) may hold spaces and parentheses,
    /// so fields are counted after the last `)`.
    package init?(_ text: String) {
        guard let close = text.lastIndex(of: ")") else { return nil }
        let rest = text[text.index(after: close)...].split(separator: " ")
        // rest[0] is field 3 (state); field N is rest[N - 3].
        func field(_ n: Int) -> Double? { n - 3 < rest.count ? Double(rest[n - 3]) : nil }
        guard let utime = field(14), let stime = field(15), let threads = field(20), let start = field(22),
            let vsize = field(23), let rss = field(24)
        else { return nil }
        userTicks = utime
        systemTicks = stime
        self.threads = threads
        startTicks = start
        virtualBytes = vsize
        residentPages = rss
    }
}

package enum ProcFiles {
    /// `btime` (boot time, unix seconds) from `/proc/stat`.
    package static func bootTime(_ text: String) -> Double? {
        value(of: "btime", in: text, separator: " ")
    }

    /// `read_bytes` and `write_bytes` of `/proc/PID/io`: bytes the process made the storage
    /// layer read and write.
    package static func storageIO(_ text: String) -> (read: Double, written: Double)? {
        guard let read = value(of: "read_bytes", in: text, separator: ":"),
            let written = value(of: "write_bytes", in: text, separator: ":")
        else { return nil }
        return (read, written)
    }

    /// `/proc/PID/cmdline` as a command line: NULs between arguments become spaces.
    package static func commandLine(_ text: String) -> String {
        var s = text
        while s.last == "\0" { s.removeLast() }
        return String(s.map { $0 == "\0" ? " " : $0 })
    }

    /// The number after `key` and `separator` on a line of `key<separator> value` lines.
    package static func value(of key: String, in text: String, separator: Character) -> Double? {
        for line in text.split(separator: "\n") {
            guard line.hasPrefix(key), line.dropFirst(key.count).first == separator else { continue }
            return Double(line.dropFirst(key.count + 1).drop(while: { $0 == " " || $0 == "\t" }))
        }
        return nil
    }
}
