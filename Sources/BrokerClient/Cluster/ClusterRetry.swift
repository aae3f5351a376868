import KafkaWire

/// Retrying a request whose right broker may have changed: a group's coordinator that moved (or is
/// still loading the group's offsets), a partition leader that moved. Kafka's clients do the same: on
/// NOT_COORDINATOR / COORDINATOR_NOT_AVAILABLE they look the coordinator up again, on
/// COORDINATOR_LOAD_IN_PROGRESS they wait and ask the same one, on NOT_LEADER_OR_FOLLOWER they refresh
/// metadata; a lost connection counts as "the broker may have gone".
extension BrokerCluster {
    /// Backoff between attempts: 50 ms doubling to 1 s, for at most `requestTimeout` in all.
    static let retryBackoff: (first: Duration, maximum: Duration) = (.milliseconds(50), .seconds(1))

    /// Runs `body` on the coordinator of `group`, retrying while the coordinator moves or loads. `body`
    /// throws `BrokerClientError.broker(code, …)` for an error code in the answer; other codes than the
    /// coordinator ones, and errors that are not retriable, end the retries at once.
    public func withCoordinator<T>(group: String, isolation: isolated (any Actor)? = #isolation,
                                               _ body: (BrokerConnection) async throws -> T) async throws -> T {
        let deadline = ContinuousClock.now + requestTimeout
        var backoff = Self.retryBackoff.first
        while true {
            do {
                return try await body(try await coordinator(group: group))
            } catch let error as BrokerClientError {
                guard ContinuousClock.now < deadline else { throw error }
                switch error {
                case .broker(.notCoordinator, _), .broker(.coordinatorNotAvailable, _),
                     .connectionFailed, .connectionClosed, .timedOut:
                    await forgetCoordinator(group: group)
                case .broker(.coordinatorLoadInProgress, _):
                    break
                default:
                    throw error
                }
            }
            try await Task.sleep(for: backoff)
            backoff = min(backoff * 2, Self.retryBackoff.maximum)
        }
    }
}
