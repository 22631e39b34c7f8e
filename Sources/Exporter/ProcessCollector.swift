#if canImport(Glibc)
import Glibc
#endif
import Exposition
import Strategy

/// The standard `process_*` families, read from procfs as Prometheus' Go client does.
/// Reading (`read`) is split from parsing (`parse`) so tests feed fixture text.
public struct ProcessCollector: Sendable {
    public let procRoot: String

    public init(procRoot: String = "/proc") { self.procRoot = procRoot }

    public struct Stat: Equatable, Sendable {
        public var cpuSeconds: Double
        public var virtualBytes: Double
        public var residentBytes: Double
        public var startTimeSeconds: Double
    }

    /// Parses `/proc/self/stat` given the clock tick rate, page size and boot time.
    public static func parse(stat: String, ticksPerSecond: Double, pageSize: Double, bootTime: Double) -> Stat? {
        // The command name (field 2) may hold spaces and parentheses: split after the last ')'.
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let rest = stat[stat.index(after: close)...].split(separator: " ")
        // rest[0] is field 3 (state); field N is rest[N - 3].
        func field(_ n: Int) -> Double? { n - 3 < rest.count ? Double(rest[n - 3]) : nil }
        guard let utime = field(14), let stime = field(15), let start = field(22), let vsize = field(23), let rss = field(24) else { return nil }
        return Stat(
            cpuSeconds: (utime + stime) / ticksPerSecond, virtualBytes: vsize, residentBytes: rss * pageSize,
            startTimeSeconds: bootTime + start / ticksPerSecond)
    }

    /// `btime` from /proc/stat.
    public static func parseBootTime(_ text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingPrefixSpaces())
        }
        return nil
    }

    public func families() -> [Family] {
        var out: [Family] = []
        func add(_ f: MetricFamily, _ v: Double) {
            out.append(Family(f, samples: [Sample(value: v)]))
        }
        if let statText = readFile(procRoot + "/self/stat"),
            let boot = readFile(procRoot + "/stat").flatMap(Self.parseBootTime),
            let s = Self.parse(stat: statText, ticksPerSecond: Double(sysconf(Int32(_SC_CLK_TCK))), pageSize: Double(sysconf(Int32(_SC_PAGESIZE))), bootTime: boot)
        {
            add(Catalog.processCPU, s.cpuSeconds)
            out[out.count - 1].created = s.startTimeSeconds
            add(Catalog.processVirtual, s.virtualBytes)
            add(Catalog.processResident, s.residentBytes)
            add(Catalog.processStartTime, s.startTimeSeconds)
        }
        if let n = countEntries(procRoot + "/self/fd") { add(Catalog.processOpenFDs, Double(n)) }
        var limit = rlimit()
        if getrlimit(RLIMIT_NOFILE_VALUE, &limit) == 0 { add(Catalog.processMaxFDs, Double(limit.rlim_cur)) }
        return out
    }

    private var RLIMIT_NOFILE_VALUE: __rlimit_resource_t { __rlimit_resource_t(RLIMIT_NOFILE.rawValue) }

    private func readFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            out.append(contentsOf: buf[0..<n])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private func countEntries(_ path: String) -> Int? {
        guard let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        var n = 0
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { $0.prefix(3) }
            if name[0] == UInt8(ascii: ".") && (name[1] == 0 || (name[1] == UInt8(ascii: ".") && name[2] == 0)) { continue }
            n += 1
        }
        return max(n - 1, 0)  // the directory stream's own descriptor
    }
}

extension Substring {
    func trimmingPrefixSpaces() -> Substring { drop(while: { $0 == " " }) }
}
