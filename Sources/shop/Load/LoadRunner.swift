import Synchronization

/// How iterations are started: a fixed number of virtual users that each run one iteration after another
/// (closed model), or a target rate of new iterations per second whatever the answers' speed (open model,
/// with a bound on how many may run at once).
enum LoadPacing: Sendable {
    case virtualUsers(Int)
    case rate(perSecond: Double, maxInFlight: Int)
}

/// When a run stops starting iterations: after a duration, after a count, or both (whichever comes first),
/// or at Ctrl-C. Shared by every worker; each claims an iteration before it starts one.
final class RunBudget: Sendable {
    let deadline: ContinuousClock.Instant?
    let count: Int?
    private let claimed = Mutex(0)

    init(duration: Duration?, count: Int?, from start: ContinuousClock.Instant = .now) {
        deadline = duration.map { start + $0 }
        self.count = count
    }

    /// True when one more iteration may start (and counts it).
    func claim() -> Bool {
        if let deadline, ContinuousClock.now >= deadline { return false }
        return claimed.withLock { claimed in
            if let count, claimed >= count { return false }
            claimed += 1
            return true
        }
    }
}

/// Runs iterations under a pacing and a budget, counting each as completed or failed (by reason). An
/// iteration that was running at the deadline finishes (its own waits are bounded); cancelling the calling
/// task (Ctrl-C) stops everything at once.
struct LoadRunner: Sendable {
    let pacing: LoadPacing
    let budget: RunBudget
    let recorder: LoadRecorder

    func run(_ iteration: @escaping @Sendable () async throws -> Void) async {
        switch pacing {
        case .virtualUsers(let users):
            await withDiscardingTaskGroup { group in
                for _ in 0..<users {
                    group.addTask {
                        while !Task.isCancelled, budget.claim() {
                            await runOne(iteration)
                        }
                    }
                }
            }
        case .rate(let perSecond, let maxInFlight):
            let inFlight = InFlightCount()
            let start = ContinuousClock.now
            let interval = Duration.seconds(1 / perSecond)
            await withDiscardingTaskGroup { group in
                var arrival = 0
                while !Task.isCancelled {
                    let due = start + interval * arrival
                    arrival += 1
                    do { try await Task.sleep(until: due, clock: .continuous) } catch { break }
                    let admitted = inFlight.enter(below: maxInFlight)
                    guard admitted else {
                        recorder.arrivalSkipped()
                        if let deadline = budget.deadline, ContinuousClock.now >= deadline { break }
                        continue
                    }
                    guard budget.claim() else {
                        inFlight.leave()
                        break
                    }
                    group.addTask {
                        await runOne(iteration)
                        inFlight.leave()
                    }
                }
            }
        }
    }

    private func runOne(_ iteration: @Sendable () async throws -> Void) async {
        recorder.iterationStarted()
        do {
            try await iteration()
            recorder.iterationCompleted()
        } catch is CancellationError {
            // Ctrl-C: neither completed nor failed.
        } catch {
            recorder.iterationFailed(String(describing: error))
        }
    }
}

/// Iterations running at once in rate mode (shared by the arrival loop and the iterations it starts).
final class InFlightCount: Sendable {
    private let count = Mutex(0)

    /// Counts one more when fewer than `limit` are running; false when the limit is reached.
    func enter(below limit: Int) -> Bool {
        count.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    func leave() {
        count.withLock { $0 -= 1 }
    }
}
