import Foundation

/// What a run measured, as `--json` prints it and the text report shows it. Latencies are milliseconds.
struct LoadReport: Codable, Sendable {
    struct Latency: Codable, Sendable {
        var count: Int
        var p50Ms: Double?
        var p95Ms: Double?
        var p99Ms: Double?
        var maxMs: Double?
        var meanMs: Double?

        init(_ histogram: LatencyHistogram) {
            func ms(_ micros: Int64?) -> Double? { micros.map { Double($0) / 1000 } }
            count = Int(histogram.count)
            p50Ms = ms(histogram.quantileMicroseconds(0.50))
            p95Ms = ms(histogram.quantileMicroseconds(0.95))
            p99Ms = ms(histogram.quantileMicroseconds(0.99))
            maxMs = histogram.count > 0 ? ms(histogram.maxMicroseconds) : nil
            meanMs = histogram.meanMicroseconds.map { $0 / 1000 }
        }
    }

    struct Step: Codable, Sendable {
        var name: String
        var count: Int
        var perSecond: Double
        var latency: Latency
        /// Non-2xx answers by status code, and `transport: …` for calls without an answer.
        var errors: [String: Int]
    }

    struct Span: Codable, Sendable {
        var name: String
        var latency: Latency
    }

    struct Requests: Codable, Sendable {
        var total: Int
        var perSecond: Double
        var failed: Int
    }

    struct Iterations: Codable, Sendable {
        var started: Int
        var completed: Int
        var failed: Int
        var completedPerSecond: Double
        var arrivalsSkipped: Int
        /// Why iterations failed, counted.
        var failures: [String: Int]
    }

    struct Orders: Codable, Sendable {
        var placed: Int
        var paidOrLater: Int
        /// Orders that reached PAID or later per second of the run: checkouts per second.
        var paidPerSecond: Double
        /// Where each order was when its shopper stopped watching it (`… (unsettled)`: still moving at the wait bound).
        var byFinalStatus: [String: Int]
        var cancelReasons: [String: Int]
    }

    struct Stock: Codable, Sendable {
        var stocked: Int
        /// Units in orders that reached PAID or later.
        var sold: Int
        var oversold: Bool
        var finalOnHand: Int?
        var finalReserved: Int?
        /// `finalOnHand == stocked − sold` (nil when not read).
        var consistent: Bool?
    }

    struct ProcessShare: Codable, Sendable {
        var name: String
        var pid: Int32
        var cpuSeconds: Double
        /// CPU seconds per second of the run: 1.0 is one whole core.
        var cores: Double
        /// The process at the end is not the one at the start (`shop up` restarted it): no figure.
        var restarted: Bool
    }

    struct CPU: Codable, Sendable {
        var wallSeconds: Double
        var machineCores: Int
        /// Busy time of all cores per second of the run (at most `machineCores`).
        var machineBusyCores: Double
        var loadAverageAtStart: [Double]
        var loadAverageAtEnd: [Double]
        /// Busiest first.
        var processes: [ProcessShare]
        var busiest: String?
    }

    var scenario: String
    var gateway: String
    var pacing: String
    var startedAt: String
    var elapsedSeconds: Double
    var interrupted: Bool
    var requests: Requests
    var steps: [Step]
    var spans: [Span]
    var iterations: Iterations
    var orders: Orders?
    var stock: Stock?
    var cpu: CPU?
}

extension LoadReport {
    init(scenario: String, gateway: String, pacing: String, startedAt: Date, elapsed: Duration, interrupted: Bool,
         tally: LoadRecorder.Tally, stock: Stock?, cpu: CPU?, withOrders: Bool) {
        let seconds = max(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, 0.001)
        self.scenario = scenario
        self.gateway = gateway
        self.pacing = pacing
        self.startedAt = startedAt.formatted(.iso8601)
        elapsedSeconds = seconds
        self.interrupted = interrupted
        requests = Requests(total: tally.requests, perSecond: Double(tally.requests) / seconds, failed: tally.failedRequests)
        steps = LoadStep.allCases.compactMap { step in
            let entry = tally.steps[step.rawValue]
            guard entry.latency.count > 0 else { return nil }
            return Step(name: step.name, count: Int(entry.latency.count), perSecond: Double(entry.latency.count) / seconds,
                        latency: Latency(entry.latency), errors: entry.errors)
        }
        spans = LoadSpan.allCases.compactMap { span in
            let histogram = tally.spans[span.rawValue]
            return histogram.count > 0 ? Span(name: span.name, latency: Latency(histogram)) : nil
        }
        iterations = Iterations(started: tally.iterationsStarted, completed: tally.iterationsCompleted, failed: tally.iterationsFailed,
                                completedPerSecond: Double(tally.iterationsCompleted) / seconds,
                                arrivalsSkipped: tally.arrivalsSkipped, failures: tally.failures)
        orders = withOrders
            ? Orders(placed: tally.ordersPlaced, paidOrLater: tally.ordersPaidOrLater,
                     paidPerSecond: Double(tally.ordersPaidOrLater) / seconds,
                     byFinalStatus: tally.finalStatuses, cancelReasons: tally.cancelReasons)
            : nil
        self.stock = stock
        self.cpu = cpu
    }

    /// The two samples' difference per process, busiest first.
    static func cpu(from start: StackCPUSample, to end: StackCPUSample) -> CPU {
        let elapsed = end.at - start.at
        let wall = max(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, 0.001)
        var shares: [ProcessShare] = []
        for before in start.processes {
            let after = end.processes.first { $0.name == before.name }
            let restarted = after?.pid != before.pid
            let used = restarted ? 0 : (after?.cpuSeconds ?? before.cpuSeconds) - before.cpuSeconds
            shares.append(ProcessShare(name: before.name, pid: after?.pid ?? before.pid, cpuSeconds: used, cores: used / wall,
                                       restarted: restarted))
        }
        shares.sort { $0.cores > $1.cores }
        let cores = max(ProcessInfo.processInfo.activeProcessorCount, 1)
        let totalTicks = end.machineTotalTicks - start.machineTotalTicks
        let busyShare = totalTicks > 0 ? Double(end.machineBusyTicks - start.machineBusyTicks) / Double(totalTicks) : 0
        return CPU(wallSeconds: wall, machineCores: cores, machineBusyCores: busyShare * Double(cores),
                   loadAverageAtStart: start.loadAverage, loadAverageAtEnd: end.loadAverage, processes: shares,
                   busiest: shares.first { $0.name != StackCPUSample.loadGeneratorName }?.name)
    }

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
