import Synchronization

/// Everything a run counts, behind one lock: per-step latency histograms and errors, per-order spans,
/// iterations, and the orders' final statuses. Workers record; the progress line and the report read
/// snapshots. A record is a lock, an index and an increment (error and status tallies touch a dictionary
/// only for the rare failures and once per order).
final class LoadRecorder: Sendable {
    struct StepTally: Sendable {
        var latency = LatencyHistogram()
        /// Non-2xx answers by status code (`"422"`) and failures without an answer (`"transport: timeout"`).
        var errors: [String: Int] = [:]
    }

    struct Tally: Sendable {
        var steps = Array(repeating: StepTally(), count: LoadStep.allCases.count)
        var spans = Array(repeating: LatencyHistogram(), count: LoadSpan.allCases.count)
        var requests = 0
        var failedRequests = 0
        var iterationsStarted = 0
        var iterationsCompleted = 0
        var iterationsFailed = 0
        /// Why iterations failed (`"POST /orders: 422"`), counted.
        var failures: [String: Int] = [:]
        /// Rate mode: arrivals not started because `--max-in-flight` iterations were already running.
        var arrivalsSkipped = 0
        var ordersPlaced = 0
        /// The last status each order was seen in when the shopper stopped watching it.
        var finalStatuses: [String: Int] = [:]
        var cancelReasons: [String: Int] = [:]
        var ordersPaidOrLater = 0
        var unitsSold = 0
    }

    private let tally = Mutex(Tally())

    func request(_ step: LoadStep, took duration: Duration, status: Int) {
        tally.withLock { tally in
            tally.requests += 1
            tally.steps[step.rawValue].latency.record(duration)
            if !(200..<300).contains(status) {
                tally.failedRequests += 1
                tally.steps[step.rawValue].errors[String(status), default: 0] += 1
            }
        }
    }

    func transportFailure(_ step: LoadStep, took duration: Duration, kind: String) {
        tally.withLock { tally in
            tally.requests += 1
            tally.failedRequests += 1
            tally.steps[step.rawValue].latency.record(duration)
            tally.steps[step.rawValue].errors["transport: " + kind, default: 0] += 1
        }
    }

    func span(_ span: LoadSpan, _ duration: Duration) {
        tally.withLock { $0.spans[span.rawValue].record(duration) }
    }

    func iterationStarted() {
        tally.withLock { $0.iterationsStarted += 1 }
    }

    func iterationCompleted() {
        tally.withLock { $0.iterationsCompleted += 1 }
    }

    func iterationFailed(_ reason: String) {
        tally.withLock { tally in
            tally.iterationsFailed += 1
            tally.failures[reason, default: 0] += 1
        }
    }

    func arrivalSkipped() {
        tally.withLock { $0.arrivalsSkipped += 1 }
    }

    func orderPlaced() {
        tally.withLock { $0.ordersPlaced += 1 }
    }

    /// Where an order ended up when the shopper stopped watching it; `units` count as sold when it is PAID or later.
    func orderSettled(status: String, cancelReason: String?, units: Int) {
        tally.withLock { tally in
            tally.finalStatuses[status, default: 0] += 1
            if let cancelReason { tally.cancelReasons[cancelReason, default: 0] += 1 }
            if OrderStatuses.paidOrLater.contains(status) {
                tally.ordersPaidOrLater += 1
                tally.unitsSold += units
            }
        }
    }

    /// The whole tally (for the report).
    func snapshot() -> Tally {
        tally.withLock { $0 }
    }

    /// The counters of the progress line, without copying the histograms.
    struct Progress: Sendable {
        var requests: Int
        var failedRequests: Int
        var iterationsCompleted: Int
        var iterationsFailed: Int
        var ordersPaidOrLater: Int
    }

    func progress() -> Progress {
        tally.withLock {
            Progress(requests: $0.requests, failedRequests: $0.failedRequests, iterationsCompleted: $0.iterationsCompleted,
                     iterationsFailed: $0.iterationsFailed, ordersPaidOrLater: $0.ordersPaidOrLater)
        }
    }
}
