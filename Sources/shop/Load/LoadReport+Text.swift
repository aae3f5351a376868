import Foundation

extension LoadReport {
    /// The report for a person: totals, orders, the oversell check, a table of steps and spans, CPU per process.
    var text: String {
        var lines: [String] = []
        lines.append("shop load: \(scenario) against \(gateway), \(pacing), \(Self.fixed(elapsedSeconds, 1)) s"
            + (interrupted ? " (interrupted by Ctrl-C: the report so far)" : ""))
        lines.append("requests     \(requests.total) = \(Self.fixed(requests.perSecond, 1))/s, \(requests.failed) failed")
        lines.append("iterations   \(iterations.completed) completed (\(Self.fixed(iterations.completedPerSecond, 2))/s), \(iterations.failed) failed"
            + (iterations.arrivalsSkipped > 0 ? ", \(iterations.arrivalsSkipped) arrivals skipped (--max-in-flight reached)" : ""))
        for (reason, count) in iterations.failures.sorted(by: { $0.value > $1.value }).prefix(8) {
            lines.append("  failed     \(count)× \(reason)")
        }
        if let orders {
            lines.append("orders       \(orders.placed) placed, \(orders.paidOrLater) PAID or later = \(Self.fixed(orders.paidPerSecond, 2)) checkouts/s")
            lines.append("  final      " + Self.counts(orders.byFinalStatus))
            if !orders.cancelReasons.isEmpty { lines.append("  cancelled  " + Self.counts(orders.cancelReasons)) }
        }
        if let stock {
            var line = "stock        stocked \(stock.stocked), sold \(stock.sold)"
            if let onHand = stock.finalOnHand, let reserved = stock.finalReserved { line += ", on hand \(onHand), reserved \(reserved)" }
            line += stock.oversold ? ": OVERSOLD (sold > stocked)" : ": sold ≤ stocked"
            if let consistent = stock.consistent { line += consistent ? ", on hand = stocked − sold" : ", on hand ≠ stocked − sold (INCONSISTENT)" }
            lines.append(line)
        }
        if steps.contains(where: { $0.errors["429"] != nil }) {
            lines.append("note         429 answers: the gateway or IAM rate-limited the load; see `shop load --help` for the stack's settings")
        }
        lines.append("")
        let header = ["", "count", "/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors"]
        var rows = steps.map { step in
            [step.name, String(step.count), Self.fixed(step.perSecond, 1)] + Self.latencyColumns(step.latency) + [Self.counts(step.errors, separator: "×")]
        }
        rows += spans.map { [$0.name, String($0.latency.count), ""] + Self.latencyColumns($0.latency) + [""] }
        lines += Self.table([header] + rows)
        if let cpu {
            lines.append("")
            lines.append("cpu          over \(Self.fixed(cpu.wallSeconds, 1)) s: machine \(Self.fixed(cpu.machineBusyCores, 2)) of \(cpu.machineCores) cores busy; "
                + "load average \(cpu.loadAverageAtStart.map { Self.fixed($0, 2) }.joined(separator: " ")) → \(cpu.loadAverageAtEnd.map { Self.fixed($0, 2) }.joined(separator: " "))")
            for process in cpu.processes {
                let figure = process.restarted ? "restarted during the run" : "\(Self.fixed(process.cores * 100, 0))% of a core"
                lines.append("  \(process.name.padding(toLength: 26, withPad: " ", startingAt: 0)) \(figure) (pid \(process.pid))")
            }
            if let busiest = cpu.processes.first(where: { $0.name == cpu.busiest }) {
                var verdict = "busiest      \(busiest.name), \(Self.fixed(busiest.cores * 100, 0))% of a core"
                if cpu.machineBusyCores >= 0.9 * Double(cpu.machineCores) {
                    verdict += "; the machine's cores were saturated, so the processes compete for CPU"
                } else if busiest.cores >= 0.9 {
                    verdict += "; one core's worth: that process is the bottleneck"
                }
                lines.append(verdict)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func latencyColumns(_ latency: Latency) -> [String] {
        [latency.p50Ms, latency.p95Ms, latency.p99Ms, latency.maxMs].map { $0.map { fixed($0, 1) } ?? "-" }
    }

    private static func counts(_ counts: [String: Int], separator: String = " ") -> String {
        counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { separator == "×" ? "\($0.key)×\($0.value)" : "\($0.key) \($0.value)" }.joined(separator: ", ")
    }

    static func fixed(_ value: Double, _ digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }

    /// Left-aligned first column, right-aligned numbers, the last column as it is.
    private static func table(_ rows: [[String]]) -> [String] {
        guard let columns = rows.first?.count else { return [] }
        let widths = (0..<columns).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            var line = row.enumerated().map { column, cell in
                if column == 0 { return cell.padding(toLength: widths[0], withPad: " ", startingAt: 0) }
                if column == columns - 1 { return cell }
                return String(repeating: " ", count: widths[column] - cell.count) + cell
            }.joined(separator: "  ")
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }
    }
}
