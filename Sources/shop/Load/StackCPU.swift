import Foundation
import ServiceKit

/// CPU use of the stack under load, from `/proc`: each `shop up` process of the stack at the gateway's port
/// offset (`StackProcesses`), this load generator itself, and the whole machine. Two samples, at the start and
/// the end of the run, give each process's share of one core over the run.
struct StackCPUSample: Sendable {
    struct Process: Sendable {
        var name: String
        var pid: Int32
        var cpuSeconds: Double
    }

    var at: ContinuousClock.Instant
    var processes: [Process]
    /// `/proc/stat`'s first line: ticks of all cores, busy and in total.
    var machineBusyTicks: Int64
    var machineTotalTicks: Int64
    /// `/proc/loadavg`'s 1, 5 and 15 minute averages.
    var loadAverage: [Double]

    static let loadGeneratorName = "shop load (this process)"

    /// The processes of the stack at `portOffset`, and this process.
    static func take(portOffset: Int) -> StackCPUSample {
        var processes = StackProcesses.all(portOffset: portOffset).compactMap { name, pid in
            ProcessCPU.seconds(pid: pid).map { Process(name: name, pid: pid, cpuSeconds: $0) }
        }
        if let own = ProcessCPU.seconds(pid: getpid()) {
            processes.append(Process(name: loadGeneratorName, pid: getpid(), cpuSeconds: own))
        }
        let (busy, total) = machineTicks()
        return StackCPUSample(at: .now, processes: processes, machineBusyTicks: busy, machineTotalTicks: total,
                              loadAverage: loadAverage())
    }

    /// Busy and total ticks over all cores (busy = total − idle − iowait).
    private static func machineTicks() -> (Int64, Int64) {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first, line.hasPrefix("cpu ") else { return (0, 0) }
        let ticks = line.split(separator: " ").dropFirst().compactMap { Int64($0) }
        guard ticks.count >= 5 else { return (0, 0) }
        let total = ticks.reduce(0, +)
        return (total - ticks[3] - ticks[4], total)
    }

    private static func loadAverage() -> [Double] {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return [] }
        return text.split(separator: " ").prefix(3).compactMap { Double($0) }
    }
}
