import ServiceKit

/// One `ServiceKit.CircuitBreaker` per upstream service, created up front for every routed service.
public struct UpstreamCircuits: Sendable {
    private let breakers: [String: CircuitBreaker]

    public init(services: [String], failureThreshold: Int, openDuration: Duration) {
        var breakers: [String: CircuitBreaker] = [:]
        for service in services {
            breakers[service] = CircuitBreaker(failureThreshold: failureThreshold, openDuration: openDuration)
        }
        self.breakers = breakers
    }

    public func breaker(for service: String) -> CircuitBreaker? { breakers[service] }

    /// `closed`, `open` or `half-open` per service, for `/health`.
    public var states: [String: String] {
        breakers.mapValues { breaker in
            switch breaker.currentState {
            case .closed: "closed"
            case .open(let until): until > .now ? "open" : "half-open"
            case .halfOpen: "half-open"
            }
        }
    }

    /// Whole seconds until an open circuit lets a trial call through (at least 1).
    static func retryAfter(_ breaker: CircuitBreaker, now: ContinuousClock.Instant = .now) -> Int {
        guard case .open(let until) = breaker.currentState else { return 1 }
        let remaining = until - now
        let seconds = Double(remaining.components.seconds) + Double(remaining.components.attoseconds) / 1e18
        return max(1, Int(seconds.rounded(.up)))
    }
}
