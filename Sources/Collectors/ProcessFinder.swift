// Finding the model server's processes: by pid file (read again at every scrape, so a
// restarted server is picked up at once) or by a regular expression on the command line
// (a scan of every process, kept for a few seconds).

import Locking
import Strategy

#if canImport(Glibc)
import Glibc
#endif

package final class ProcessFinder: Sendable {
    package let match: ServingMatch
    private let procfs: String
    private let scanTTL: Double
    private let clock: @Sendable () -> Double
    private let ownPID: Int32
    private let cache = Locked<(pids: [Int32], at: Double)?>(nil)

    /// `scanTTL`: seconds a command-line scan is reused; `clock`: monotonic seconds.
    package init(
        _ match: ServingMatch, procfs: String, scanTTL: Double = 5, clock: @escaping @Sendable () -> Double = Monotonic.seconds
    ) {
        self.match = match
        self.procfs = procfs
        self.scanTTL = scanTTL
        self.clock = clock
        ownPID = getpid()
    }

    /// The pids of the model server's running processes; empty when none runs.
    package func pids() -> [Int32] {
        switch match {
        case .pidFile(let path):
            guard let text = try? FileSystem.read(path),
                let pid = Int32(text.split(whereSeparator: { $0.isWhitespace }).first ?? ""), pid > 0,
                (try? FileSystem.read("\(procfs)/\(pid)/stat")) != nil
            else { return [] }
            return [pid]
        case .commandLine(let pattern):
            guard let regex = try? Regex(pattern) else { return [] }  // the strategy loader checked it
            let now = clock()
            if let cached = cache.withLock({ $0 }), now - cached.at < scanTTL {
                // Keep only those still running the same command (a pid may have been reused).
                let alive = cached.pids.filter { matches($0, regex) }
                if !alive.isEmpty || cached.pids.isEmpty { return alive }
            }
            let found = scan(regex)
            cache.withLock { $0 = (found, now) }
            return found
        }
    }

    private func scan(_ regex: Regex<AnyRegexOutput>) -> [Int32] {
        let names = (try? FileSystem.entries(procfs)) ?? []
        return names.compactMap { Int32($0) }.filter { $0 != ownPID && matches($0, regex) }.sorted()
    }

    private func matches(_ pid: Int32, _ regex: Regex<AnyRegexOutput>) -> Bool {
        guard let text = try? FileSystem.read("\(procfs)/\(pid)/cmdline"), !text.isEmpty else { return false }
        return ProcFiles.commandLine(text).contains(regex)
    }
}

/// How a model server's processes are found, with paths resolved.
package typealias ServingMatch = ServingSpec.ProcessMatch
