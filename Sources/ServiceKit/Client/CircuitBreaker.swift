import Synchronization

/// Per-upstream circuit breaker: after `failureThreshold` consecutive failures it opens and refuses calls
/// for `openDuration`; then one trial call is let through (half-open); its success closes the circuit,
/// its failure opens it again.
public final class CircuitBreaker: Sendable {
    public enum State: Sendable, Equatable { case closed, open(until: ContinuousClock.Instant), halfOpen }

    public let failureThreshold: Int
    public let openDuration: Duration
    private let state = Mutex<(state: State, failures: Int, trialInFlight: Bool)>((.closed, 0, false))

    public init(failureThreshold: Int = 5, openDuration: Duration = .seconds(10)) {
        self.failureThreshold = failureThreshold
        self.openDuration = openDuration
    }

    public var currentState: State { state.withLock { $0.state } }

    /// Whether a call may go out now.
    public func acquire(now: ContinuousClock.Instant = .now) -> Bool {
        state.withLock { value in
            switch value.state {
            case .closed:
                return true
            case .open(let until):
                guard now >= until else { return false }
                value.state = .halfOpen
                value.trialInFlight = true
                return true
            case .halfOpen:
                if value.trialInFlight { return false }
                value.trialInFlight = true
                return true
            }
        }
    }

    public func recordSuccess() {
        state.withLock { $0 = (.closed, 0, false) }
    }

    public func recordFailure(now: ContinuousClock.Instant = .now) {
        state.withLock { value in
            value.failures += 1
            value.trialInFlight = false
            if value.state == .halfOpen || value.failures >= failureThreshold {
                value.state = .open(until: now + openDuration)
            }
        }
    }
}
