import Foundation

/// CPU time a process has used (user + system), read from `/proc/<pid>/stat`. `shop load` reports it per
/// process of the stack it drives; idle tests compare two readings taken a few seconds apart: a process
/// that parks its background loops uses almost none.
public enum ProcessCPU {
    /// Seconds of CPU used so far by `pid`, or nil when the process is gone (or /proc is unavailable).
    public static func seconds(pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return nil }
        // The command name (field 2) may hold spaces and parentheses: fields after the last ')' are fixed.
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After ")": state is fields[0], so utime (field 14) and stime (field 15) are fields[11] and fields[12].
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        return (user + system) / (ticksPerSecond > 0 ? ticksPerSecond : 100)
    }

    /// The share of one core each process used over `window` (0.01 = 1%), keyed by pid. The window is a
    /// measurement period, not a wait for an event: nothing is expected to happen in it.
    public static func usage(of pids: [Int32], over window: Duration) async throws -> [Int32: Double] {
        let before = pids.map { seconds(pid: $0) }
        let started = ContinuousClock.now
        try await Task.sleep(for: window)
        let elapsed = ContinuousClock.now - started
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        var usage: [Int32: Double] = [:]
        for (index, pid) in pids.enumerated() {
            guard let start = before[index], let end = seconds(pid: pid) else { continue }
            usage[pid] = (end - start) / wall
        }
        return usage
    }
}
