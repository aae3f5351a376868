import Synchronization

/// Round-robin over a service's instances, leaving out for `ejection` the instances that just failed
/// (connection error, timeout or 5xx). When every instance is ejected it rotates over all of them again,
/// so a recovered service is found without waiting for the cool-down (the circuit breaker protects it).
public final class InstanceBalancer: Sendable {
    public let ejection: Duration
    private let state = Mutex<[String: ServiceRotation]>([:])

    struct ServiceRotation {
        var next = 0
        var ejectedUntil: [String: ContinuousClock.Instant] = [:]
    }

    public init(ejection: Duration) {
        self.ejection = ejection
    }

    /// The instance for the next call to `service` among `instances`; nil when there are none.
    public func pick(service: String, among instances: [String], now: ContinuousClock.Instant = .now) -> String? {
        guard !instances.isEmpty else { return nil }
        return state.withLock { state in
            var rotation = state[service] ?? ServiceRotation()
            defer { state[service] = rotation }
            let healthy = instances.filter { rotation.ejectedUntil[$0].map { $0 <= now } ?? true }
            let candidates = healthy.isEmpty ? instances : healthy
            let chosen = candidates[rotation.next % candidates.count]
            rotation.next = (rotation.next &+ 1) & Int.max
            return chosen
        }
    }

    public func recordFailure(service: String, instance: String, now: ContinuousClock.Instant = .now) {
        state.withLock { state in
            state[service, default: ServiceRotation()].ejectedUntil[instance] = now + ejection
        }
    }

    public func recordSuccess(service: String, instance: String) {
        state.withLock { state in
            _ = state[service]?.ejectedUntil.removeValue(forKey: instance)
        }
    }

    /// Instances of `service` that are ejected right now.
    public func ejected(service: String, now: ContinuousClock.Instant = .now) -> [String] {
        state.withLock { state in
            (state[service]?.ejectedUntil ?? [:]).filter { $0.value > now }.map(\.key).sorted()
        }
    }
}
